#!/usr/bin/python3
"""Writes the bench inputs into DIR: the NSD zone of 100k names and the dnsperf query files.

hit.txt  : 1,000 names (n0..n999), each once; dnsperf loops over it.
mix.txt  : 1,000,000 queries, Zipf-like (s = 1) popularity over the 100k names, 5% NXDOMAIN
           (names that do not exist, drawn from 20k absent names so that some repeat).
miss.txt : each of the 100k names once, shuffled (the forward path when the cache is cold).
"""
import random
import sys
import bisect
import itertools

NAMES = 100_000
ZONE = "bench.test."

def main(directory):
    rng = random.Random(7)
    with open(f"{directory}/bench.test.zone", "w") as zone:
        zone.write(f"$ORIGIN {ZONE}\n$TTL 86400\n")
        zone.write("@ IN SOA ns hostmaster 1 3600 600 86400 3600\n@ IN NS ns\nns IN A 127.0.0.1\n")
        for i in range(NAMES):
            zone.write(f"n{i} IN A 10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}\n")
    with open(f"{directory}/hit.txt", "w") as out:
        for i in range(1000):
            out.write(f"n{i}.{ZONE} A\n")
    names = list(range(NAMES))
    rng.shuffle(names)
    with open(f"{directory}/miss.txt", "w") as out:
        for i in names:
            out.write(f"n{i}.{ZONE} A\n")
    # Zipf weights 1/rank over a shuffled ranking of the names.
    cumulative = list(itertools.accumulate(1.0 / rank for rank in range(1, NAMES + 1)))
    total = cumulative[-1]
    with open(f"{directory}/mix.txt", "w") as out:
        for _ in range(1_000_000):
            if rng.random() < 0.05:
                out.write(f"x{rng.randrange(20_000)}.{ZONE} A\n")
            else:
                rank = bisect.bisect_left(cumulative, rng.random() * total)
                out.write(f"n{names[min(rank, NAMES - 1)]}.{ZONE} A\n")

if __name__ == "__main__":
    main(sys.argv[1])
