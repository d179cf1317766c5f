#!/usr/bin/python3
"""Prints dnsd against the best peer of each round, from one or more results.tsv files.

usage: bench/versus.py RESULTS.tsv... [--target dnsd] [--each]

For every (workers, workload, round) cell: dnsd's queries per CPU-second against the peer
with the most (for `miss`: QPS against the peer with the most QPS), the ratio, and the p99s
(dnsd's, and the lowest of the peers'). dnsd's variants (dnsd_norelay, dnsd_nopc) are not
peers. Files are numbered in the order given, so rounds of two runs stay apart. With --each,
a line for every peer rather than only the best.
"""
import csv
import sys


def rows(path):
    with open(path) as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["qps"] not in ("FAILED", "UNSUPPORTED"):
                yield row


def main(arguments):
    target = "dnsd"
    each = "--each" in arguments
    if each:
        arguments.remove("--each")
    if "--target" in arguments:
        index = arguments.index("--target")
        target = arguments[index + 1]
        del arguments[index:index + 2]
    print(f"| run | workers | workload | round | dnsd | {'peer' if each else 'best peer'} | ratio | p99 dnsd / lowest peer |")
    print("|---|---|---|---|---|---|---|---|")
    for run, path in enumerate(arguments, start=1):
        cells = {}
        for row in rows(path):
            cells.setdefault((row["workers"], row["workload"], row["round"]), []).append(row)
        for (workers, workload, round_), members in cells.items():
            ours = [row for row in members if row["target"] == target]
            peers = [row for row in members if row["target"] != target and not row["target"].startswith(target + "_")]
            if not ours or not peers:
                continue
            figure = "qps" if workload == "miss" else "q_per_cpu_s"
            mine = float(ours[0][figure])
            lowest = min(peers, key=lambda row: float(row["p99_ms"]))
            shown = sorted(peers, key=lambda row: -float(row[figure]))
            for other in shown if each else shown[:1]:
                print(f"| {run} | {workers} | {workload} | {round_} | {mine / 1000:.1f}k | "
                      f"{other['target']} {float(other[figure]) / 1000:.1f}k | {mine / float(other[figure]):.2f}x | "
                      f"{float(ours[0]['p99_ms']):.3f} / {lowest['target']} {float(lowest['p99_ms']):.3f} |")


if __name__ == "__main__":
    main(sys.argv[1:])
