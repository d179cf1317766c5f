#!/bin/sh
# Makes a test PKI with the openssl CLI for the TLS integration tests:
#   root (self-signed) -> intermediate -> leaves.
# Usage: tls_make_certs.sh DIR NAME:CN:SANS:START:END ...
#   SANS like DNS:dns.test,DNS:*.wild.test; START/END as YYYYMMDDHHMMSSZ or "now"/"+Ndays".
# For each leaf: DIR/NAME.key, DIR/NAME.crt (leaf only), DIR/NAME.fullchain.pem (leaf + intermediate).
# openssl x509 -days cannot go negative and OpenSSL 3.0's req has no -not_before, so leaves
# are issued with `openssl ca -startdate/-enddate`, which takes any dates.
set -eu
dir=$1; shift
cd "$dir"
newkey="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
if [ ! -f root.pem ]; then
    mkdir -p newcerts
    : > index.txt
    openssl rand -hex 8 | tr 'a-f' 'A-F' | sed 's/^0/1/' > serial
    cat > ca.cnf <<'CNF'
[ ca ]
default_ca = test
[ test ]
dir = .
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
default_md = sha256
policy = anything
unique_subject = no
email_in_dn = no
[ anything ]
commonName = supplied
[ v3_inter ]
basicConstraints = critical,CA:true
keyUsage = critical,keyCertSign,cRLSign
[ v3_leaf ]
basicConstraints = CA:false
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = ${ENV::SAN}
CNF
    openssl req -x509 $newkey -keyout root.key -out root.pem -days 3650 -subj "/CN=dnsd test root" \
        -addext "basicConstraints=critical,CA:true" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -new $newkey -keyout inter.key -out inter.csr -subj "/CN=dnsd test intermediate" 2>/dev/null
    SAN=DNS:unused openssl ca -batch -config ca.cnf -cert root.pem -keyfile root.key -in inter.csr -out inter.pem \
        -extensions v3_inter -days 3650 -notext 2>/dev/null
fi
when() {
    case "$1" in
        now) date -u -d "-1 hour" +%Y%m%d%H%M%SZ ;;
        +*) date -u -d "${1#+} days" +%Y%m%d%H%M%SZ ;;
        -*) date -u -d "${1#-} days ago" +%Y%m%d%H%M%SZ ;;
        *) echo "$1" ;;
    esac
}
for spec in "$@"; do
    name=$(echo "$spec" | cut -d: -f1)
    cn=$(echo "$spec" | cut -d: -f2)
    sans=$(echo "$spec" | cut -d: -f3- | rev | cut -d: -f3- | rev)
    start=$(echo "$spec" | rev | cut -d: -f2 | rev)
    end=$(echo "$spec" | rev | cut -d: -f1 | rev)
    openssl req -new $newkey -keyout "$name.key" -out "$name.csr" -subj "/CN=$cn" 2>/dev/null
    SAN="$sans" openssl ca -batch -config ca.cnf -cert inter.pem -keyfile inter.key -in "$name.csr" -out "$name.crt" \
        -extensions v3_leaf -startdate "$(when "$start")" -enddate "$(when "$end")" -notext 2>/dev/null
    cat "$name.crt" inter.pem > "$name.fullchain.pem"
done
