#!/usr/bin/python3
"""Sends ROUNDS A queries for NAME over UDP from each of CLIENTS loopback addresses, one round
after another (client 1, 2, ..., CLIENTS, then again), so that between two queries of one client
all the others ask once; then prints what came back as JSON: {"sent": n, "answered": n}.
Client i sends from 127.A.B.1 with A.B = i + 256 (a /24 network of its own, and an address of
its own). One socket bound to 0.0.0.0 sends them all, choosing each datagram's source with
IP_PKTINFO (Linux), so a few thousand clients need no socket each. For dnsd's tests of the
fixed-size tables behind rate limits (`rrl.table_size`, `limits.table_size`).

usage: many_clients.py PORT NAME CLIENTS ROUNDS
"""
import json
import select
import socket
import struct
import sys
import time

PORT, NAME, CLIENTS, ROUNDS = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
IP_PKTINFO = 8

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
sock.bind(("0.0.0.0", 0))
sock.setblocking(False)
# A query for NAME, type A, class IN, recursion desired (no dnspython: this starts fast).
wire = bytearray(struct.pack("!6H", 0, 0x0100, 1, 0, 0, 0)
                 + b"".join(bytes([len(label)]) + label.encode() for label in NAME.rstrip(".").split(".")) + b"\x00"
                 + struct.pack("!2H", 1, 1))
counts = {"sent": 0, "answered": 0}


def drain():
    while True:
        try:
            sock.recv(4096)
        except BlockingIOError:
            return
        counts["answered"] += 1


def source(index):
    number = index + 256
    return f"127.{number >> 8}.{number & 0xFF}.1"


for round_number in range(ROUNDS):
    for index in range(CLIENTS):
        query_id = (round_number * CLIENTS + index) & 0xFFFF
        wire[0], wire[1] = query_id >> 8, query_id & 0xFF
        # struct in_pktinfo: interface index, source address to use, (destination, ignored).
        info = struct.pack("=i4s4s", 0, socket.inet_aton(source(index)), socket.inet_aton("0.0.0.0"))
        while True:
            try:
                sock.sendmsg([bytes(wire)], [(socket.IPPROTO_IP, IP_PKTINFO, info)], 0, ("127.0.0.1", PORT))
                break
            except BlockingIOError:
                select.select([], [sock], [], 0.01)
        counts["sent"] += 1
        if counts["sent"] % 32 == 0:
            # Paced (about 10,000 a second): a burst of thousands would overflow socket buffers.
            drain()
            time.sleep(0.003)
deadline = time.monotonic() + 0.5
while time.monotonic() < deadline:
    select.select([sock], [], [], 0.1)
    drain()
print(json.dumps(counts))
