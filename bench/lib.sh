# Shared by bench/run.sh and bench/tls-reload.sh (sourced, not run). Expects ROOT (the
# repository) and WORKERS to be set; sets WORK, PIDS, RES_CPUS/LOAD_CPUS and the EXIT trap.
#
# bench_init                 temp dir, CPU sets, a trap that stops everything in PIDS on exit
# start_nsd                  NSD on 127.0.0.1:$NSD_PORT with the 100k-name zone (bench/gen.py)
# make_cert NAME             a self-signed EC P-256 certificate: $WORK/NAME.cert.pem, NAME.key.pem
# dnsd_config FILE UDP [TLS] dnsd's YAML: cache (its defaults: serve-stale 1d, prefetch on; more
# keys in DNSD_CACHE) + forward to NSD, control socket FILE.ctl,
#                            with TLS a tls:// listener serving $WORK/cert.pem + key.pem
# wait_port PORT NAME        until a UDP query to 127.0.0.1:PORT is answered (10 s)
# wait_dot PORT NAME         until a DoT query to 127.0.0.1:PORT is answered (10 s)
# cputicks PID...            utime+stime (clock ticks) summed over the PIDs
# rss_kb PID...              VmRSS summed over the PIDs
# cpu_ticks CPUS             "idle total" clock ticks of CPUS ("0" or "0-1") from /proc/stat
# load_idle I0 T0 I1 T1      percent idle between two cpu_ticks readings
# median_row ROWS [COLUMN]   the row of ROWS (results.tsv lines of one cell's runs) with the median
#                            value in COLUMN (default 5, QPS), or its first FAILED line
# stop_pids PID...           SIGTERM, up to 5 s to exit, then SIGKILL
# results_header FILE...    the results.tsv header line (summarize.py's columns) into each FILE not there yet
# start_unbound_resolver PORT LINES  Unbound on 127.0.0.1:PORT pinned to RES_CPUS, WORKERS threads,
#                            the iterator only (no validator), loopback clients and servers allowed,
#                            big caches, plus LINES (more server: keys, then other sections); echoes its PID
# start_pdns_recursor PORT LINES  PowerDNS Recursor on 127.0.0.1:PORT pinned to RES_CPUS, WORKERS
#                            threads, no DNSSEC, loopback clients and servers allowed, big caches,
#                            plus LINES (where to send queries); echoes its PID

NSD_PORT=${NSD_PORT:-5390}

bench_init() {
    WORK=$(mktemp -d /tmp/dnsd-bench.XXXXXX)
    if [ "$WORKERS" = 1 ]; then RES_CPUS=1; LOAD_CPUS=0; else RES_CPUS=0-1; LOAD_CPUS=0-1; fi
    PIDS=()
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}

bench_cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    sleep 0.5
    for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null; done
    rm -rf "$WORK" /dev/shm/dnsd-bench-kresd
}

wait_port() {   # PORT NAME: until something answers on 127.0.0.1:PORT (10 s)
    for _ in $(seq 100); do
        if dig +tries=1 +time=1 -p "$1" @127.0.0.1 n1.bench.test A >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    echo "$2 did not answer on port $1" >&2; return 1
}

wait_dot() {    # PORT NAME: until a DoT query to 127.0.0.1:PORT gets an answer (10 s)
    for _ in $(seq 50); do
        if kdig +tls +retry=0 +timeout=1 -p "$1" @127.0.0.1 n1.bench.test A 2>/dev/null | grep -q 'status: NOERROR'; then
            return 0
        fi
        sleep 0.2
    done
    echo "$2 did not answer DoT on port $1" >&2; return 1
}

make_cert() {   # NAME: self-signed EC P-256 for bench.test and 127.0.0.1, valid 2 days
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -subj "/CN=bench.test" -addext "subjectAltName=DNS:bench.test,IP:127.0.0.1" \
        -keyout "$WORK/$1.key.pem" -out "$WORK/$1.cert.pem" >/dev/null 2>&1 \
        || { echo "openssl could not make a certificate" >&2; return 1; }
}

start_nsd() {
    python3 "$ROOT/bench/gen.py" "$WORK"
    cat > "$WORK/nsd.conf" <<NSD
server:
    ip-address: 127.0.0.1@$NSD_PORT
    port: $NSD_PORT
    username: ""
    chroot: ""
    zonesdir: "$WORK"
    pidfile: "$WORK/nsd.pid"
    database: ""
    xfrdfile: "$WORK/xfrd.state"
    zonelistfile: "$WORK/zone.list"
    server-count: 1
    minimal-responses: yes
    rrl-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: bench.test.
    zonefile: "$WORK/bench.test.zone"
NSD
    taskset -c "$LOAD_CPUS" nsd -d -c "$WORK/nsd.conf" >"$WORK/nsd.log" 2>&1 &
    PIDS+=($!)
    wait_port "$NSD_PORT" nsd || { cat "$WORK/nsd.log" >&2; return 1; }
}

