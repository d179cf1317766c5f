#!/usr/bin/python3
"""Misbehaving clients for bench/soak.sh, each bounded in time (loopback only).

  soak_clients.py pipeline PORT SOURCE SECONDS
      Over and over until SECONDS pass: opens a TCP connection from SOURCE, writes up to
      20,000 length-framed queries without reading an answer (as far as the server lets it
      write), holds the connection 5 s, closes it. Prints how many connections and queries.
  soak_clients.py garbage PORT SOURCE SECONDS RATE
      Sends RATE datagrams a second of damaged DNS over UDP from SOURCE: random bytes, a
      truncated header, a question whose name runs off the end, a compression loop, an OPT
      with a bad length. Reads nothing. Prints how many it sent.
"""
import os
import random
import socket
import struct
import sys
import time


def query(i):
    name = b"".join(bytes([len(label)]) + label for label in (b"p%d" % i, b"bench", b"test")) + b"\x00"
    return struct.pack("!HHHHHH", i & 0xFFFF, 0x0100, 1, 0, 0, 0) + name + struct.pack("!HH", 1, 1)


def pipeline(port, source, seconds):
    deadline = time.monotonic() + seconds
    connections = sent = 0
    while time.monotonic() < deadline:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.bind((source, 0))
        try:
            sock.connect(("127.0.0.1", port))
            sock.settimeout(0.5)
            connections += 1
            for i in range(20000):
                if time.monotonic() > deadline:
                    break
                wire = query(i)
                sock.sendall(struct.pack("!H", len(wire)) + wire)
                sent += 1
        except OSError:
            pass  # the server paused reading (send timed out) or closed: both are its defence
        time.sleep(min(5, max(0, deadline - time.monotonic())))
        sock.close()
    print(f"pipeline: {connections} connections, {sent} queries written, none read")


def damaged(i):
    header = struct.pack("!HHHHHH", i & 0xFFFF, 0x0100, 1, 0, 0, 0)
    kind = i % 5
    if kind == 0:
        return os.urandom(random.randint(1, 600))
    if kind == 1:
        return header[: random.randint(1, 11)]
    if kind == 2:
        return header + b"\x3fabc"
    if kind == 3:
        return header + b"\xc0\x0c" + struct.pack("!HH", 1, 1)
    opt = b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 40) + b"\x00\x0a\x00\x08"
    return struct.pack("!HHHHHH", i & 0xFFFF, 0x0100, 1, 0, 0, 1) + b"\x01x\x00" + struct.pack("!HH", 1, 1) + opt


def garbage(port, source, seconds, rate):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((source, 0))
    sock.setblocking(False)
    start = time.monotonic()
    sent = 0
    while time.monotonic() - start < seconds:
        try:
            sock.sendto(damaged(sent), ("127.0.0.1", port))
        except OSError:
            pass
        sent += 1
        ahead = sent / rate - (time.monotonic() - start)
        if ahead > 0:
            time.sleep(ahead)
    print(f"garbage: {sent} damaged datagrams")


if __name__ == "__main__":
    mode, port, source, seconds = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    if mode == "pipeline":
        pipeline(port, source, seconds)
    elif mode == "garbage":
        garbage(port, source, seconds, float(sys.argv[5]))
    else:
        sys.exit(f"unknown mode {mode}")
