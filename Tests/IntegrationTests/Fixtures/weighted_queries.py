#!/usr/bin/python3
"""Sends a known mix of A queries over UDP and counts the answers per name and per client.

The plan (a JSON file) is a list of [name, client address, count]; every planned query is
sent once, in a shuffled order (seed 7), from a socket bound to its client address, with at
most WINDOW queries awaiting an answer so that nothing is lost to full socket buffers. Prints
{"sent": n, "answered": n, "names": {name: answers}, "clients": {address: answers}}, where a
name is the answer's question name, lower-cased, with its final dot.

usage: weighted_queries.py PORT PLAN.json
"""
import json
import random
import select
import socket
import struct
import sys

PORT = int(sys.argv[1])
WINDOW = 256
with open(sys.argv[2]) as plan_file:
    plan = json.load(plan_file)


def wire(name):
    labels = name.rstrip(".").split(".")
    return (struct.pack("!6H", 0, 0x0100, 1, 0, 0, 0)
            + b"".join(bytes([len(label)]) + label.encode() for label in labels) + b"\x00"
            + struct.pack("!2H", 1, 1))


def question_name(answer):
    labels, offset = [], 12
    while answer[offset]:
        length = answer[offset]
        labels.append(answer[offset + 1:offset + 1 + length].decode().lower())
        offset += 1 + length
    return ".".join(labels) + "."


sockets = {}
for _, client, _ in plan:
    if client not in sockets:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        sock.bind((client, 0))
        sock.setblocking(False)
        sockets[client] = sock
by_fd = {sock.fileno(): client for client, sock in sockets.items()}

queries = [(wire(name), client) for name, client, count in plan for _ in range(count)]
random.Random(7).shuffle(queries)
result = {"sent": 0, "answered": 0, "names": {}, "clients": {}}


def collect(timeout):
    readable, _, _ = select.select(list(sockets.values()), [], [], timeout)
    for sock in readable:
        while True:
            try:
                answer = sock.recv(4096)
            except BlockingIOError:
                break
            name, client = question_name(answer), by_fd[sock.fileno()]
            result["answered"] += 1
            result["names"][name] = result["names"].get(name, 0) + 1
            result["clients"][client] = result["clients"].get(client, 0) + 1
    return bool(readable)


given_up = 0
for index, (query, client) in enumerate(queries):
    while result["sent"] - result["answered"] - given_up >= WINDOW:
        if not collect(1.0):
            # Nothing came back for a second: what is still out is lost, stop waiting for it.
            given_up = result["sent"] - result["answered"]
    query_id = index & 0xFFFF
    sockets[client].sendto(bytes([query_id >> 8, query_id & 0xFF]) + query[2:], ("127.0.0.1", PORT))
    result["sent"] += 1
while collect(1.0):
    pass
print(json.dumps(result))
