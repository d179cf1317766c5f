#!/bin/bash
# A soak: dnsd with the shipped cache defaults forwarding to NSD, under an ordinary mixed load
# and misbehaving clients at once, while the upstream flaps; dnsd's RSS and open files are
# sampled every second and must stay flat once warmed up. See docs/benchmarks.md ("Soak").
#
#   bench/soak.sh [SECONDS]            default 180 (bounded: every load ends by then)
#   env: DNSD=path/to/dnsd (default .build-bench/release/dnsd, else .build/debug/dnsd)
#        WORKERS=2 (dnsd's threads)  RATE=3000 (the ordinary load, queries/s)
#        OUT=bench/results/soak (samples.tsv, the loads' outputs, dnsd's log)
#
# At once, for the whole run:
#   - dnsperf at RATE q/s over the 1M-query Zipf mix of 100k names (5% NXDOMAIN), 4 sockets;
#   - a random-subdomain flood, 1,000 unique names/s from 127.0.0.2;
#   - damaged datagrams, 1,000/s from 127.0.0.4 (bench/soak_clients.py garbage);
#   - TCP clients from 127.0.0.5 pipelining 20,000 queries each and never reading;
#   - one-byte-every-2-s drips over TCP, DoT and DoH (Tests/IntegrationTests/Fixtures/stream_drip.py);
#   - the upstream flapping: NSD stopped (SIGSTOP: a black hole) for 10 s every 30 s.
# The cache keeps its defaults but for max_entries 20,000, so that it is full within the warm-up
# (the first third, two upstream flaps): what grows after that is not the cache filling. After
# the warm-up RSS must stay within 15% of the warm-up's peak and open files within 32 of theirs;
# otherwise, or if dnsd exits, exit 1.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_TOTAL=${1:-180}
WORKERS=${WORKERS:-2}
RATE=${RATE:-3000}
OUT=${OUT:-$ROOT/bench/results/soak}
FIXTURES=$ROOT/Tests/IntegrationTests/Fixtures
PYTHON=/usr/bin/python3
DNSD=${DNSD:-$ROOT/.build-bench/release/dnsd}
[ -x "$DNSD" ] || DNSD=$ROOT/.build/debug/dnsd
[ -x "$DNSD" ] || { echo "no dnsd binary: build one (swift build) or set DNSD" >&2; exit 1; }
PORT=5601; TLS_PORT=5602; DOH_PORT=5603
source "$ROOT/bench/lib.sh"
bench_init
# The soak is about dnsd's bounds, not speed: every process may use both CPUs.
RES_CPUS=0-1; LOAD_CPUS=0-1
mkdir -p "$OUT"
rm -f "$OUT"/*.out "$OUT/samples.tsv"

make_cert soak || exit 1
start_nsd || exit 1
NSD_PID=${PIDS[-1]}
cat > "$WORK/dnsd.yaml" <<CONF
listen: [udp://127.0.0.1:$PORT, tcp://127.0.0.1:$PORT, tls://127.0.0.1:$TLS_PORT, https://127.0.0.1:$DOH_PORT/dns-query]
threads: $WORKERS
control: {socket: $WORK/dnsd.ctl}
tls:
  - {name: soak, cert: $WORK/soak.cert.pem, key: $WORK/soak.key.pem}
servers:
  - zones: [.]
    plugins:
      - cache: {max_entries: 20000}
      - forward: {to: [udp://127.0.0.1:$NSD_PORT]}
CONF
"$DNSD" --config "$WORK/dnsd.yaml" >"$OUT/dnsd.log" 2>&1 &
DNSD_PID=$!
PIDS+=($DNSD_PID)
wait_port "$PORT" dnsd || { cat "$OUT/dnsd.log" >&2; exit 1; }
echo "soak: dnsd $DNSD_PID ($DNSD), $WORKERS threads, ${SECONDS_TOTAL}s" >&2

background() { # NAME COMMAND...: runs it for the soak, output in OUT/NAME.out
    local name=$1; shift
    "$@" >"$OUT/$name.out" 2>&1 &
    PIDS+=($!)
}
background dnsperf dnsperf -s 127.0.0.1 -p "$PORT" -d "$WORK/mix.txt" -l "$SECONDS_TOTAL" -Q "$RATE" -c 4 -q 200 -t 2
background flood "$PYTHON" "$FIXTURES/unique_flood.py" "$PORT" 127.0.0.2 flood.bench.test $((1000 * SECONDS_TOTAL)) "$SECONDS_TOTAL" 3
background garbage "$PYTHON" "$ROOT/bench/soak_clients.py" garbage "$PORT" 127.0.0.4 "$SECONDS_TOTAL" 1000
background pipeline "$PYTHON" "$ROOT/bench/soak_clients.py" pipeline "$PORT" 127.0.0.5 "$SECONDS_TOTAL"
drips() { # MODE PORT: one drip after another until the soak ends
    local end=$((SECONDS + SECONDS_TOTAL - 5))
    while [ $SECONDS -lt $end ]; do
        "$PYTHON" "$FIXTURES/stream_drip.py" drip "$1" 127.0.0.1 "$2" 2 $((end - SECONDS > 60 ? 60 : end - SECONDS))
    done
}
background drip-tcp drips tcp "$PORT"
background drip-dot drips dot "$TLS_PORT"
background drip-doh drips doh "$DOH_PORT"
flap() {
    local end=$((SECONDS + SECONDS_TOTAL))
    while [ $SECONDS -lt $end ]; do
        sleep 20; kill -STOP "$NSD_PID"; echo "$SECONDS upstream stopped"
        sleep 10; kill -CONT "$NSD_PID"; echo "$SECONDS upstream back"
    done
}
background flap flap

printf 'second\trss_kib\topen_files\tthreads\n' > "$OUT/samples.tsv"
for second in $(seq 1 "$SECONDS_TOTAL"); do
    sleep 1
    if ! kill -0 "$DNSD_PID" 2>/dev/null; then
        echo "soak: dnsd exited at ${second}s" >&2; tail -20 "$OUT/dnsd.log" >&2; exit 1
    fi
    printf '%s\t%s\t%s\t%s\n' "$second" "$(rss_kb "$DNSD_PID")" "$(ls /proc/$DNSD_PID/fd | wc -l)" \
        "$(awk '/^Threads/{print $2}' /proc/$DNSD_PID/status)" >> "$OUT/samples.tsv"
done
kill -CONT "$NSD_PID" 2>/dev/null
sleep 8  # the loads end on their own and print their summaries (the flood waits 3 s for stragglers)

summary=$(awk -v warm=$((SECONDS_TOTAL / 3)) -F'\t' '
    NR == 1 { next }
    $1 <= warm { if ($2 > warmR) warmR = $2; if ($3 > warmF) warmF = $3; next }
    { if (minR == "" || $2 < minR) minR = $2; if ($2 > maxR) maxR = $2
      if (minF == "" || $3 < minF) minF = $3; if ($3 > maxF) maxF = $3
      n++; sx += $1; sy += $2; sxx += $1 * $1; sxy += $1 * $2 }
    END { slope = (n * sxx - sx * sx) ? (n * sxy - sx * sy) / (n * sxx - sx * sx) : 0
          ok = (maxR <= warmR * 1.15 && maxF <= warmF + 32)
          printf "%s after warm-up (%ds): RSS %d..%d KiB (warm-up peak %d, slope %.0f KiB/min), open files %d..%d (warm-up peak %d)\n",
                 ok ? "flat" : "NOT FLAT", warm, minR, maxR, warmR, slope * 60, minF, maxF, warmF
          exit ok ? 0 : 1 }' "$OUT/samples.tsv")
flat=$?
echo "soak: $summary"
grep -h "Queries completed\|Queries lost\|Average Latency" "$OUT/dnsperf.out" | sed 's/^ */soak: dnsperf /'
for name in flood garbage pipeline; do echo "soak: $(tail -1 "$OUT/$name.out")"; done
echo "soak: drips $(cat "$OUT"/drip-*.out | grep -c '^closed') closed, $(cat "$OUT"/drip-*.out | grep -c '^open') left open"
crashes=$(grep -ci "fatal\|crash" "$OUT/dnsd.log")
echo "soak: dnsd alive, $crashes crash lines in its log"
[ "$flat" = 0 ] && [ "$crashes" = 0 ]
