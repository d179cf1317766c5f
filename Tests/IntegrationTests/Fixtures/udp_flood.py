#!/usr/bin/python3
"""Sends COUNT copies of one A query over UDP from SOURCE to 127.0.0.1:PORT, paced over about
SECONDS, reading answers as they come, then waits a moment for stragglers and prints what came
back as JSON: {"sent": n, "answered": n, "truncated": n, "other": n}. "answered" counts full
answers (TC clear), "truncated" answers with TC set (RRL's slip). For dnsd's RRL tests.

usage: udp_flood.py PORT SOURCE NAME COUNT SECONDS [cookie]

With "cookie" the first query carries a client cookie only, and the flood then presents the
server cookie that came back (a client RFC 7873 says is exempt from rate limiting).
"""
import json
import select
import socket
import sys
import time

import dns.edns
import dns.flags
import dns.message
import dns.query

PORT, SOURCE, NAME, COUNT, SECONDS = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
sock.bind((SOURCE, 0))
sock.setblocking(False)
options = []
if len(sys.argv) > 6 and sys.argv[6] == "cookie":
    client_cookie = bytes.fromhex("0123456789abcdef")
    first = dns.message.make_query(NAME, "A", use_edns=0, options=[dns.edns.GenericOption(10, client_cookie)])
    reply = dns.query.udp(first, "127.0.0.1", port=PORT, source=SOURCE, timeout=2)
    cookie = [option for option in reply.options if option.otype == 10]
    if not cookie:
        print(json.dumps({"error": "no cookie in the reply"}))
        sys.exit(1)
    options = [dns.edns.GenericOption(10, cookie[0].to_wire())]
query = dns.message.make_query(NAME, "A", use_edns=0, options=options)
wire = bytearray(query.to_wire())
counts = {"sent": 0, "answered": 0, "truncated": 0, "other": 0}


def drain():
    while True:
        try:
            data = sock.recv(4096)
        except BlockingIOError:
            return
        flags = data[2]
        if flags & 0x02:
            counts["truncated"] += 1
        elif data[3] & 0x0F == 0:
            counts["answered"] += 1
        else:
            counts["other"] += 1


start = time.monotonic()
batch = 50
for index in range(COUNT):
    wire[0], wire[1] = (index >> 8) & 0xFF, index & 0xFF
    sock.sendto(bytes(wire), ("127.0.0.1", PORT))
    counts["sent"] += 1
    if index % batch == batch - 1:
        drain()
        # Pace: stay on schedule for COUNT queries in SECONDS.
        ahead = start + SECONDS * (index + 1) / COUNT - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
deadline = time.monotonic() + 1.0
while time.monotonic() < deadline:
    select.select([sock], [], [], 0.1)
    drain()
print(json.dumps(counts))
