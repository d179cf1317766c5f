#!/bin/bash
# Full recursion from a cold cache: dnsd's `recurse` beside Unbound, Knot Resolver and PowerDNS
# Recursor, each resolving from the root down over a DNS tree of NSD servers on loopback
# (bench/gen_hierarchy.py: a root, 4 TLDs, ZONES second-level zones on 4 leaf servers).
# See docs/benchmarks.md, "Recursion". Shared parts (CPU accounting, cleanup) are in bench/lib.sh.
#
#   bench/recurse.sh [TARGETS...]    default: dnsd unbound kresd pdns (also: dnsd_defaults, dnsd
#                                    with the shipped infrastructure cache size; dnsd_small, with
#                                    10,000 entries, a third of what the tree needs: evictions)
#   env: ZONES=10000 (second-level zones, one cold query each)  RUNS=3 (per cell, fresh resolver
#        each; the cell is the run of median queries per CPU-second)  ROUNDS=2 (interleaved)
#        PREFIX=127.53 (the tree's addresses: PREFIX.0.1 root, .0.2-5 TLDs, .1.1-4 leaves)
#        RATE=N (dnsperf -Q: offer at most N queries a second, the same to every target)
#        DNSD=path/to/release/dnsd  NO_INSTALL=1 (skip apt-get)  OUT=bench/results/recurse
#
# Workloads, both on one resolver started afresh for each run:
#   recurse       www.zN.tK. A for every zone, each once: the resolver walks root -> TLD -> SLD
#                 (root and TLD referrals are cached after the first few queries, so nearly
#                 every query costs a TLD referral and an answer from a leaf server)
#   recurse_warm  mail.zN.tK. A right after: new names in zones whose delegation is cached now,
#                 one authoritative query each
# Every resolver keeps its own default for QNAME minimisation (all four minimise by default) and
# validates nothing (no trust anchor, no validator module where it has one); IPv6 is off
# everywhere (the tree has no AAAA glue). The peers only ever ask port 53, so the NSD servers
# listen on port 53 of their own 127.x addresses: run as root, with nothing else on port 53 there.
# The resolver runs on CPU 1, dnsperf and every NSD on CPU 0 (one worker each).
# Loopback only; every process it starts is stopped on exit; each pass is bounded (dnsperf -l 60).
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
WORKERS=1
ZONES=${ZONES:-10000}
RUNS=${RUNS:-3}
ROUNDS=${ROUNDS:-2}
PREFIX=${PREFIX:-127.53}
OUT=${OUT:-$ROOT/bench/results/recurse}
DNSD=${DNSD:-$ROOT/.build-bench/release/dnsd}
TARGETS=${*:-"dnsd unbound kresd pdns"}
declare -A PORT=([dnsd]=5591 [dnsd_defaults]=5590 [dnsd_small]=5589 [unbound]=5592 [pdns]=5594 [kresd]=5596)
source "$ROOT/bench/lib.sh"
bench_init
mkdir -p "$OUT"

