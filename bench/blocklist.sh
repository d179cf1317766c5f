#!/bin/bash
# A big blocklist in dnsd beside Unbound (`local-zone: "NAME." always_nxdomain`) and dnsmasq
# (`address=/NAME/`): how long each takes to load it, the memory it costs per entry, and queries
# per CPU-second on a workload of half blocked names and half cached ones (forwarded to one NSD
# on loopback and warmed first). See docs/benchmarks.md, "Blocklists".
#
#   bench/blocklist.sh [TARGETS...]    default: dnsd unbound dnsmasq
#   env: ENTRIES=1000000 (names in the list)  DURATION=10 (seconds per QPS cell)  ROUNDS=2
#        WORKERS=1 (the resolver pinned to CPU 1, dnsperf and NSD to CPU 0)
#        DNSD=path/to/release/dnsd  OUT=bench/results/blocklist  NO_INSTALL=1 (skip apt-get)
#
# Load time: from the start of the process until it answers a blocked name from the list
# (dnsd and dnsmasq read the list before answering anything; Unbound too). Memory per entry:
# RSS with the list, after the warm-up, minus RSS of the same server started without it, over
# ENTRIES. Loopback only; every process it starts is stopped on exit; cells are bounded in time.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
WORKERS=${WORKERS:-1}
ENTRIES=${ENTRIES:-1000000}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-2}
OUT=${OUT:-$ROOT/bench/results/blocklist}
DNSD=${DNSD:-$ROOT/.build-bench/release/dnsd}
TARGETS=${*:-"dnsd unbound dnsmasq"}
NSD_PORT=5390
declare -A PORT=([dnsd]=5381 [unbound]=5382 [dnsmasq]=5383)
source "$ROOT/bench/lib.sh"
bench_init
mkdir -p "$OUT"

if [ -z "${NO_INSTALL:-}" ]; then
    "$ROOT/scripts/install-debian-packages" unbound dnsmasq-base nsd dnsperf dnsutils >/dev/null \
        || { echo "apt-get install failed" >&2; exit 1; }
fi
[ -x "$DNSD" ] || { echo "no dnsd at $DNSD (swift build -c release --product dnsd --scratch-path .build-bench)" >&2; exit 1; }

start_nsd || exit 1
# The list: ENTRIES distinct names under 5,000 made-up registrable domains, as big lists mix
# hosts of a few networks with many one-off names; the three servers' files say the same.
python3 - "$WORK" "$ENTRIES" <<'PY'
import random, sys
work, entries = sys.argv[1], int(sys.argv[2])
rng = random.Random(11)
names = [f"t{i:x}.ads{rng.randrange(5000)}.example" for i in range(entries)]
with open(f"{work}/list.txt", "w") as out:
    out.write("".join(f"0.0.0.0 {name}\n" for name in names))
with open(f"{work}/unbound-list.conf", "w") as out:
    out.write("".join(f'    local-zone: "{name}." always_nxdomain\n' for name in names))
with open(f"{work}/dnsmasq-list.conf", "w") as out:
    out.write("".join(f"address=/{name}/\n" for name in names))
# Half blocked (drawn from the list), half cached (n0..n9999 of NSD's zone), interleaved.
with open(f"{work}/half.txt", "w") as out:
    for i in range(200_000):
        out.write(f"{rng.choice(names)}. A\n" if i % 2 == 0 else f"n{rng.randrange(10000)}.bench.test. A\n")
with open(f"{work}/warm.txt", "w") as out:
    out.write("".join(f"n{i}.bench.test. A\n" for i in range(10000)))
with open(f"{work}/probe", "w") as out:
    out.write(names[-1] + "\n")
PY
PROBE=$(cat "$WORK/probe")

start() {   # TARGET WITH_LIST(yes|no): echoes the PID
    local target=$1 list=$2
    case $target in
    dnsd)
        dnsd_config "$WORK/dnsd-$list.yaml" "${PORT[dnsd]}"
        if [ "$list" = yes ]; then
            printf 'blocklists:\n  lists:\n    - {name: big, file: %s}\n' "$WORK/list.txt" >> "$WORK/dnsd-$list.yaml"
        fi
        taskset -c "$RES_CPUS" "$DNSD" --config "$WORK/dnsd-$list.yaml" >"$WORK/dnsd.log" 2>&1 &
        echo $!
        ;;
    unbound)
        start_unbound_resolver "${PORT[unbound]}" "$([ "$list" = yes ] && echo "    include: \"$WORK/unbound-list.conf\"")
    local-zone: \"test.\" nodefault
