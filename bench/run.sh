#!/bin/bash
# dnsd beside Unbound, dnsdist, PowerDNS Recursor, dnsmasq and Knot Resolver, forwarding to one
# NSD on loopback (100k names), driven by dnsperf. See docs/benchmarks.md for what it reports.
# Prints the table (bench/table.py) and dnsd against the best peer of each round (bench/versus.py).
# Shared parts (NSD, dnsd's config, certificates, CPU accounting) are in bench/lib.sh.
#
#   bench/run.sh [TARGETS...]        default: all of dnsd unbound dnsdist pdns dnsmasq kresd
#                                    (dnsd: the cache with its defaults, serve-stale and prefetch on;
#                                     dnsd_relay: the cache with serve_stale 0 and prefetch off, the
#                                     one shape the fast path took before the plugin contract;
#                                     dnsd_nopc: dnsd with DNSD_PACKET_CACHE=off, the full path;
#                                     dnsd_norelay: dnsd with DNSD_UDP_RELAY=off, misses on the full path;
#                                     dnsd_nowait: dnsd with udp.batch_wait 0;
#                                     dnsd_normal: dnsd with udp.scheduling normal;
#                                     dnsd_querylog: dnsd with the query log on (every answer, 64MiB x 2 files);
#                                     dnsd_alt: the dnsd binary at $DNSD_ALT, to set two builds side by side;
#                                     dnsd_open: admission off (allow any, no RRL, no cookies, no limits);
#                                     dnsd_guarded: a 3-rule ACL, RRL applied to the load's own
#                                     network at a rate it never reaches, client limits and cookies
#                                     on: the cost of admission is dnsd_guarded against dnsd_open)
#   env: WORKERS=1|2 (resolver threads; 1 pins the resolver to CPU 1, dnsperf+NSD to CPU 0)
#        DURATION=10 (seconds per hit/mix cell)  ROUNDS=2 (each cell this often, interleaved;
#        each round starts one target further down the list)
#        MISS_RUNS=3 (runs per miss cell, fresh resolver each; the cell is the median run)
#        WORKLOADS="hit mix miss" (also: tls, tcp)
#        CLIENTS=N (dnsperf client sockets for UDP cells; default 1 with one worker, 8 with two)  DNSD=path/to/release/dnsd  DNSD_ALT=path/to/other/dnsd
#        NO_INSTALL=1 (skip apt-get)
#        OUT=bench/results (raw outputs and results.tsv)
#        KEEP_LATENCIES=1 (also keep dnsperf's per-answer lines, in completion order, gzipped)
#        RATE=N (dnsperf -Q N: every target offered N queries/s in the hit, mix, tcp and tls cells,
#        recorded as workload "mix@N" etc.: p99 at equal load; misses stay unbounded)
# Loopback only; every process it starts is stopped on exit; every cell is bounded in time.
#
# tls: the hit workload over DNS over TLS (dnsperf -m dot, 8 connections, 100 outstanding),
# warmed the same way over DoT, against each target's DoT listener on its own port (TLS_PORT)
# with one self-signed EC P-256 certificate made at start. Not every target serves DoT:
# PowerDNS Recursor 4.8 has no DoT listener (PowerDNS puts dnsdist in front for that) and
# dnsmasq has none either; their tls cells are recorded as UNSUPPORTED.
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
WORKERS=${WORKERS:-1}
DURATION=${DURATION:-10}
ROUNDS=${ROUNDS:-2}
WORKLOADS=${WORKLOADS:-"hit mix miss"}
MISS_RUNS=${MISS_RUNS:-3}
OUT=${OUT:-$ROOT/bench/results}
DNSD=${DNSD:-$ROOT/.build-bench/release/dnsd}
TARGETS=${*:-"dnsd unbound dnsdist pdns dnsmasq kresd"}
NSD_PORT=5390
declare -A PORT=([dnsd_relay]=5386 [dnsd_open]=5387 [dnsd_guarded]=5388 [dnsd]=5391 [dnsd_nopc]=5397 [dnsd_norelay]=5398 [dnsd_nowait]=5399 [dnsd_normal]=5385 [dnsd_querylog]=5384 [dnsd_alt]=5389 [unbound]=5392 [dnsdist]=5393 [pdns]=5394 [dnsmasq]=5395 [kresd]=5396)
# DoT listeners; pdns and dnsmasq have none.
declare -A TLS_PORT=([dnsd_relay]=5486 [dnsd_open]=5487 [dnsd_guarded]=5488 [dnsd]=5491 [dnsd_nopc]=5497 [dnsd_norelay]=5498 [dnsd_nowait]=5499 [dnsd_normal]=5485 [dnsd_querylog]=5484 [dnsd_alt]=5489 [unbound]=5492 [dnsdist]=5493 [kresd]=5496)
source "$ROOT/bench/lib.sh"
bench_init
mkdir -p "$OUT"

