#!/usr/bin/python3
"""Misbehaving authoritative servers for dnsd's recursion tests (UDP and TCP, loopback only).

usage: recurse_misbehaving_servers.py PORT LOGFILE LIFETIME ADDRESS=MODE=ZONE...

Each ADDRESS (a 127.x.y.z address) serves ZONE on PORT and misbehaves as MODE says. Names in
ZONE get A 192.0.2.77 (TTL 300, AA) and the apex SOA/NS, unless the mode says otherwise:
  drop       never answers anything (a server that went away without ICMP)
  dropedns   never answers a query that carries EDNS (an old server behind a broken firewall)
  formerr    answers FORMERR, without OPT, to a query that carries EDNS
  tc         over UDP answers TC=1 with no records; over TCP answers in full (A 192.0.2.78)
  spoof      answers www.ZONE with A 192.0.2.79 and adds out-of-bailiwick poison: an answer
             record www.example.beta. A 6.6.6.6, an authority record beta. NS ns.ZONE and
             additional records ns.ZONE A 6.6.6.6 and ns1.beta. A 6.6.6.6
  nxdomain   answers NXDOMAIN (with the SOA) for every name below the apex (an NXNS victim)
  deepref    refers every name below the apex to itself: Q NS ns.Q, ns.Q A ADDRESS (a
             delegation chain that never ends)
Each query is appended to LOGFILE as "ADDRESS transport name. type edns|noedns", flushed.
The process exits after LIFETIME seconds so a failed test never leaves it running.
"""
import socketserver
import sys
import threading
import time

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

from fixture_servers import ThreadingTCP, ThreadingUDP, stop_on_sigterm

PORT, LOGFILE, LIFETIME = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
SPECS = [spec.split("=") for spec in sys.argv[4:]]
log_lock = threading.Lock()


def log(address, transport, query):
    q = query.question[0] if query.question else None
    text = f"{q.name.to_text()} {dns.rdatatype.to_text(q.rdtype)}" if q is not None else "-"
    with log_lock, open(LOGFILE, "a") as f:
        f.write(f"{address} {transport} {text} {'edns' if query.edns >= 0 else 'noedns'}\n")


def reply(query, address, mode, zone, transport):
    """The response to send, or None to stay silent."""
    if mode == "drop" or (mode == "dropedns" and query.edns >= 0):
        return None
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    if mode == "formerr" and query.edns >= 0:
        response.use_edns(False)
        response.set_rcode(dns.rcode.FORMERR)
        return response
    if not query.question:
        response.set_rcode(dns.rcode.FORMERR)
        return response
    q = query.question[0]
    soa = dns.rrset.from_text(zone, 300, "IN", "SOA", f"ns.{zone} hostmaster.{zone} 1 60 60 60 60")
    if not q.name.is_subdomain(zone):
        response.set_rcode(dns.rcode.REFUSED)
        response.flags &= ~dns.flags.AA
        return response
    if mode == "tc" and transport == "udp":
        response.flags |= dns.flags.TC
        return response
    if q.name == zone:
        if q.rdtype == dns.rdatatype.SOA:
            response.answer.append(soa)
        elif q.rdtype == dns.rdatatype.NS:
            response.answer.append(dns.rrset.from_text(zone, 300, "IN", "NS", f"ns.{zone}"))
        else:
            response.authority.append(soa)
        return response
    if mode == "nxdomain":
        response.set_rcode(dns.rcode.NXDOMAIN)
        response.authority.append(soa)
        return response
    if mode == "deepref":
        response.flags &= ~dns.flags.AA
        ns = dns.name.Name(("ns",) + q.name.labels)
        response.authority.append(dns.rrset.from_text(q.name, 300, "IN", "NS", ns.to_text()))
        response.additional.append(dns.rrset.from_text(ns, 300, "IN", "A", address))
        return response
    if q.rdtype != dns.rdatatype.A:
        response.authority.append(soa)
        return response
    value = {"tc": "192.0.2.78", "spoof": "192.0.2.79"}.get(mode, "192.0.2.77")
    response.answer.append(dns.rrset.from_text(q.name, 300, "IN", "A", value))
    if mode == "spoof":
        response.answer.append(dns.rrset.from_text("www.example.beta.", 300, "IN", "A", "6.6.6.6"))
        response.authority.append(dns.rrset.from_text("beta.", 300, "IN", "NS", f"ns.{zone}"))
        response.additional.append(dns.rrset.from_text(f"ns.{zone}", 300, "IN", "A", "6.6.6.6"))
        response.additional.append(dns.rrset.from_text("ns1.beta.", 300, "IN", "A", "6.6.6.6"))
    return response


def handlers(address, mode, zone):
    zone = dns.name.from_text(zone)

    class UDP(socketserver.BaseRequestHandler):
        def handle(self):
            data, sock = self.request
            try:
                query = dns.message.from_wire(data)
            except Exception:
                return
            log(address, "udp", query)
            response = reply(query, address, mode, zone, "udp")
            if response is not None:
                sock.sendto(response.to_wire(), self.client_address)

    class TCP(socketserver.BaseRequestHandler):
        def handle(self):
            self.request.settimeout(5)
            while True:
                header = self.request.recv(2)
                if len(header) < 2:
                    return
                length = int.from_bytes(header, "big")
                data = b""
                while len(data) < length:
                    chunk = self.request.recv(length - len(data))
                    if not chunk:
                        return
                    data += chunk
                query = dns.message.from_wire(data)
                log(address, "tcp", query)
                response = reply(query, address, mode, zone, "tcp")
                if response is not None:
                    wire = response.to_wire()
                    self.request.sendall(len(wire).to_bytes(2, "big") + wire)

    return UDP, TCP


def main():
    stop_on_sigterm(sys.exit)
    for address, mode, zone in SPECS:
        udp, tcp = handlers(address, mode, zone)
        for server in (ThreadingUDP((address, PORT), udp), ThreadingTCP((address, PORT), tcp)):
            threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", flush=True)
    time.sleep(LIFETIME)


if __name__ == "__main__":
    main()
