#!/usr/bin/python3
"""Prints results.tsv as a Markdown table: per target, workers and workload, the best of the
rounds by queries per CPU-second, with the other round's figure beside it (the spread)."""
import sys
from collections import defaultdict

def main(path):
    cells = defaultdict(list)
    failed = set()
    unsupported = set()
    with open(path) as results:
        header = results.readline().rstrip("\n").split("\t")
        for line in results:
            row = dict(zip(header, line.rstrip("\n").split("\t")))
            key = (row["target"], row["workers"], row["workload"])
            if row.get("qps") == "FAILED":
                failed.add(key)
                continue
            if row.get("qps") == "UNSUPPORTED":
                unsupported.add(key)
                continue
            cells[key].append(row)
    print("| target | workers | workload | QPS | queries/CPU-s (rounds) | p50 ms | p99 ms | lost | RSS MiB |")
    print("|---|---|---|---|---|---|---|---|---|")
    order = {"hit": 0, "mix": 1, "miss": 2, "tls": 3, "tcp": 4}
    for key in sorted(cells, key=lambda k: (k[1], order.get(k[2], 9), -max(int(r["q_per_cpu_s"]) for r in cells[k]))):
        rows = sorted(cells[key], key=lambda r: -int(r["q_per_cpu_s"]))
        best = rows[0]
        rounds = " / ".join(f"{int(r['q_per_cpu_s']) / 1000:.0f}k" for r in rows)
        print(f"| {key[0]} | {key[1]} | {key[2]} | {int(best['qps']) / 1000:.0f}k | {rounds} | {best['p50_ms']} | "
              f"{best['p99_ms']} | {best['lost']} | {int(best['rss_kb']) / 1024:.0f} |")
    for key in sorted(failed - set(cells)):
        print(f"| {key[0]} | {key[1]} | {key[2]} | failed (did not start, or under 99% NOERROR answers; see the log) | | | | | |")
    for key in sorted(unsupported):
        print(f"| {key[0]} | {key[1]} | {key[2]} | not served by this target | | | | | |")

if __name__ == "__main__":
    main(sys.argv[1])
