#!/usr/bin/python3
"""Checks one server for example.test with dnspython, including what dig cannot do:
several queries pipelined on one TCP connection (RFC 7766 section 6.2.1.1), answered in any
order and matched by ID, and a connection reused for sequential queries.

Usage: dnspython_checks.py HOST:PORT

Prints each failed check; exits 1 if any failed, 0 otherwise, after "N passed, M failed".
"""

import socket
import struct
import sys
import time

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

TIMEOUT = 3.0
results = {"passed": 0, "failed": 0}


def check(condition, what, response=None):
    if condition:
        results["passed"] += 1
    else:
        results["failed"] += 1
        print(f"FAIL: {what}")
        if response is not None:
            print("  response was:\n    " + response.to_text().replace("\n", "\n    "))


def answer_texts(response, rdtype):
    return sorted(
        rdata.to_text() for rrset in response.answer if rrset.rdtype == rdtype for rdata in rrset
    )


def receive_exactly(sock, count):
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise EOFError(f"connection closed after {len(data)} of {count} bytes")
        data += chunk
    return data


def receive_message(sock):
    (length,) = struct.unpack("!H", receive_exactly(sock, 2))
    return dns.message.from_wire(receive_exactly(sock, length))


def udp_checks(host, port):
    response = dns.query.udp(dns.message.make_query("www.example.test.", "A", use_edns=0, payload=1232),
                             host, port=port, timeout=TIMEOUT)
    check(response.rcode() == dns.rcode.NOERROR, "www A over UDP is NOERROR", response)
    check(response.flags & dns.flags.AA, "www A has AA", response)
    check(answer_texts(response, dns.rdatatype.A) == ["192.0.2.80"], "www A is 192.0.2.80", response)
    check(response.edns == 0 and response.payload == 1232, "OPT echoed with payload 1232", response)

    response = dns.query.udp(dns.message.make_query("nope.example.test.", "A", use_edns=False),
                             host, port=port, timeout=TIMEOUT)
    check(response.rcode() == dns.rcode.NXDOMAIN, "nope A is NXDOMAIN", response)
    check(response.edns < 0, "no OPT in the answer to a query without one", response)
    soa = [rrset for rrset in response.authority if rrset.rdtype == dns.rdatatype.SOA]
    check(len(soa) == 1 and soa[0].ttl == 300, "NXDOMAIN carries the SOA with TTL 300", response)

    response = dns.query.udp(dns.message.make_query("big.example.test.", "TXT", use_edns=False),
                             host, port=port, timeout=TIMEOUT, raise_on_truncation=False)
    check(response.flags & dns.flags.TC, "big TXT without EDNS sets TC", response)
    check(len(response.answer) == 0, "TC answer is cut at the RRset boundary (no partial TXT RRset)", response)


def tcp_sequential_checks(host, port):
    """Two queries one after the other on one connection: the server must keep it open."""
    with socket.create_connection((host, port), timeout=TIMEOUT) as sock:
        for name, rdtype, expected in [("www.example.test.", "AAAA", ["2001:db8::80"]),
                                       ("foo.wild.example.test.", "A", ["192.0.2.99"])]:
            query = dns.message.make_query(name, rdtype)
            dns.query.send_tcp(sock, query)
            response, _ = dns.query.receive_tcp(sock, expiration=time.time() + TIMEOUT)
            check(response.id == query.id, f"{name} {rdtype}: reply ID matches on a reused connection", response)
            check(answer_texts(response, dns.rdatatype.from_text(rdtype)) == expected,
                  f"{name} {rdtype} on a reused connection answers {expected}", response)


def tcp_pipelined_checks(host, port):
    """Three queries written in one send; all three answers must come back on the connection."""
    queries = {
        "www.example.test.": dns.message.make_query("www.example.test.", "A"),
        "alias.example.test.": dns.message.make_query("alias.example.test.", "A"),
        "nope.example.test.": dns.message.make_query("nope.example.test.", "A"),
    }
    ids = {query.id for query in queries.values()}
    if len(ids) < len(queries):  # random IDs collided; make them distinct
        for offset, query in enumerate(queries.values()):
            query.id = (query.id + offset) & 0xFFFF
    blob = b"".join(struct.pack("!H", len(wire)) + wire
                    for wire in (query.to_wire() for query in queries.values()))
    responses = {}
    with socket.create_connection((host, port), timeout=TIMEOUT) as sock:
        sock.sendall(blob)
        try:
            for _ in queries:
                response = receive_message(sock)
                responses[response.id] = response
        except (EOFError, OSError) as error:
            check(False, f"pipelined queries: only {len(responses)} of {len(queries)} answers ({error})")
            return
    by_name = {name: responses.get(query.id) for name, query in queries.items()}
    check(all(response is not None for response in by_name.values()),
          "every pipelined query got the answer with its ID")
    www, alias, nope = by_name["www.example.test."], by_name["alias.example.test."], by_name["nope.example.test."]
    if www is not None:
        check(answer_texts(www, dns.rdatatype.A) == ["192.0.2.80"], "pipelined www A", www)
    if alias is not None:
        check(answer_texts(alias, dns.rdatatype.CNAME) == ["alias2.example.test.", "www.example.test."]
              and answer_texts(alias, dns.rdatatype.A) == ["192.0.2.80"], "pipelined alias A follows the chain", alias)
    if nope is not None:
        check(nope.rcode() == dns.rcode.NXDOMAIN, "pipelined nope A is NXDOMAIN", nope)


def main(argv):
    if len(argv) != 2:
        print("usage: dnspython_checks.py HOST:PORT", file=sys.stderr)
        return 2
    host, _, port = argv[1].rpartition(":")
    for group in (udp_checks, tcp_sequential_checks, tcp_pipelined_checks):
        try:
            group(host, int(port))
        except Exception as error:  # noqa: BLE001 - report and go on with the next group
            check(False, f"{group.__name__} raised {type(error).__name__}: {error}")
    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
