#!/usr/bin/python3
"""One results.tsv row from a dnsperf -v transcript.

argv: target workers workload round transcript cpu_ticks hz rss_kb load1
Latencies come from the per-response lines ("> RCODE NAME TYPE SECONDS"; dnsperf 2.10 prints
no percentiles); QPS, sent and lost from its summary.
"""
import re
import sys

def main(target, workers, workload, rnd, path, ticks, hz, rss, load1):
    histogram = {}  # latency in microseconds -> count
    summary = {}
    with open(path, errors="replace") as transcript:
        for line in transcript:
            if line.startswith("> "):
                try:
                    micros = int(float(line.rsplit(None, 1)[1]) * 1e6)
                except ValueError:
                    continue
                histogram[micros] = histogram.get(micros, 0) + 1
                continue
            match = re.match(r"\s*(Queries sent|Queries completed|Queries lost|Queries per second|Run time \(s\)):\s*([\d.]+)", line)
            if match:
                summary[match.group(1)] = float(match.group(2))
    count = sum(histogram.values())

    def percentile(p):
        if not count:
            return float("nan")
        rank, seen = p * count, 0
        for micros in sorted(histogram):
            seen += histogram[micros]
            if seen >= rank:
                return micros / 1000.0
        return float("nan")

    completed = summary.get("Queries completed", 0.0)
    cpu_seconds = int(ticks) / int(hz)
    per_cpu = completed / cpu_seconds if cpu_seconds > 0 else float("nan")
    print("\t".join([target, workers, workload, rnd, f"{summary.get('Queries per second', 0):.0f}", f"{per_cpu:.0f}",
                     f"{percentile(0.5):.3f}", f"{percentile(0.99):.3f}", f"{summary.get('Queries lost', 0):.0f}",
                     f"{summary.get('Queries sent', 0):.0f}", rss, load1]))

if __name__ == "__main__":
    main(*sys.argv[1:])