if [ -z "${NO_INSTALL:-}" ]; then
    # The peers' own services are neither started nor left enabled: the bench runs its own.
    "$ROOT/scripts/install-debian-packages" unbound dnsdist knot-resolver pdns-recursor \
        dnsmasq-base nsd dnsperf dnsutils knot-dnsutils >/dev/null || { echo "apt-get install failed" >&2; exit 1; }
fi
if [[ " $TARGETS " == *" dnsd_alt "* ]] && [ ! -x "${DNSD_ALT:-}" ]; then
    echo "dnsd_alt needs DNSD_ALT=path/to/a/dnsd binary" >&2; exit 1
fi
if [[ " $TARGETS " == *" dnsd"* ]] && [ ! -x "$DNSD" ]; then
    echo "building dnsd (release, scratch path .build-bench)" >&2
    swift build -c release --product dnsd --scratch-path "$ROOT/.build-bench" >&2 || exit 1
fi

make_cert bench || exit 1
cp "$WORK/bench.cert.pem" "$WORK/cert.pem"; cp "$WORK/bench.key.pem" "$WORK/key.pem"

# --- the common upstream: NSD with the 100k-name zone ---------------------------------------
start_nsd || exit 1
# The first cell of a run used to start right after NSD loaded its zone, on a machine still
# settling: in runs J, K and L dnsd (always measured first then) was slower in its first hit
# cell than dnsd_norelay, the same code for hits, right after it (p99 0.300-0.607 ms against
# 0.244-0.277). So NSD answers every name twice, the 30 MB of query files just written are
# flushed now rather than by the kernel's writeback 30 s into the cells, and the machine rests.
# That alone did not remove it (runs M and N): the discarded first cell below did (run O).
taskset -c "$LOAD_CPUS" dnsperf -s 127.0.0.1 -p "$NSD_PORT" -d "$WORK/miss.txt" -n 2 -c 1 -q 100 >/dev/null 2>&1
sync
sleep 2

