#!/usr/bin/python3
"""A slow, counting UDP relay between dnsd and a real upstream (NSD), for the cache tests.

usage: cache_counting_proxy.py LISTEN_PORT UPSTREAM_PORT DELAY_SECONDS COUNTFILE [LIFETIME_SECONDS]

Every datagram received on 127.0.0.1:LISTEN_PORT is counted (COUNTFILE holds the running total,
rewritten after each query), held for DELAY seconds so that concurrent queries overlap, then
relayed to 127.0.0.1:UPSTREAM_PORT; the upstream's reply goes back to the sender. Exits after
LIFETIME seconds (default 120) so a failed test never leaves it running.
"""
import socket
import sys
import threading
import time

LISTEN, UPSTREAM, DELAY, COUNTFILE = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
LIFETIME = float(sys.argv[5]) if len(sys.argv) > 5 else 120.0
lock = threading.Lock()
count = 0


def relay(server, data, client):
    time.sleep(DELAY)
    upstream = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    upstream.settimeout(5)
    try:
        upstream.sendto(data, ("127.0.0.1", UPSTREAM))
        reply, _ = upstream.recvfrom(65535)
        server.sendto(reply, client)
    except OSError:
        pass
    finally:
        upstream.close()


def main():
    global count
    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind(("127.0.0.1", LISTEN))
    server.settimeout(0.5)
    with open(COUNTFILE, "w") as f:
        f.write("0\n")
    deadline = time.time() + LIFETIME
    while time.time() < deadline:
        try:
            data, client = server.recvfrom(65535)
        except socket.timeout:
            continue
        with lock:
            count += 1
            with open(COUNTFILE, "w") as f:
                f.write(f"{count}\n")
        threading.Thread(target=relay, args=(server, data, client), daemon=True).start()


main()