# The control socket is always in WORK: the per-user default may belong to another dnsd
# (a second dnsd refuses to start on a socket a live one answers on).
dnsd_config() { # FILE UDP_PORT [TLS_PORT]
    local listen="udp://127.0.0.1:$2, tcp://127.0.0.1:$2"
    [ -n "${3:-}" ] && listen="$listen, tls://127.0.0.1:$3"
    {
        echo "listen: [$listen]"
        echo "threads: $WORKERS"
        echo "control: {socket: $1.ctl}"
        if [ -n "${3:-}" ]; then
            echo "tls:"
            echo "  - {name: bench, cert: $WORK/cert.pem, key: $WORK/key.pem}"
        fi
        cat <<CONF
servers:
  - zones: [.]
    plugins:
      - cache: {max_entries: 300000, max_bytes: 256MiB${DNSD_CACHE:+, $DNSD_CACHE}}
      - forward: {to: [udp://127.0.0.1:$NSD_PORT]}
CONF
    } > "$1"
}

cputicks() {   # sum of utime+stime (clock ticks) over the PIDs
    local sum=0 pid
    for pid in "$@"; do
        local stat; stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        stat=${stat##*) }
        set -- $stat
        sum=$((sum + ${12} + ${13}))
    done
    echo $sum
}

cpu_ticks() {  # CPUS: idle (with iowait) and total ticks, to tell whether the load's cores were saturated
    awk -v first="${1%-*}" -v last="${1#*-}" '
        $1 ~ /^cpu[0-9]+$/ { n = substr($1, 4) + 0
            if (n >= first && n <= last) { idle += $5 + $6; for (i = 2; i <= 9; i++) total += $i } }
        END { print idle, total }' /proc/stat
}

load_idle() { awk -v i="$(($3 - $1))" -v t="$(($4 - $2))" 'BEGIN { printf "%.1f", (t > 0 ? 100 * i / t : 0) }'; }

rss_kb() { local sum=0 pid; for pid in "$@"; do sum=$((sum + $(awk '/VmRSS/{print $2}' /proc/$pid/status 2>/dev/null || echo 0))); done; echo $sum; }

median_row() {
    local ok; ok=$(grep -v -e FAILED -e UNSUPPORTED "$1")
    if [ -z "$ok" ]; then head -1 "$1"; return; fi
    echo "$ok" | sort -t$'\t' -k"${2:-5},${2:-5}n" | awk -v n="$(echo "$ok" | wc -l)" 'NR == int((n + 1) / 2)'
}

stop_pids() {
    local pid
    for pid in "$@"; do kill "$pid" 2>/dev/null; done
    for pid in "$@"; do
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null
    done
}

start_pdns_recursor() {
    mkdir -p "$WORK/pdns"
    cat > "$WORK/pdns/recursor.conf" <<CONF
local-address=127.0.0.1
local-port=$1
threads=$WORKERS
reuseport=yes
pdns-distributes-queries=no
$2
dont-query=
dnssec=off
allow-from=127.0.0.0/8
max-cache-entries=1000000
max-packetcache-entries=1000000
security-poll-suffix=
socket-dir=$WORK/pdns
daemon=no
quiet=yes
CONF
    taskset -c "$RES_CPUS" pdns_recursor --config-dir="$WORK/pdns" >"$WORK/pdns.log" 2>&1 &
    echo $!
}

results_header() {
    local file
    for file in "$@"; do
        [ -f "$file" ] || printf 'target\tworkers\tworkload\tround\tqps\tq_per_cpu_s\tp50_ms\tp99_ms\tlost\tsent\trss_kb\tload1\n' > "$file"
    done
}

start_unbound_resolver() {
    cat > "$WORK/unbound.conf" <<CONF
remote-control:
    control-enable: no
server:
    interface: 127.0.0.1@$1
    port: $1
    num-threads: $WORKERS
    so-reuseport: yes
    username: ""
    chroot: ""
    directory: "$WORK"
    pidfile: ""
    use-syslog: no
    verbosity: 0
    access-control: 127.0.0.0/8 allow
    do-not-query-localhost: no
    module-config: "iterator"
    msg-cache-size: 128m
    rrset-cache-size: 256m
    num-queries-per-thread: 4096
    outgoing-range: 8192
$2
CONF
    taskset -c "$RES_CPUS" unbound -d -c "$WORK/unbound.conf" >"$WORK/unbound.log" 2>&1 &
    echo $!
}
