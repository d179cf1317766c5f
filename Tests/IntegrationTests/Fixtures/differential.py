#!/usr/bin/python3
"""Differential test: ask two authoritative servers the same questions and compare the answers.

Usage: differential.py HOST:PORT HOST:PORT ZONEFILE

Both servers must serve ZONEFILE (the first is usually dnsd, the second NSD). Every case in
CASES is sent to both over UDP and TCP, with and without EDNS, and the two responses are
compared: rcode, the AA/TC/RD/RA flags, EDNS presence/version/payload, and each section as a
set of (owner name lower-cased, TTL, class, type, rdata text). Sections are compared as sets
because RFC 1035 gives no order inside a section and servers differ in it.

One thing is not compared strictly: in an authoritative answer (AA set), A/AAAA records in
the additional section for names that the answer's NS, MX or SRV records point at. Adding them
is optional (RFC 1035 section 4.3.2 step 6, RFC 2181 section 5.4.1) and servers differ on it
(NSD's minimal-responses omits them), so they are set aside on both sides before comparing.
Referral glue (AA clear) is always compared.

Prints every difference, then "N passed, M failed"; exits 1 when anything differs or a server
did not answer, 0 when all cases match, 2 on bad usage.
"""

import sys

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.zone

TIMEOUT = 3.0

# (qname relative to the origin, or absolute when ending in '.', qtype, what it exercises)
CASES = [
    ("@", "SOA", "apex SOA"),
    ("@", "NS", "apex NS"),
    ("@", "A", "apex A"),
    ("@", "AAAA", "apex AAAA"),
    ("@", "MX", "apex MX"),
    ("@", "TXT", "apex TXT"),
    ("@", "CAA", "apex CAA"),
    ("@", "SRV", "NODATA at the apex"),
    ("www", "A", "existing name"),
    ("www", "AAAA", "existing name, second type"),
    ("www", "MX", "NODATA"),
    ("ns1", "AAAA", "in-zone name server address"),
    ("ns2", "AAAA", "NODATA next to data with another TTL"),
    ("mail", "A", "MX target"),
    ("host", "HINFO", "HINFO"),
    ("_sip._tcp", "SRV", "SRV"),
    ("_tcp", "A", "empty non-terminal above SRV"),
    ("nope", "A", "NXDOMAIN"),
    ("deep.nope", "TXT", "NXDOMAIN two labels down"),
    ("alias", "A", "CNAME chain of two in-zone links"),
    ("alias", "AAAA", "CNAME chain, other type"),
    ("alias", "MX", "CNAME chain ending in NODATA"),
    ("alias", "CNAME", "CNAME asked for itself"),
    ("alias2", "A", "CNAME chain of one link"),
    ("outside", "A", "CNAME to a name outside the zone"),
    ("foo.wild", "A", "wildcard match"),
    ("foo.wild", "TXT", "wildcard match, other type"),
    ("foo.wild", "AAAA", "wildcard NODATA"),
    ("a.b.wild", "A", "wildcard match two labels down"),
    ("wild", "A", "empty non-terminal made by a wildcard"),
    ("b.ent", "A", "empty non-terminal blocks the wildcard above it"),
    ("ent", "A", "empty non-terminal holding a wildcard"),
    ("x.ent", "A", "wildcard next to an empty non-terminal"),
    ("x.b.ent", "A", "below an empty non-terminal: NXDOMAIN, no wildcard"),
    ("a.b.ent", "A", "name below an empty non-terminal"),
    ("sub", "NS", "referral at the cut"),
    ("sub", "A", "referral at the cut, other type"),
    ("www.sub", "A", "referral below the cut"),
    ("deep.www.sub", "MX", "referral far below the cut"),
    ("ns1.sub", "A", "glue name is below the cut: referral"),
    ("big", "TXT", "large RRset: TC over UDP without EDNS"),
    ("bigalias", "TXT", "CNAME to a large RRset: TC cuts after the CNAME"),
    ("WwW", "A", "case-varied qname"),
    ("ALIAS", "A", "case-varied CNAME chain"),
    ("FOO.Wild", "A", "case-varied wildcard"),
    ("NoPe", "A", "case-varied NXDOMAIN"),
    ("WWW.SUB", "A", "case-varied referral"),
    ("B.Ent", "A", "case-varied empty non-terminal"),
    ("ExAmPlE.TeSt.", "SOA", "case-varied apex"),
]

# (label, use TCP, EDNS payload or None, RD flag). RD alternates so that copying it is checked
# both ways.
VARIANTS = [
    ("udp", False, None, True),
    ("udp+edns", False, 1232, False),
    ("tcp", True, None, False),
    ("tcp+edns", True, 1232, True),
]

FLAGS = [("AA", dns.flags.AA), ("TC", dns.flags.TC), ("RD", dns.flags.RD), ("RA", dns.flags.RA)]


def parse_server(text):
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ValueError(f"expected HOST:PORT, got {text!r}")
    return host, int(port)


