#!/bin/bash
# 100 certificate reloads under load: dnsd forwards to NSD (as in bench/run.sh) and serves
# UDP and DoT; dnsperf drives both at half of dnsd's measured capacity while `dnsctl
# tls.reload` runs 100 times, each time after swapping in the other of two certificates.
# Reports failed and lost queries of both loads, failed reloads, and whether new connections
# saw the certificate just installed. See docs/benchmarks.md.
#
#   bench/tls-reload.sh
#   env: DNSD=path/to/release/dnsd  DNSCTL=path/to/release/dnsctl  RELOADS=100  WORKERS=1
#        NO_INSTALL=1 (skip apt-get)  OUT=bench/results
# Loopback only; every process it starts is stopped on exit; each load is bounded in time.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
WORKERS=${WORKERS:-1}
RELOADS=${RELOADS:-100}
OUT=${OUT:-$ROOT/bench/results}
DNSD=${DNSD:-$ROOT/.build-bench/release/dnsd}
DNSCTL=${DNSCTL:-$ROOT/.build-bench/release/dnsctl}
UDP_PORT=5591
TLS_PORT=5592
source "$ROOT/bench/lib.sh"
bench_init
mkdir -p "$OUT"

if [ -z "${NO_INSTALL:-}" ]; then
    "$ROOT/scripts/install-debian-packages" nsd dnsperf knot-dnsutils dnsutils openssl >/dev/null \
        || { echo "apt-get install failed" >&2; exit 1; }
fi
for product in dnsd dnsctl; do
    binary=$DNSD; [ "$product" = dnsctl ] && binary=$DNSCTL
    if [ ! -x "$binary" ]; then
        swift build -c release --product "$product" --scratch-path "$ROOT/.build-bench" >&2 || exit 1
    fi
done

make_cert one || exit 1
make_cert two || exit 1
install_cert() {    # NAME: the live files become NAME's, each replaced by a rename (never half-written)
    cp "$WORK/$1.cert.pem" "$WORK/cert.pem.new" && mv "$WORK/cert.pem.new" "$WORK/cert.pem"
    cp "$WORK/$1.key.pem" "$WORK/key.pem.new" && mv "$WORK/key.pem.new" "$WORK/key.pem"
}
fingerprint() { openssl x509 -noout -fingerprint -sha256 -in "$1" | cut -d= -f2; }
served_fingerprint() {
    openssl s_client -connect "127.0.0.1:$TLS_PORT" -alpn dot </dev/null 2>/dev/null \
        | openssl x509 -noout -fingerprint -sha256 2>/dev/null | cut -d= -f2
}
install_cert one
start_nsd || exit 1
dnsd_config "$WORK/dnsd.yaml" "$UDP_PORT" "$TLS_PORT"
taskset -c "$RES_CPUS" "$DNSD" --config "$WORK/dnsd.yaml" >"$WORK/dnsd.log" 2>&1 &
DNSD_PID=$!
PIDS+=("$DNSD_PID")
wait_port "$UDP_PORT" dnsd && wait_dot "$TLS_PORT" dnsd || { cat "$WORK/dnsd.log" >&2; exit 1; }
export DNSD_SOCKET=$WORK/dnsd.yaml.ctl

# Capacity: the hit workload for 3 s each over UDP and DoT (after a warm-up pass).
capacity() {    # MODE: queries per second dnsperf reached
    taskset -c "$LOAD_CPUS" dnsperf -m "$1" -s 127.0.0.1 -p "$2" -d "$WORK/hit.txt" -n 1 -c 8 -q 100 >/dev/null 2>&1
    taskset -c "$LOAD_CPUS" dnsperf -m "$1" -s 127.0.0.1 -p "$2" -d "$WORK/hit.txt" -l 3 -c 8 -q 100 2>&1 \
        | awk '/Queries per second/ {printf "%d", $4}'
}
UDP_CAPACITY=$(capacity udp "$UDP_PORT")
TLS_CAPACITY=$(capacity dot "$TLS_PORT")
# Half of capacity in all: a quarter of each transport's own.
UDP_RATE=$((UDP_CAPACITY / 4))
TLS_RATE=$((TLS_CAPACITY / 4))
echo "capacity: udp $UDP_CAPACITY q/s, dot $TLS_CAPACITY q/s; load: udp $UDP_RATE q/s + dot $TLS_RATE q/s"

