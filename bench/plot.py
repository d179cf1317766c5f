#!/usr/bin/python3
"""Draws the benchmark charts from the bench's own results (results.tsv of bench/run.sh).

usage: bench/plot.py OUTDIR RESULTS.tsv...

For every worker count in the files it writes:
  throughput-wN.png  queries per CPU-second per target and workload (mean of the rounds,
                     the spread of the rounds as an error bar); for `miss`, QPS
  latency-wN.png     p50 and p99 (ms) per target and workload (mean of the rounds)
Needs matplotlib (Debian: python3-matplotlib). Cells that failed or that a target does not
serve are left out.
"""
import csv
import os
import statistics
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

WORKLOADS = ["hit", "mix", "miss", "tls"]
COLOURS = {"dnsd": "#1f6feb", "dnsd_guarded": "#0b3d91", "dnsd_open": "#6ea8fe", "dnsdist": "#7f7f7f",
           "unbound": "#9467bd", "kresd": "#2ca02c", "pdns": "#d62728", "dnsmasq": "#ff7f0e"}


def load(paths):
    cells = defaultdict(list)
    for path in paths:
        with open(path) as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                if row["qps"] in ("FAILED", "UNSUPPORTED"):
                    continue
                cells[(row["workers"], row["workload"], row["target"])].append(row)
    return cells


def targets_in(cells, workers):
    found = {target for (w, _, target) in cells if w == workers}
    dnsd = sorted(t for t in found if t.startswith("dnsd"))
    return dnsd + sorted(found - set(dnsd))


def bars(axis, cells, workers, targets, workloads, value, label):
    width = 0.8 / max(1, len(targets))
    for index, target in enumerate(targets):
        means, spreads = [], []
        for workload in workloads:
            rows = cells.get((workers, workload, target), [])
            values = [value(row, workload) for row in rows]
            means.append(statistics.mean(values) if values else 0)
            spreads.append((max(values) - min(values)) / 2 if len(values) > 1 else 0)
        positions = [w + (index - (len(targets) - 1) / 2) * width for w in range(len(workloads))]
        axis.bar(positions, means, width, yerr=spreads, label=target, color=COLOURS.get(target), capsize=2)
    axis.set_xticks(range(len(workloads)))
    axis.set_xticklabels(workloads)
    axis.set_ylabel(label)
    axis.legend(fontsize=8, ncol=2)
    axis.grid(axis="y", alpha=0.3)


def main(outdir, paths):
    cells = load(paths)
    os.makedirs(outdir, exist_ok=True)
    for workers in sorted({w for (w, _, _) in cells}):
        targets = targets_in(cells, workers)
        workloads = [w for w in WORKLOADS if any(k[0] == workers and k[1] == w for k in cells)]

        figure, axis = plt.subplots(figsize=(9, 4.5))
        throughput = lambda row, workload: int(row["qps"] if workload == "miss" else row["q_per_cpu_s"]) / 1000
        bars(axis, cells, workers, targets, workloads, throughput, "thousand queries per CPU-second (miss: QPS)")
        axis.set_title(f"{workers} worker{'s' if workers != '1' else ''}: throughput (higher is better)")
        figure.tight_layout()
        figure.savefig(os.path.join(outdir, f"throughput-w{workers}.png"), dpi=110)
        plt.close(figure)

        figure, axes = plt.subplots(1, 2, figsize=(11, 4.5))
        for axis, (field, title) in zip(axes, [("p50_ms", "p50"), ("p99_ms", "p99")]):
            bars(axis, cells, workers, targets, workloads, lambda row, _: float(row[field]), f"{title} latency, ms")
            axis.set_title(f"{workers} worker{'s' if workers != '1' else ''}: {title} (lower is better)")
        figure.tight_layout()
        figure.savefig(os.path.join(outdir, f"latency-w{workers}.png"), dpi=110)
        plt.close(figure)
        print(f"wrote {outdir}/throughput-w{workers}.png and latency-w{workers}.png")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1], sys.argv[2:])