if [ -z "${NO_INSTALL:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q unbound knot-resolver pdns-recursor nsd dnsperf \
        dnsutils >/dev/null || { echo "apt-get install failed" >&2; exit 1; }
fi
if [[ " $TARGETS " == *" dnsd"* ]] && [ ! -x "$DNSD" ]; then
    echo "building dnsd (release, scratch path .build-bench)" >&2
    swift build -c release --product dnsd --scratch-path "$ROOT/.build-bench" >&2 || exit 1
fi
# Anything already on port 53 of the wildcard or of the tree's addresses would take the queries.
busy=$(ss -Hlnut 2>/dev/null | awk '{print $5}' | grep -E "^(0\.0\.0\.0|\*|\[::\]|${PREFIX//./\\.}\.[0-9.]+):53$")
if [ -n "$busy" ]; then echo "port 53 already in use: $busy" >&2; exit 1; fi

# --- the tree: one NSD for the root, one for the TLDs, four for the second-level zones -------
python3 bench/gen_hierarchy.py "$WORK" "$ZONES" "$PREFIX"
# serve NAME "ADDRESS..." "ZONE FILE"...: an NSD on port 53 of each address, pinned to the load's
# CPU, with a control socket (nsd-control stats count the queries the resolvers send).
serve() {
    local name=$1 addresses=$2 address zone
    shift 2
    {
        echo "server:"
        for address in $addresses; do echo "    ip-address: $address@53"; done
        cat <<NSD
    do-ip6: no
    username: ""
    chroot: ""
    zonesdir: "$WORK"
    pidfile: "$WORK/$name.pid"
    database: ""
    xfrdfile: "$WORK/$name.xfrd"
    zonelistfile: "$WORK/$name.zonelist"
    server-count: 1
    minimal-responses: yes
    hide-version: yes
    rrl-ratelimit: 0
remote-control:
    control-enable: yes
    control-interface: $WORK/$name.ctl
NSD
        for zone in "$@"; do printf 'zone:\n    name: %s\n    zonefile: %s\n' ${zone}; done
    } > "$WORK/$name.conf"
    taskset -c "$LOAD_CPUS" nsd -d -c "$WORK/$name.conf" >"$WORK/$name.log" 2>&1 &
    PIDS+=($!)
}
serve root "$PREFIX.0.1" ". root.zone"
serve tlds "$PREFIX.0.2 $PREFIX.0.3 $PREFIX.0.4 $PREFIX.0.5" "t1. t1.zone" "t2. t2.zone" "t3. t3.zone" "t4. t4.zone"
for leaf in 0 1 2 3; do
    mapfile -t zones < <(awk '{print $1 " zones/" $1 "zone"}' "$WORK/leaf$leaf.zones")
    serve "leaf$leaf" "$PREFIX.1.$((leaf + 1))" "${zones[@]}"
done
NSDS="root tlds leaf0 leaf1 leaf2 leaf3"
# Each server answers for a zone of its own before the resolvers start (60 s: 5,000 zones load).
for check in "$PREFIX.0.1 ." "$PREFIX.0.2 t1." "$PREFIX.0.5 t4." "$PREFIX.1.1 z0.t1." "$PREFIX.1.2 z1.t2." \
             "$PREFIX.1.3 z2.t3." "$PREFIX.1.4 z3.t4."; do
    set -- $check
    for _ in $(seq 600); do
        dig +norec +short +tries=1 +time=1 @"$1" "$2" SOA 2>/dev/null | grep -q . && break
        sleep 0.1
    done
    dig +norec +short +tries=1 +time=1 @"$1" "$2" SOA | grep -q . \
        || { echo "NSD on $1 does not answer for $2" >&2; cat "$WORK"/*.log >&2; exit 1; }
done
# upstream_queries: the queries all the tree's servers have answered so far.
upstream_queries() {
    local name sum=0 count
    for name in $NSDS; do
        count=$(nsd-control -c "$WORK/$name.conf" stats_noreset 2>/dev/null | awk -F= '$1 == "num.queries" {print $2}')
        sum=$((sum + ${count:-0}))
    done
    echo $sum
}

# --- the resolvers: start_TARGET writes its config, starts it pinned, echoes its PIDs ------
# dnsd: its infrastructure cache sized for the tree (three entries a zone: the cut and its two
# server addresses; four a zone leaves room), as the peers' caches are sized above their
# defaults; dnsd_defaults: the shipped 100,000 entries; dnsd_small: 10,000, which hold about
# 3,300 of the zones, so the cache evicts cuts and glue all along.
start_dnsd() { start_dnsd_with dnsd ", infrastructure_cache_size: $((ZONES * 4))"; }
start_dnsd_defaults() { start_dnsd_with dnsd_defaults ""; }
start_dnsd_small() { start_dnsd_with dnsd_small ", infrastructure_cache_size: 10000"; }
start_dnsd_with() {   # NAME EXTRA_RECURSE_KEYS
    cat > "$WORK/$1.yaml" <<CONF
listen: [udp://127.0.0.1:${PORT[$1]}, tcp://127.0.0.1:${PORT[$1]}]
threads: 1
control: {socket: $WORK/$1.ctl}
servers:
  - zones: [.]
    plugins:
      - cache: {max_entries: 300000, max_bytes: 256MiB}
      - recurse: {hints: $WORK/root.hints, ipv6: false, dnssec: off$2}
CONF
    taskset -c "$RES_CPUS" "$DNSD" --config "$WORK/$1.yaml" >"$WORK/$1.log" 2>&1 &
    echo $!
}
start_unbound() {
    start_unbound_resolver "${PORT[unbound]}" "    do-ip6: no
    root-hints: \"$WORK/root.hints\""
}
start_pdns() { start_pdns_recursor "${PORT[pdns]}" "hint-file=$WORK/root.hints"; }
start_kresd() {
    rm -rf /dev/shm/dnsd-bench-kresd; mkdir -p /dev/shm/dnsd-bench-kresd "$WORK/kresd"
    # No trust anchor (so no validation and no RFC 5011 updates) and no time-skew probe of the
    # root; the root hints are the tree's, through the hints module. ALLOW_LOCAL: kresd ignores
    # glue pointing into 127/8 unless a request carries that flag.
    cat > "$WORK/kresd.conf" <<CONF
net.listen('127.0.0.1', ${PORT[kresd]}, { kind = 'dns' })
net.ipv6 = false
trust_anchors.remove('.')
modules.unload('ta_update')
modules.unload('detect_time_skew')
modules.load('hints > iterate')
hints.root_file('$WORK/root.hints')
policy.add(policy.all(policy.FLAGS({'ALLOW_LOCAL'})))
cache.open(512 * MB, 'lmdb:///dev/shm/dnsd-bench-kresd')
CONF
    taskset -c "$RES_CPUS" kresd -n -c "$WORK/kresd.conf" "$WORK/kresd" >"$WORK/kresd.log" 2>&1 &
    echo $!
}
# wait_resolver PORT: until the resolver answers anything on PORT (10 s). The query has RD clear
# and a name outside the tree, so it warms nothing.
wait_resolver() {
    for _ in $(seq 100); do
        dig +norec +tries=1 +time=1 -p "$1" @127.0.0.1 ready.invalid. A >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

HZ=$(getconf CLK_TCK)
RESULTS="$OUT/results.tsv"
results_header "$RESULTS" "$OUT/runs.tsv"

# run_once TARGET ROUND RUN: a fresh resolver, the cold pass then the warm one; a row per pass in
# $WORK/rows-TARGET-WORKLOAD.tsv, the raw dnsperf output (with the answers' RCODEs and the
# queries the tree answered) in $OUT/TARGET-WORKLOAD-ROUND.RUN.txt.
run_once() {
    local target=$1 round=$2 run=$3 workload
    local pids; pids=$(start_$target)
    # shellcheck disable=SC2206
    local pidlist=($pids)
    PIDS+=("${pidlist[@]}")
    if ! wait_resolver "${PORT[$target]}"; then
        echo "$target did not answer on port ${PORT[$target]}" >&2; cat "$WORK/$target.log" >&2
        stop_pids "${pidlist[@]}"
        for workload in recurse recurse_warm; do
            printf '%s\t1\t%s\t%s\tFAILED\n' "$target" "$workload" "$round" >> "$WORK/rows-$target-$workload.tsv"
        done
        return
    fi
    for workload in recurse recurse_warm; do
        local file=$WORK/cold.txt; [ "$workload" = recurse_warm ] && file=$WORK/warm.txt
        local raw="$OUT/$target-$workload-$round.$run.txt"
        local load1; load1=$(cut -d' ' -f1 /proc/loadavg)
        local upstream0; upstream0=$(upstream_queries)
        local before; before=$(cputicks "${pidlist[@]}")
        taskset -c "$LOAD_CPUS" timeout 90 dnsperf -s 127.0.0.1 -p "${PORT[$target]}" -d "$file" -n 1 -l 60 \
            -c 1 -T 1 -q 100 -t 5 ${RATE:+-Q "$RATE"} -v > "$WORK/verbose.txt" 2>&1
        local after; after=$(cputicks "${pidlist[@]}")
        local upstream1; upstream1=$(upstream_queries)
        local rss; rss=$(rss_kb "${pidlist[@]}")
        grep -v '^> ' "$WORK/verbose.txt" > "$raw"
        echo "# answers by RCODE: $(grep '^> ' "$WORK/verbose.txt" | awk '{print $2}' | sort | uniq -c | xargs)" >> "$raw"
        echo "# queries the tree answered: $((upstream1 - upstream0)) for $(grep -c . "$file") client queries" >> "$raw"
        tail -2 "$raw" >&2
        # A resolver that fails fast would look fast: a run with under 99% NOERROR answers is FAILED.
        local good; good=$(grep -c '^> NOERROR ' "$WORK/verbose.txt")
        if [ $((good * 100)) -lt $(($(grep -c . "$file") * 99)) ]; then
            echo "$target: only $good NOERROR answers in $workload, run $round.$run counted as FAILED" >&2
            printf '%s\t1\t%s\t%s\tFAILED\n' "$target" "$workload" "$round" >> "$WORK/rows-$target-$workload.tsv"
            continue
        fi
        python3 bench/summarize.py "$target" 1 "$workload" "$round" "$WORK/verbose.txt" \
            "$((after - before))" "$HZ" "$rss" "$load1" | tee -a "$WORK/rows-$target-$workload.tsv" >&2
    done
    stop_pids "${pidlist[@]}"
}

# targets_from SHIFT: the targets rotated by SHIFT places, so that none is always measured first.
targets_from() {
    # shellcheck disable=SC2206
    local list=($TARGETS)
    local shift=$(( $1 % ${#list[@]} ))
    echo "${list[@]:shift}" "${list[@]:0:shift}"
}

# One run thrown away first: the tree's servers and the machine settle (as in bench/run.sh).
first=$(targets_from 0 | cut -d' ' -f1)
run_once "$first" 0 discarded 2>/dev/null
rm -f "$OUT/$first"-recurse*-0.discarded.txt "$WORK"/rows-*.tsv

for round in $(seq "$ROUNDS"); do
    for run in $(seq "$RUNS"); do
        for target in $(targets_from $((round + run - 2))); do run_once "$target" "$round" "$run"; done
    done
    for target in $TARGETS; do
        for workload in recurse recurse_warm; do
            cat "$WORK/rows-$target-$workload.tsv" >> "$OUT/runs.tsv"
            median_row "$WORK/rows-$target-$workload.tsv" 6 >> "$RESULTS"
            rm -f "$WORK/rows-$target-$workload.tsv"
        done
    done
done
python3 bench/table.py "$RESULTS"
echo
python3 bench/versus.py --each "$RESULTS"
