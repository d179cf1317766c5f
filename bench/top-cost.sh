#!/usr/bin/env bash
# What the summaries behind queries.top cost under load: dnsd's CPU time (from /proc) against
# stats.get top.cpu_ms, for hits and the Zipf mix at a fixed rate (dnsperf -Q), one worker.
# env: DNSD (release dnsd; dnsctl beside it), RATE (default 30000), SECONDS_PER (default 15)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd); WORKERS=1
DNSD=${DNSD:-$ROOT/.build/release/dnsd}; DNSCTL=${DNSCTL:-$(dirname "$DNSD")/dnsctl}
source "$ROOT/bench/lib.sh"
bench_init
start_nsd
dnsd_config "$WORK/dnsd.yaml" 5391
"$DNSD" --config "$WORK/dnsd.yaml" > "$WORK/dnsd.log" 2>&1 &
DPID=$!; PIDS+=($DPID)
wait_port 5391 dnsd
for workload in hit mix; do
  dnsperf -s 127.0.0.1 -p 5391 -d "$WORK/$workload.txt" -l 3 -Q 20000 > /dev/null 2>&1   # warm
  before=$(cputicks $DPID); tb=$("$DNSCTL" --socket "$WORK/dnsd.yaml.ctl" --json stats.get top)
  dnsperf -s 127.0.0.1 -p 5391 -d "$WORK/$workload.txt" -l ${SECONDS_PER:-15} -Q ${RATE:-30000} > "$WORK/$workload.out" 2>&1
  after=$(cputicks $DPID); ta=$("$DNSCTL" --socket "$WORK/dnsd.yaml.ctl" --json stats.get top)
  sent=$(grep "Queries completed" "$WORK/$workload.out" | awk '{print $3}')
  python3 - "$workload" "$before" "$after" "$tb" "$ta" "$sent" <<'PY'
import json,sys,os
w,b,a,tb,ta,sent=sys.argv[1],int(sys.argv[2]),int(sys.argv[3]),json.loads(sys.argv[4]),json.loads(sys.argv[5]),int(sys.argv[6])
hz=os.sysconf('SC_CLK_TCK'); cpu_ms=(a-b)*1000/hz; top_ms=ta['top.cpu_ms']-tb['top.cpu_ms']; counted=ta['top.counted']-tb['top.counted']
print(f"{w}: answered {sent}, dnsd CPU {cpu_ms:.0f} ms, summaries {top_ms} ms ({100*top_ms/cpu_ms:.1f}%), counted {counted}, missed {ta['top.missed']}, {1e6*top_ms/max(1,counted):.0f} ns per query")
PY
done
