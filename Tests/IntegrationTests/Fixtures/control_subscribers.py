#!/usr/bin/python3
"""Holds control connections to dnsd open, each with queries.subscribe streams, as whatever
user runs it: the tests start it through setpriv as a read-only user, to see that such a user
cannot take every connection or subscription from the admins.

Usage: control_subscribers.py SOCKET CONNECTIONS [SUBSCRIPTIONS_PER_CONNECTION]

Once every attempt has its answer it prints one line and flushes it:

    subscribed S refused R other O: MESSAGE; MESSAGE

S streams were opened, R connections or subscriptions were refused with -32003 (a limit),
O attempts failed otherwise; then the distinct error messages. Then it keeps every connection
open until it is killed.
"""

import json
import signal
import socket
import sys

TIMEOUT = 5.0


def read_line(conn, pending):
    """One line from conn (bytes kept between calls in pending[0]); None at EOF or timeout."""
    while b"\n" not in pending[0]:
        try:
            chunk = conn.recv(65536)
        except OSError:
            return None
        if not chunk:
            return None
        pending[0] += chunk
    line, _, rest = pending[0].partition(b"\n")
    pending[0] = rest
    return line


def reply_to(conn, pending, request_id):
    """The reply for request_id, skipping notifications; a refusal has id null."""
    while True:
        line = read_line(conn, pending)
        if line is None:
            return None
        message = json.loads(line)
        if "method" in message:
            continue  # a queries.event notification
        if message.get("id") in (request_id, None):
            return message


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    path, connections = argv[1], int(argv[2])
    per_connection = int(argv[3]) if len(argv) == 4 else 1
    subscribed = refused = other = 0
    messages = []
    held = []
    request_id = 0
    for _ in range(connections):
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.settimeout(TIMEOUT)
        try:
            conn.connect(path)
        except OSError as error:
            other += 1
            messages.append("connect: %s" % error)
            continue
        held.append(conn)
        pending = [b""]
        for _ in range(per_connection):
            request_id += 1
            request = {"jsonrpc": "2.0", "method": "queries.subscribe", "params": {}, "id": request_id}
            try:
                conn.sendall((json.dumps(request) + "\n").encode())
            except OSError:
                pass  # a refused connection may be closed already; its error line is waiting
            reply = reply_to(conn, pending, request_id)
            if reply is not None and "result" in reply:
                subscribed += 1
                continue
            error = (reply or {}).get("error", {})
            if error.get("code") == -32003:
                refused += 1
            else:
                other += 1
            message = error.get("message", "no reply")
            if message not in messages:
                messages.append(message)
            if reply is None or reply.get("id") is None:
                break  # the connection itself was refused
    print("subscribed %d refused %d other %d: %s" % (subscribed, refused, other, "; ".join(messages)), flush=True)
    while True:
        signal.pause()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