def qname_for(relative, origin):
    if relative == "@":
        return origin
    if relative.endswith("."):
        return dns.name.from_text(relative)
    return dns.name.from_text(relative, origin)


def ask(server, qname, qtype, tcp, payload, rd):
    """One query; returns the response, or a string saying why there is none."""
    if payload is None:
        query = dns.message.make_query(qname, qtype, use_edns=False)
    else:
        query = dns.message.make_query(qname, qtype, use_edns=0, payload=payload)
    if rd:
        query.flags |= dns.flags.RD
    else:
        query.flags &= ~dns.flags.RD
    host, port = server
    try:
        if tcp:
            return dns.query.tcp(query, host, port=port, timeout=TIMEOUT)
        # ignore_trailing=False and raise_on_truncation=False: a TC answer is a result to compare.
        return dns.query.udp(query, host, port=port, timeout=TIMEOUT, raise_on_truncation=False)
    except dns.exception.Timeout:
        return "no answer within %.0f s" % TIMEOUT
    except Exception as error:  # noqa: BLE001 - any failure is a difference worth printing
        return f"{type(error).__name__}: {error}"


def canonical_text(rdata):
    """RDATA text with embedded names lower-cased (RFC 4034 section 6.2): compression can copy
    the qname's case into them, and names compare case-insensitively (RFC 4343)."""
    wire = rdata.to_digestable()
    return dns.rdata.from_wire(rdata.rdclass, rdata.rdtype, wire, 0, len(wire)).to_text()


def section_set(rrsets):
    items = set()
    for rrset in rrsets:
        for rdata in rrset:
            items.add(
                (
                    rrset.name.to_text().lower(),
                    rrset.ttl,
                    dns.rdataclass.to_text(rrset.rdclass),
                    dns.rdatatype.to_text(rrset.rdtype),
                    canonical_text(rdata),
                )
            )
    return items


def optional_additional(response):
    """Additional-section address records that are optional extras of an authoritative answer."""
    if not response.flags & dns.flags.AA:
        return set()
    targets = set()
    for rrset in response.answer:
        for rdata in rrset:
            if rrset.rdtype in (dns.rdatatype.NS, dns.rdatatype.MX, dns.rdatatype.SRV):
                target = rdata.target if rrset.rdtype != dns.rdatatype.MX else rdata.exchange
                targets.add(target.to_text().lower())
    return {item for item in section_set(response.additional)
            if item[3] in ("A", "AAAA") and item[0] in targets}


def summary(response):
    """Everything compared, as a dict of comparable values."""
    return {
        "rcode": dns.rcode.to_text(response.rcode()),
        "flags": " ".join(name for name, bit in FLAGS if response.flags & bit) or "-",
        "edns": "none" if response.edns < 0 else f"version {response.edns} payload {response.payload}",
        "question": section_set_question(response.question),
        "answer": section_set(response.answer),
        "authority": section_set(response.authority),
        "additional": section_set(response.additional) - optional_additional(response),
    }


def section_set_question(question):
    return {(q.name.to_text().lower(), dns.rdataclass.to_text(q.rdclass), dns.rdatatype.to_text(q.rdtype)) for q in question}


def describe(items):
    if not items:
        return "    (none)"
    return "\n".join("    " + " ".join(str(field) for field in item) for item in sorted(items))


def compare(a, b):
    """Lines describing how a differs from b; empty when they match."""
    if isinstance(a, str) or isinstance(b, str):
        return [f"  first: {a if isinstance(a, str) else 'answered'}; second: {b if isinstance(b, str) else 'answered'}"]
    sa, sb = summary(a), summary(b)
    lines = []
    for key in ("rcode", "flags", "edns"):
        if sa[key] != sb[key]:
            lines.append(f"  {key}: first {sa[key]!r}, second {sb[key]!r}")
    for key in ("question", "answer", "authority", "additional"):
        if sa[key] != sb[key]:
            only_a = sa[key] - sb[key]
            only_b = sb[key] - sa[key]
            lines.append(f"  {key} section differs:")
            if only_a:
                lines.append("   only in first:\n" + describe(only_a))
            if only_b:
                lines.append("   only in second:\n" + describe(only_b))
    return lines


def main(argv):
    if len(argv) != 4:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        first, second = parse_server(argv[1]), parse_server(argv[2])
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    zone = dns.zone.from_file(argv[3], relativize=False, check_origin=True, origin=None)
    origin = zone.origin
    passed = failed = 0
    for relative, qtype, purpose in CASES:
        qname = qname_for(relative, origin)
        for label, tcp, payload, rd in VARIANTS:
            a = ask(first, qname, qtype, tcp, payload, rd)
            b = ask(second, qname, qtype, tcp, payload, rd)
            differences = compare(a, b)
            if differences:
                failed += 1
                print(f"DIFF {qname} {qtype} over {label}, RD={int(rd)} ({purpose}):")
                print("\n".join(differences))
            else:
                passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
