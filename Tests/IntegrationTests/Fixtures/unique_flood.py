#!/usr/bin/python3
"""Sends COUNT A queries for distinct names (q0.SUFFIX, q1.SUFFIX, ...) over UDP from SOURCE
to 127.0.0.1:PORT, paced over about SECONDS, reading answers as they come; then waits WAIT
seconds for stragglers and prints what came back as JSON:
{"sent": n, "answers": n, "servfail": n, "over_limit": n, "other": n, "over": {"limits.relay_waiting": n, ...}}
"over_limit" counts SERVFAIL answers whose extended DNS error text names one of dnsd's caps
("over limits.relay_waiting", "over cache.max_followers", ...); "over" counts them by cap.
With --same every query asks for SUFFIX itself (with its own ID): identical questions, as a
popular name gets them. For dnsd's in-flight limit tests (a random-subdomain flood).

usage: unique_flood.py PORT SOURCE SUFFIX COUNT SECONDS [WAIT] [--same]
"""
import json
import select
import socket
import sys
import time

import dns.message
import dns.rcode

SAME = "--same" in sys.argv
ARGS = [arg for arg in sys.argv if arg != "--same"]
PORT, SOURCE, SUFFIX, COUNT, SECONDS = int(ARGS[1]), ARGS[2], ARGS[3], int(ARGS[4]), float(ARGS[5])
WAIT = float(ARGS[6]) if len(ARGS) > 6 else 3.0

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
sock.bind((SOURCE, 0))
sock.setblocking(False)
counts = {"sent": 0, "answers": 0, "servfail": 0, "over_limit": 0, "other": 0, "over": {}}


def read_all():
    while True:
        try:
            data = sock.recv(65535)
        except BlockingIOError:
            return
        counts["answers"] += 1
        try:
            reply = dns.message.from_wire(data)
        except Exception:
            counts["other"] += 1
            continue
        if reply.rcode() == dns.rcode.SERVFAIL:
            counts["servfail"] += 1
            # EDE (15): INFO-CODE then the text; dnspython versions differ in how they type it.
            for option in reply.options:
                text = option.to_wire()[2:] if option.otype == 15 else b""
                if text.startswith(b"over "):
                    cap = text[5:].decode(errors="replace")
                    counts["over_limit"] += 1
                    counts["over"][cap] = counts["over"].get(cap, 0) + 1
        else:
            counts["other"] += 1


start = time.monotonic()
for index in range(COUNT):
    query = dns.message.make_query(SUFFIX if SAME else f"q{index}.{SUFFIX}", "A", use_edns=0)
    query.id = index & 0xFFFF
    while True:
        try:
            sock.sendto(query.to_wire(), ("127.0.0.1", PORT))
            break
        except BlockingIOError:
            select.select([], [sock], [], 0.01)
    counts["sent"] += 1
    if index % 64 == 0:
        read_all()
        ahead = start + SECONDS * (index + 1) / COUNT - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
end = time.monotonic() + WAIT
while time.monotonic() < end:
    select.select([sock], [], [], 0.1)
    read_all()
print(json.dumps(counts))