# --- per-target configuration and start ---------------------------------------------------
# start_TARGET writes its config and starts it in the background (pinned), echoing its PIDs.
# With DOT=1 (the tls workload) it also listens for DoT on ${TLS_PORT[TARGET]} with
# $WORK/cert.pem and key.pem.
DOT=
start_dnsd_nopc() { DNSD_PACKET_CACHE=off start_dnsd dnsd_nopc; }
start_dnsd_norelay() { DNSD_UDP_RELAY=off start_dnsd dnsd_norelay; }
start_dnsd_nowait() { start_dnsd dnsd_nowait "udp: {batch_wait: 0}"; }
start_dnsd_normal() { start_dnsd dnsd_normal "udp: {scheduling: normal}"; }
start_dnsd_querylog() { start_dnsd dnsd_querylog "query_log: {file: $WORK/dnsd_querylog.jsonl, max_size: 64MiB, keep: 2}"; }
start_dnsd_relay() { DNSD_CACHE="prefetch: false, serve_stale: 0" start_dnsd dnsd_relay; }
start_dnsd_alt() { DNSD=$DNSD_ALT start_dnsd dnsd_alt; }
start_dnsd_open() {
    start_dnsd dnsd_open "acl: [{allow: any}]
rrl: {responses_per_second: 0}
limits: {waiting_per_client: 0}
cookies: {enabled: false}"
}
start_dnsd_guarded() {
    start_dnsd dnsd_guarded "acl:
  - {drop: 203.0.113.0/24, name: bogons}
  - {block: 198.51.100.0/24, types: [ANY], name: no-any}
  - {allow: [loopback, localnets], name: local}
rrl: {responses_per_second: 1000000, exempt: []}
limits: {waiting_per_client: 100000, exempt: []}
cookies: {secret: 000102030405060708090a0b0c0d0e0f}"
}
start_dnsd() {   # [NAME] [EXTRA CONFIG LINE]
    local name=${1:-dnsd}
    dnsd_config "$WORK/$name.yaml" "${PORT[$name]}" ${DOT:+"${TLS_PORT[$name]}"}
    [ -n "${2:-}" ] && echo "$2" >> "$WORK/$name.yaml"
    taskset -c "$RES_CPUS" "$DNSD" --config "$WORK/$name.yaml" >"$WORK/$name.log" 2>&1 &
    echo $!
}
start_unbound() {
    start_unbound_resolver "${PORT[unbound]}" "$([ -n "$DOT" ] && cat <<TLS
    interface: 127.0.0.1@${TLS_PORT[unbound]}
    tls-port: ${TLS_PORT[unbound]}
    tls-service-key: "$WORK/key.pem"
    tls-service-pem: "$WORK/cert.pem"
TLS
)
    local-zone: \"test.\" nodefault
forward-zone:
    name: \".\"
    forward-addr: 127.0.0.1@$NSD_PORT"
}
start_dnsdist() {
    {
        echo "setLocal('127.0.0.1:${PORT[dnsdist]}', {reusePort=true})"
        [ "$WORKERS" = 2 ] && echo "addLocal('127.0.0.1:${PORT[dnsdist]}', {reusePort=true})"
        if [ -n "$DOT" ]; then
            # Debian's 1.7.3 is built with dns-over-tls(openssl). Incoming TCP/DoT connections
            # are served by TCP worker threads (up to 10 by default): as many as WORKERS here.
            echo "addTLSLocal('127.0.0.1:${TLS_PORT[dnsdist]}', '$WORK/cert.pem', '$WORK/key.pem', {reusePort=true})"
            echo "setMaxTCPClientThreads($WORKERS)"
        fi
        echo "setSecurityPollSuffix('')"
        echo "addACL('127.0.0.0/8')"
        echo "newServer({address='127.0.0.1:$NSD_PORT'})"
        echo "pc = newPacketCache(300000, {maxTTL=86400, minTTL=0})"
        echo "getPool(''):setCache(pc)"
    } > "$WORK/dnsdist.conf"
    taskset -c "$RES_CPUS" dnsdist --supervised --disable-syslog -C "$WORK/dnsdist.conf" >"$WORK/dnsdist.log" 2>&1 &
    echo $!
}
start_pdns() {
    start_pdns_recursor "${PORT[pdns]}" "forward-zones=bench.test=127.0.0.1:$NSD_PORT
forward-zones-recurse=.=127.0.0.1:$NSD_PORT"
}
start_dnsmasq() {
    # Single-threaded by design: WORKERS does not apply.
    taskset -c "$RES_CPUS" dnsmasq -k --conf-file=/dev/null --user=root --port=${PORT[dnsmasq]} \
        --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts --server=127.0.0.1#$NSD_PORT \
        --cache-size=300000 --dns-forward-max=10000 --log-facility=- >"$WORK/dnsmasq.log" 2>&1 &
    echo $!
}
start_kresd() {
    rm -rf /dev/shm/dnsd-bench-kresd; mkdir -p /dev/shm/dnsd-bench-kresd
    cat > "$WORK/kresd.conf" <<CONF
net.listen('127.0.0.1', ${PORT[kresd]}, { kind = 'dns' })
$([ -n "$DOT" ] && cat <<TLS
net.listen('127.0.0.1', ${TLS_PORT[kresd]}, { kind = 'tls' })
net.tls('$WORK/cert.pem', '$WORK/key.pem')
TLS
)
trust_anchors.remove('.')
modules.unload('priming')
modules.unload('detect_time_skew')
cache.open(512 * MB, 'lmdb:///dev/shm/dnsd-bench-kresd')
policy.add(policy.all(policy.STUB('127.0.0.1@$NSD_PORT')))
CONF
    # One process per worker sharing the cache (kresd scales by processes, SO_REUSEPORT).
    for i in $(seq "$WORKERS"); do
        mkdir -p "$WORK/kresd$i"
        taskset -c "$RES_CPUS" kresd -n -c "$WORK/kresd.conf" "$WORK/kresd$i" >"$WORK/kresd$i.log" 2>&1 &
        echo $!
    done
}