forward-zone:
    name: \".\"
    forward-addr: 127.0.0.1@$NSD_PORT"
        ;;
    dnsmasq)
        taskset -c "$RES_CPUS" dnsmasq -k --conf-file=$([ "$list" = yes ] && echo "$WORK/dnsmasq-list.conf" || echo /dev/null) \
            --user=root --port=${PORT[dnsmasq]} --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \
            --server=127.0.0.1#$NSD_PORT --cache-size=300000 --dns-forward-max=10000 --log-facility=- >"$WORK/dnsmasq.log" 2>&1 &
        echo $!
        ;;
    esac
}

# Until NAME gets an answer (any rcode) from 127.0.0.1:PORT, up to 600 s; echoes the seconds.
wait_answer() {   # PORT NAME START_NS
    local deadline=$(( $(date +%s) + 600 ))
    while [ "$(date +%s)" -lt "$deadline" ]; do
        if dig +tries=1 +time=1 -p "$1" @127.0.0.1 "$2" A 2>/dev/null | grep -q 'status:'; then
            awk -v s="$3" -v e="$(date +%s%N)" 'BEGIN { printf "%.2f", (e - s) / 1e9 }'
            return 0
        fi
        sleep 0.05
    done
    return 1
}

results=$OUT/results.tsv
[ -f "$results" ] || printf 'target\tentries\tround\tload_s\trss_base_kb\trss_list_kb\tbytes_per_entry\tqps\tq_per_cpu_s\tavg_latency_ms\tlost\n' > "$results"
for round in $(seq "$ROUNDS"); do
    for target in $TARGETS; do
        port=${PORT[$target]}
        pid=$(start "$target" no); PIDS+=("$pid")
        wait_answer "$port" n1.bench.test "$(date +%s%N)" >/dev/null || { echo "$target did not start" >&2; exit 1; }
        taskset -c "$LOAD_CPUS" dnsperf -s 127.0.0.1 -p "$port" -d "$WORK/warm.txt" -n 1 -c 1 -q 100 >/dev/null 2>&1
        base=$(rss_kb "$pid")
        stop_pids "$pid"

        begin=$(date +%s%N)
        pid=$(start "$target" yes); PIDS+=("$pid")
        load=$(wait_answer "$port" "$PROBE" "$begin") || { echo "$target did not answer with the list" >&2; exit 1; }
        status=$(dig +tries=1 +time=2 -p "$port" @127.0.0.1 "$PROBE" A | awk '/status:/ {print $6}' | tr -d ,)
        [ "$status" = NXDOMAIN ] || echo "$target answered $PROBE with $status, not NXDOMAIN" >&2
        taskset -c "$LOAD_CPUS" dnsperf -s 127.0.0.1 -p "$port" -d "$WORK/warm.txt" -n 1 -c 1 -q 100 >/dev/null 2>&1
        with=$(rss_kb "$pid")
        t0=$(cputicks "$pid")
        taskset -c "$LOAD_CPUS" dnsperf -s 127.0.0.1 -p "$port" -d "$WORK/half.txt" -l "$DURATION" -c 1 -q 200 \
            > "$OUT/$target-r$round.dnsperf" 2>&1
        t1=$(cputicks "$pid")
        stop_pids "$pid"
        awk -v target="$target" -v entries="$ENTRIES" -v round="$round" -v load="$load" -v base="$base" -v with="$with" \
            -v ticks="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" '
            /Queries completed:/ { done = $3 } /Queries lost:/ { lost = $3 }
            /Queries per second:/ { qps = $4 } /Average Latency/ { avg = $4 * 1000 } /Run time \(s\):/ { secs = $4 }
            END { cpu = ticks / hz
                  printf "%s\t%d\t%d\t%s\t%d\t%d\t%.0f\t%.0f\t%.0f\t%.3f\t%d\n", target, entries, round, load, base, with,
                      (with - base) * 1024 / entries, qps, (cpu > 0 ? done / cpu : 0), avg, lost }' \
            "$OUT/$target-r$round.dnsperf" | tee -a "$results"
    done
done