# Long enough for the reloads (each also opens one TLS connection to read the certificate).
LOAD_SECONDS=$((RELOADS / 5 + 10))
taskset -c "$LOAD_CPUS" dnsperf -m udp -s 127.0.0.1 -p "$UDP_PORT" -d "$WORK/hit.txt" -l "$LOAD_SECONDS" \
    -c 8 -q 100 -Q "$UDP_RATE" -t 2 > "$WORK/udp.txt" 2>&1 &
UDP_LOAD=$!
# Two DoT loads: 4 connections kept for the whole run (open connections keep the certificate
# they began with) and 4 that reconnect every 500 queries (new connections during the reloads).
taskset -c "$LOAD_CPUS" dnsperf -m dot -s 127.0.0.1 -p "$TLS_PORT" -d "$WORK/hit.txt" -l "$LOAD_SECONDS" \
    -c 4 -q 50 -Q $((TLS_RATE / 2)) -t 2 > "$WORK/dot.txt" 2>&1 &
TLS_LOAD=$!
taskset -c "$LOAD_CPUS" dnsperf -m dot -s 127.0.0.1 -p "$TLS_PORT" -d "$WORK/hit.txt" -l "$LOAD_SECONDS" \
    -c 4 -q 50 -Q $((TLS_RATE / 2)) -t 2 -O num-queries-per-conn=500 > "$WORK/dot-reconnecting.txt" 2>&1 &
TLS_RECONNECTING=$!
PIDS+=("$UDP_LOAD" "$TLS_LOAD" "$TLS_RECONNECTING")
sleep 2

failed_reloads=0 wrong_certificate=0 current=one
for i in $(seq "$RELOADS"); do
    if [ "$current" = one ]; then current=two; else current=one; fi
    install_cert "$current"
    if ! "$DNSCTL" tls.reload >/dev/null 2>"$WORK/reload.err"; then
        failed_reloads=$((failed_reloads + 1))
        echo "reload $i failed: $(cat "$WORK/reload.err")" >&2
        continue
    fi
    # A new connection must get the certificate just installed.
    if [ "$(served_fingerprint)" != "$(fingerprint "$WORK/$current.cert.pem")" ]; then
        wrong_certificate=$((wrong_certificate + 1))
    fi
    sleep 0.05
done
wait "$UDP_LOAD" "$TLS_LOAD" "$TLS_RECONNECTING"

report() {  # NAME FILE: sent, completed, lost, and the rcode breakdown other than NOERROR
    local sent completed lost
    sent=$(awk '/Queries sent:/ {print $3}' "$2")
    completed=$(awk '/Queries completed:/ {print $3}' "$2")
    lost=$(awk '/Queries lost:/ {print $3}' "$2")
    local bad; bad=$(awk '/Response codes:/ {for (i = 3; i <= NF; i += 2) if ($i != "NOERROR") s += $(i + 1)} END {print s + 0}' "$2")
    echo "$1: sent ${sent:-?} completed ${completed:-?} lost ${lost:-?} non-NOERROR $bad"
    [ "${lost:-1}" = 0 ] && [ "$bad" = 0 ] && [ -n "$sent" ] && [ "$sent" != 0 ]
}
result=0
report udp "$WORK/udp.txt" || result=1
report dot "$WORK/dot.txt" || result=1
report dot-reconnecting "$WORK/dot-reconnecting.txt" || result=1
echo "reloads: $RELOADS, failed $failed_reloads, new connection with the wrong certificate $wrong_certificate"
[ "$failed_reloads" = 0 ] && [ "$wrong_certificate" = 0 ] || result=1
"$DNSCTL" tls.info bench > "$WORK/tls-info.json" 2>&1 && grep -o '"reloads"[^,]*' "$WORK/tls-info.json" || true
{
    echo "# $(date -u +%FT%TZ) workers=$WORKERS reloads=$RELOADS udp_rate=$UDP_RATE dot_rate=$TLS_RATE"
    cat "$WORK/udp.txt" "$WORK/dot.txt" "$WORK/dot-reconnecting.txt"
    echo "failed_reloads=$failed_reloads wrong_certificate=$wrong_certificate"
} > "$OUT/tls-reload.txt"
[ "$result" = 0 ] && echo "PASS: no failed queries, every reload took" || echo "FAIL" >&2
exit $result