HZ=$(getconf CLK_TCK)
RESULTS="$OUT/results.tsv"
results_header "$RESULTS" "$OUT/misses.tsv"

# A miss run lasts about a second, short enough for a slow spell of the host to move it by a
# fifth, so a miss cell is MISS_RUNS runs, each with a fresh resolver, taken in turn with the
# other targets' (run 1 of every target, then run 2, ...) so that a slow spell falls on all of
# them; the cell's row is the run of median QPS. Every run is kept: misses.tsv and the raw
# files TARGET-wN-miss-ROUND.RUN.txt.

# measure TARGET WORKLOAD ROUND SUFFIX ROWS: fresh resolver, optional warm-up, timed run, one row in ROWS.
measure() {
    local target=$1 workload=$2 round=$3 suffix=$4 rows=$5 port=${PORT[$1]} mode=()
    DOT=
    if [ "$workload" = tls ]; then
        if [ -z "${TLS_PORT[$target]:-}" ]; then
            echo "$target serves no DoT: tls skipped" >&2
            printf '%s\t%s\t%s\t%s\tUNSUPPORTED\n' "$target" "$WORKERS" "$workload" "$round" >> "$rows"
            return
        fi
        DOT=1 port=${TLS_PORT[$target]} mode=(-m dot)
    fi
    local pids; pids=$(start_$target)
    # shellcheck disable=SC2206
    local pidlist=($pids)
    PIDS+=("${pidlist[@]}")
    if ! wait_port "${PORT[$target]}" "$target" || { [ -n "$DOT" ] && ! wait_dot "$port" "$target"; }; then
        cat "$WORK/$target"*.log >&2
        for pid in "${pidlist[@]}"; do kill "$pid" 2>/dev/null; done
        printf '%s\t%s\t%s\t%s\tFAILED\n' "$target" "$WORKERS" "$workload" "$round" >> "$rows"
        return
    fi
    if [ "$workload" = tcp ]; then mode=(-m tcp); fi
    local file="$WORK/$workload.txt" limit=(-l "$DURATION")
    [ "$workload" = tls ] || [ "$workload" = tcp ] && file="$WORK/hit.txt"
    # One client socket for one worker; with two, eight sockets so that SO_REUSEPORT (which
    # hashes by source address and port) spreads the queries over the workers. DoT always uses
    # eight connections: some resolvers (Unbound) serve one connection's queries nearly one at
    # a time, so one connection would measure that, not the resolver.
    local clients=1; [ "$WORKERS" != 1 ] && clients=8
    [ -n "${CLIENTS:-}" ] && clients=$CLIENTS
    [ -n "$DOT" ] || [ "$workload" = tcp ] && clients=8
    if [ "$workload" = hit ] || [ "$workload" = tls ] || [ "$workload" = tcp ]; then
        taskset -c "$LOAD_CPUS" timeout 60 dnsperf "${mode[@]}" -s 127.0.0.1 -p "$port" -d "$file" -n 2 \
            -c "$clients" -q 100 >/dev/null 2>&1
    fi
    if [ "$workload" = miss ]; then limit=(-n 1 -l 120); fi
    # RATE: offer the same queries per second to every target (dnsperf -Q) instead of as many as
    # it takes, so p99 compares latency at equal load rather than the depth of a saturated queue.
    local rate=() label=$workload
    if [ -n "${RATE:-}" ] && [ "$workload" != miss ]; then rate=(-Q "$RATE"); label="$workload@$RATE"; fi
    local rss0; rss0=$(rss_kb "${pidlist[@]}")
    local load1; load1=$(cut -d' ' -f1 /proc/loadavg)
    local before; before=$(cputicks "${pidlist[@]}")
    local load_before; load_before=$(cpu_ticks "$LOAD_CPUS")
    local raw="$OUT/$target-w$WORKERS-$label-$round$suffix.txt"
    taskset -c "$LOAD_CPUS" dnsperf "${mode[@]}" -s 127.0.0.1 -p "$port" -d "$file" "${limit[@]}" "${rate[@]}" -c "$clients" -T 1 -q 100 -t 2 -v \
        > "$WORK/verbose.txt" 2>&1
    local after; after=$(cputicks "${pidlist[@]}")
    local load_after; load_after=$(cpu_ticks "$LOAD_CPUS")
    local rss1; rss1=$(rss_kb "${pidlist[@]}")
    grep -v '^> ' "$WORK/verbose.txt" > "$raw"
    [ -n "${KEEP_LATENCIES:-}" ] && grep '^> ' "$WORK/verbose.txt" | gzip > "${raw%.txt}.latencies.gz"
    python3 bench/summarize.py "$target" "$WORKERS" "$label" "$round" "$WORK/verbose.txt" \
        "$((after - before))" "$HZ" "$rss1" "$load1" >> "$rows"
    echo "# load cpus $LOAD_CPUS idle $(load_idle $load_before $load_after)% during the run" >> "$raw"
    [ "$workload" = miss ] && echo "# $target rss before ${rss0} kB, after 100k answers ${rss1} kB" >> "$raw"
    stop_pids "${pidlist[@]}"
    tail -1 "$rows" >&2
}

