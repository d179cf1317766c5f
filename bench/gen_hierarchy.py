#!/usr/bin/python3
"""Writes a DNS tree for the recursion bench into DIR (bench/recurse.sh serves it with NSD).

usage: gen_hierarchy.py DIR ZONES PREFIX

  root      PREFIX.0.1          the root zone, delegating the TLDs t1. .. t4.
  TLDs      PREFIX.0.2 .. 0.5   one address per TLD, one NSD process for all four
  leaves    PREFIX.1.1 .. 1.4   ZONES second-level zones zN.tK. (K = N mod 4 + 1), each with two
                                name servers with glue: ns1 on leaf N mod 4, ns2 on leaf N+1 mod 4,
                                so every leaf NSD serves ZONES / 2 zones

Files: root.zone, t1..t4.zone, zones/zN.tK.zone (one file, read by both of the zone's leaves),
leafL.zones (the zone names of leaf L), root.hints (named.root format, one root server), and the
dnsperf query files cold.txt (www.zN.tK. A for every zone, shuffled: each query in a zone not seen before, so a
cold resolver walks TLD -> SLD for each; the TLD referrals come from the root once) and
warm.txt (mail.zN.tK. A, shuffled again: new names in zones whose delegation is now cached,
one authoritative query each).
"""
import os
import random
import sys

TLDS = 4
LEAVES = 4
SOA = "@ 3600 IN SOA ns1 hostmaster 1 3600 900 604800 300\n"


def main(directory, zones, prefix):
    zones = int(zones)
    rng = random.Random(30)
    root_address = f"{prefix}.0.1"
    with open(f"{directory}/root.hints", "w") as hints:
        hints.write(f".                   3600000 IN NS a.root-servers.net.\n"
                    f"a.root-servers.net. 3600000 IN A  {root_address}\n")
    with open(f"{directory}/root.zone", "w") as root:
        root.write("$ORIGIN .\n$TTL 86400\n"
                   ". IN SOA a.root-servers.net. hostmaster.root. 1 1800 900 604800 86400\n"
                   f". IN NS a.root-servers.net.\na.root-servers.net. IN A {root_address}\n")
        for tld in range(1, TLDS + 1):
            root.write(f"t{tld}. IN NS ns.t{tld}.\nns.t{tld}. IN A {prefix}.0.{tld + 1}\n")
    tld_files = [open(f"{directory}/t{tld}.zone", "w") for tld in range(1, TLDS + 1)]
    for tld, handle in enumerate(tld_files, start=1):
        handle.write(f"$ORIGIN t{tld}.\n$TTL 86400\n{SOA.replace('ns1', 'ns')}@ IN NS ns\n"
                     f"ns IN A {prefix}.0.{tld + 1}\n")
    leaf_lists = [[] for _ in range(LEAVES)]
    os.makedirs(f"{directory}/zones", exist_ok=True)
    for n in range(zones):
        tld = n % TLDS + 1
        name = f"z{n}.t{tld}."
        first, second = n % LEAVES, (n + 1) % LEAVES
        tld_files[tld - 1].write(f"z{n} IN NS ns1.z{n}\nz{n} IN NS ns2.z{n}\n"
                                 f"ns1.z{n} IN A {prefix}.1.{first + 1}\nns2.z{n} IN A {prefix}.1.{second + 1}\n")
        text = (f"$ORIGIN {name}\n$TTL 3600\n{SOA}@ IN NS ns1\n@ IN NS ns2\n"
                f"ns1 IN A {prefix}.1.{first + 1}\nns2 IN A {prefix}.1.{second + 1}\n"
                f"www IN A 192.0.2.{n % 250 + 1}\nmail IN A 198.51.100.{n % 250 + 1}\n"
                f"@ IN MX 10 mail\n@ IN TXT \"zone {n}\"\n")
        with open(f"{directory}/zones/{name}zone", "w") as handle:
            handle.write(text)
        leaf_lists[first].append(name)
        leaf_lists[second].append(name)
    for handle in tld_files:
        handle.close()
    for leaf, names in enumerate(leaf_lists):
        with open(f"{directory}/leaf{leaf}.zones", "w") as handle:
            handle.write("".join(f"{name}\n" for name in names))
    for file, label in (("cold.txt", "www"), ("warm.txt", "mail")):
        order = list(range(zones))
        rng.shuffle(order)
        with open(f"{directory}/{file}", "w") as out:
            out.write("".join(f"{label}.z{n}.t{n % TLDS + 1}. A\n" for n in order))


if __name__ == "__main__":
    main(*sys.argv[1:])
