#!/usr/bin/python3
"""A misbehaving DNS upstream for dnsd's forward tests, on 127.0.0.1 (UDP and TCP).

usage: forward_faulty_upstream.py PORT MODE ADDRESS LOGFILE [LIFETIME_SECONDS]

Every A query is answered with ADDRESS (TTL 60) unless MODE says otherwise:
  answer          answer normally
  drop            never answer (a dead upstream)
  servfail        answer SERVFAIL
  spoof-id        first send a reply with the wrong ID carrying 6.6.6.6, then the right one
  spoof-question  first send a reply for another name carrying 6.6.6.6, then the right one
  spoof-case      first send a reply whose question (and owner name) has the case of every
                  letter flipped, carrying 6.6.6.6, then the right one: what a forger who does
                  not know a 0x20 pattern sends
  spoof-only      only ever send wrong-ID replies (the client must time out)
  tc              over UDP reply with TC=1 and no records; over TCP answer with 40 A records
                  (ADDRESS first, then 10.0.0.1..39)
  delay           answer normally, half a second late
  nxdomain        NXDOMAIN with the SOA of the query's parent (TTL and MINIMUM 3600)
  ecs             answer with the address of the query's client-subnet option (ADDRESS without
                  one), scoped to its source prefix, as a GeoDNS server would; names starting
                  with "global" get scope 0 (good for every subnet)
Each query's name and transport is appended to LOGFILE ("udp name." per line), flushed, so
tests can count what reached this upstream; LOGFILE.sources gets "udp PORT Name." per query:
the query's source port and its name spelled as sent. The server exits after LIFETIME seconds
(default 120) so a failed test can never leave it running.
"""
import os
import socketserver
import sys
import threading
import time

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rrset

from fixture_servers import ThreadingTCP, ThreadingUDP, stop_on_sigterm

PORT, MODE, ADDRESS, LOGFILE = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
LIFETIME = float(sys.argv[5]) if len(sys.argv) > 5 else 120.0
log_lock = threading.Lock()


def log(transport, query, source_port):
    name = query.question[0].name.to_text() if query.question else "-"
    with log_lock:
        with open(LOGFILE, "a") as f:
            f.write(f"{transport} {name.lower()}\n")
        with open(LOGFILE + ".sources", "a") as f:
            f.write(f"{transport} {source_port} {name}\n")


def answer(query, address=ADDRESS, count=1):
    response = dns.message.make_response(query)
    response.flags |= dns.flags.RA
    if query.question and query.question[0].rdtype == 1:
        name = query.question[0].name
        addresses = [address] + [f"10.0.0.{i}" for i in range(1, count)]
        response.answer.append(dns.rrset.from_text_list(name, 60, "IN", "A", addresses))
    return response


def replies(query, transport):
    """The wire replies to send, in order."""
    if MODE == "drop":
        return []
    if MODE == "servfail":
        response = dns.message.make_response(query)
        response.set_rcode(dns.rcode.SERVFAIL)
        return [response.to_wire()]
    if MODE in ("spoof-id", "spoof-only"):
        forged = answer(query, "6.6.6.6")
        forged.id = (query.id + 1) % 65536
        out = [forged.to_wire()]
        return out if MODE == "spoof-only" else out + [answer(query).to_wire()]
    if MODE == "spoof-question":
        other = dns.message.make_query("forged.invalid.", "A")
        other.id = query.id
        forged = answer(other, "6.6.6.6")
        return [forged.to_wire(), answer(query).to_wire()]
    if MODE == "spoof-case":
        asked = query.question[0]
        other = dns.message.make_query(dns.name.from_text(asked.name.to_text().swapcase()), asked.rdtype)
        other.id = query.id
        return [answer(other, "6.6.6.6").to_wire(), answer(query).to_wire()]
    if MODE == "delay":
        time.sleep(0.5)
        return [answer(query).to_wire()]
    if MODE == "nxdomain":
        response = dns.message.make_response(query)
        response.flags |= dns.flags.RA
        response.set_rcode(dns.rcode.NXDOMAIN)
        parent = query.question[0].name.parent()
        response.authority.append(dns.rrset.from_text(
            parent, 3600, "IN", "SOA", f"ns.{parent} hostmaster.{parent} 1 3600 600 86400 3600"))
        return [response.to_wire()]
    if MODE == "ecs":
        subnet = next((o for o in query.options if isinstance(o, dns.edns.ECSOption)), None)
        response = answer(query, subnet.address if subnet else ADDRESS)
        if subnet:
            scope = 0 if query.question[0].name.to_text().lower().startswith("global") else subnet.srclen
            response.use_edns(0, options=[dns.edns.ECSOption(subnet.address, subnet.srclen, scope)])
        return [response.to_wire()]
    if MODE == "tc":
        if transport == "udp":
            response = dns.message.make_response(query)
            response.flags |= dns.flags.TC
            return [response.to_wire()]
        return [answer(query, count=40).to_wire()]
    return [answer(query).to_wire()]


class UDPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        try:
            query = dns.message.from_wire(data)
        except Exception:
            return
        log("udp", query, self.client_address[1])
        for wire in replies(query, "udp"):
            sock.sendto(wire, self.client_address)
            time.sleep(0.05)


class TCPHandler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        sock.settimeout(LIFETIME)
        while True:
            header = self.recv_exact(2)
            if header is None:
                return
            data = self.recv_exact(int.from_bytes(header, "big"))
            if data is None:
                return
            try:
                query = dns.message.from_wire(data)
            except Exception:
                return
            log("tcp", query, self.client_address[1])
            for wire in replies(query, "tcp"):
                sock.sendall(len(wire).to_bytes(2, "big") + wire)

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            try:
                chunk = self.request.recv(n - len(buf))
            except OSError:
                return None
            if not chunk:
                return None
            buf += chunk
        return buf


def main():
    stop_on_sigterm(os._exit)
    open(LOGFILE, "a").close()
    udp = ThreadingUDP(("127.0.0.1", PORT), UDPHandler)
    tcp = ThreadingTCP(("127.0.0.1", PORT), TCPHandler)
    for server in (udp, tcp):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready", flush=True)
    time.sleep(LIFETIME)


if __name__ == "__main__":
    main()