# targets_for_workers [SHIFT]: the targets for this WORKERS, the list rotated by SHIFT places
# so that no target is always measured first (round 1 starts with the first named).
targets_for_workers() {
    local target kept=()
    for target in $TARGETS; do
        [ "$target" = dnsmasq ] && [ "$WORKERS" != 1 ] && continue
        kept+=("$target")
    done
    local shift=$(( ${1:-0} % ${#kept[@]} ))
    echo "${kept[@]:shift}" "${kept[@]:0:shift}"
}

# A first cell, measured and thrown away. Even after the NSD warm-up, sync and rest above, the
# first cell of a run came out slower than the same code measured right after it: in runs J-N
# dnsd's first hit cell had p99 0.300-0.607 ms where dnsd_norelay's, next, had 0.244-0.278.
first_target=$(targets_for_workers | cut -d' ' -f1)
first_workload=${WORKLOADS%% *}
[ "$first_workload" = miss ] && first_workload=hit
measure "$first_target" "$first_workload" 0 .discarded "$WORK/discarded.tsv" 2>/dev/null
rm -f "$OUT/$first_target-w$WORKERS-$first_workload-0.discarded.txt"

for round in $(seq "$ROUNDS"); do
    for workload in $WORKLOADS; do
        if [ "$workload" != miss ]; then
            for target in $(targets_for_workers $((round - 1))); do measure "$target" "$workload" "$round" "" "$RESULTS"; done
            continue
        fi
        for target in $(targets_for_workers); do : > "$WORK/miss-$target.tsv"; done
        for run in $(seq "$MISS_RUNS"); do
            for target in $(targets_for_workers $((round + run - 2))); do measure "$target" miss "$round" ".$run" "$WORK/miss-$target.tsv"; done
        done
        for target in $(targets_for_workers); do
            cat "$WORK/miss-$target.tsv" >> "$OUT/misses.tsv"
            median_row "$WORK/miss-$target.tsv" >> "$RESULTS"
            echo "median of $MISS_RUNS: $(tail -1 "$RESULTS")" >&2
        done
    done
done
python3 bench/table.py "$RESULTS"
echo
python3 bench/versus.py "$RESULTS"
