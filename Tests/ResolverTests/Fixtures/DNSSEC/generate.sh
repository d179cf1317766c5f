#!/usr/bin/env bash
# Regenerates the signed zones DNSSECVerificationTests and SignedZoneAnswerTests check, with
# BIND's signer (Debian's bind9-utils: dnssec-keygen, dnssec-signzone). The private keys are
# thrown away; only the signed zones and the DS sets are kept. Signatures carry fixed windows
# so the tests stay valid: 2020-01-01 to 2080-01-01 for the good zones (RRSIG times are 32-bit
# serial numbers, so an expiration more than 68 years ahead reads as past), 2021 for
# expired.test, which dnssec-signzone is told not to verify (-P): its signatures are already
# out of date. nsec3.test is signed with NSEC3 (RFC 9276 parameters: no salt, no iterations).
#   Tests/ResolverTests/Fixtures/DNSSEC/generate.sh
set -euo pipefail
cd "$(dirname "$0")"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# zone algorithm ksk-bits zsk-bits inception expiration [extra signzone flags]
sign() {
    local zone=$1 algorithm=$2 ksk_bits=$3 zsk_bits=$4 from=$5 until=$6
    shift 6
    local dir="$scratch/$zone"
    mkdir -p "$dir"
    cat > "$dir/zone" <<ZONE
\$TTL 3600
@       IN SOA  ns1.$zone. Hostmaster.$zone. 1 7200 3600 1209600 300
@       IN NS   ns1.$zone.
ns1     IN A    127.0.0.53
www     IN A    192.0.2.1
www     IN A    192.0.2.2
www     IN AAAA 2001:db8::1
@       IN MX   10 Mail.$zone.
mail    IN A    192.0.2.25
txt     IN TXT  "hello" "world"
*.wild  IN A    192.0.2.99
ZONE
    local size_ksk=() size_zsk=()
    [ -n "$ksk_bits" ] && size_ksk=(-b "$ksk_bits") && size_zsk=(-b "$zsk_bits")
    dnssec-keygen -q -K "$dir" -a "$algorithm" "${size_ksk[@]}" -f KSK "$zone" >/dev/null
    dnssec-keygen -q -K "$dir" -a "$algorithm" "${size_zsk[@]}" "$zone" >/dev/null
    dnssec-signzone -q -S -K "$dir" -d "$dir" -o "$zone" -s "$from" -e "$until" \
        "$@" -f "$dir/signed" "$dir/zone" >/dev/null
    # One record a line, no comments: the tests read it with dnsd's zone parser.
    named-compilezone -q -s full -o "$zone.signed" "$zone" "$dir/signed"
    cp "$dir/dsset-$zone." "$zone.ds"
}

sign rsasha256.test RSASHA256 1024 1024 20200101000000 20800101000000
sign rsasha512.test RSASHA512 2048 2048 20200101000000 20800101000000
sign ecdsap256.test ECDSAP256SHA256 "" "" 20200101000000 20800101000000
sign ecdsap384.test ECDSAP384SHA384 "" "" 20200101000000 20800101000000
sign ed25519.test ED25519 "" "" 20200101000000 20800101000000
sign expired.test ECDSAP256SHA256 "" "" 20210101000000 20211231000000 -P
sign nsec3.test ECDSAP256SHA256 "" "" 20200101000000 20800101000000 -3 - -H 0
