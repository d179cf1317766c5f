"""Stream clients for the dnsd stream-limit tests (python3 ssl + dnspython), bounded in time.

  stream_drip.py drip MODE HOST PORT INTERVAL LIMIT
      Sends a request one byte every INTERVAL seconds and never its last byte, until the
      server closes the connection or LIMIT seconds pass: prints "closed after S bytes=N" or
      "open after S bytes=N" (S counted from the first byte, after any TLS handshake).
      MODE: tcp (length-framed query), dot (the same over TLS, ALPN dot), doh (an HTTP/1.1
      GET head over TLS, ALPN http/1.1), doh2 (the HTTP/2 connection preface and SETTINGS
      over TLS, ALPN h2).
  stream_drip.py h2settings HOST PORT
      Opens an HTTP/2 connection over TLS and prints the server's SETTINGS parameters as
      "NAME=VALUE" lines (MAX_CONCURRENT_STREAMS, MAX_HEADER_LIST_SIZE, ...).
  stream_drip.py h2burst HOST PORT KIND COUNT [PAUSE COUNT2]
      Opens an HTTP/2 connection over TLS and sends COUNT frames of KIND: "ping" (PING),
      "reset" (a request, then RST_STREAM for it: the "Rapid Reset" pattern) or "glitch" (a
      request without :method, a stream error); then, after PAUSE seconds, COUNT2 more. Prints
      "goaway=G closed=C": G 1 when the server sent GOAWAY, C 1 when it closed the connection,
      within 5 s of the last frame (2 s after a GOAWAY).
Certificates are not verified; SNI is dns.test.
"""
import base64
import socket
import ssl
import struct
import sys
import time

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
EMPTY_SETTINGS = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"
SETTING_NAMES = {1: "HEADER_TABLE_SIZE", 2: "ENABLE_PUSH", 3: "MAX_CONCURRENT_STREAMS", 4: "INITIAL_WINDOW_SIZE",
                 5: "MAX_FRAME_SIZE", 6: "MAX_HEADER_LIST_SIZE"}


def connect(host, port, alpn):
    raw = socket.create_connection((host, port), timeout=5)
    if alpn is None:
        return raw
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols([alpn])
    return context.wrap_socket(raw, server_hostname="dns.test")


def request(mode):
    import dns.message  # here, not at the top: the HTTP/2 modes start faster without it

    query = dns.message.make_query("www.example.test.", "A").to_wire()
    if mode in ("tcp", "dot"):
        return struct.pack("!H", len(query)) + query
    if mode == "doh":
        encoded = base64.urlsafe_b64encode(query).rstrip(b"=").decode()
        return f"GET /dns-query?dns={encoded} HTTP/1.1\r\nHost: dns.test\r\nAccept: application/dns-message\r\n\r\n".encode()
    return PREFACE + EMPTY_SETTINGS + EMPTY_SETTINGS


def closed_within(sock, seconds):
    """True when the server closes within `seconds`; what it sends meanwhile is read and dropped."""
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        sock.settimeout(left)
        try:
            if sock.recv(4096) == b"":
                return True
        except socket.timeout:
            return False
        except (ssl.SSLError, OSError):
            return True


def drip(mode, host, port, interval, limit):
    alpn = {"tcp": None, "dot": "dot", "doh": "http/1.1", "doh2": "h2"}[mode]
    sock = connect(host, port, alpn)
    payload = request(mode)
    start = time.monotonic()
    sent = 0
    while time.monotonic() - start < limit:
        if sent < len(payload) - 1:
            try:
                sock.sendall(payload[sent:sent + 1])
            except (ssl.SSLError, OSError):
                print(f"closed after {time.monotonic() - start:.1f} bytes={sent}")
                return
            sent += 1
        if closed_within(sock, interval):
            print(f"closed after {time.monotonic() - start:.1f} bytes={sent}")
            return
    print(f"open after {time.monotonic() - start:.1f} bytes={sent}")


def h2settings(host, port):
    sock = connect(host, port, "h2")
    sock.sendall(PREFACE + EMPTY_SETTINGS)
    data = b""
    sock.settimeout(5)
    while True:
        while len(data) < 9:
            chunk = sock.recv(4096)
            if not chunk:
                raise SystemExit("closed before SETTINGS")
            data += chunk
        length = int.from_bytes(data[0:3], "big")
        kind, flags = data[3], data[4]
        while len(data) < 9 + length:
            data += sock.recv(4096)
        body, data = data[9:9 + length], data[9 + length:]
        if kind == 4 and not flags & 1:
            for at in range(0, len(body), 6):
                key, value = struct.unpack("!HI", body[at:at + 6])
                print(f"{SETTING_NAMES.get(key, key)}={value}")
            return


def frame(kind, flags, stream, payload):
    return len(payload).to_bytes(3, "big") + bytes([kind, flags]) + stream.to_bytes(4, "big") + payload


# HPACK: :method GET, :scheme https, :path /, then :authority dns.test as a literal.
REQUEST = b"\x82\x87\x84\x41\x08dns.test"
# :path / and :authority only: no :method, which the server refuses for that stream.
BROKEN_REQUEST = b"\x84\x41\x08dns.test"


def h2burst(host, port, kind, counts, pause):
    sock = connect(host, port, "h2")
    sock.sendall(PREFACE + EMPTY_SETTINGS)
    stream = 1
    for number, count in enumerate(counts):
        if number:
            time.sleep(pause)
        data = b""
        for _ in range(count):
            if kind == "ping":
                data += frame(6, 0, 0, b"dnsdtest")
            elif kind == "reset":
                data += frame(1, 0x5, stream, REQUEST) + frame(3, 0, stream, (8).to_bytes(4, "big"))
                stream += 2
            else:
                data += frame(1, 0x5, stream, BROKEN_REQUEST)
                stream += 2
        try:
            sock.sendall(data)
        except OSError:
            print("goaway=0 closed=1")
            return
    # Up to 5 s for the server's verdict: a GOAWAY, then the connection closed (or neither).
    sock.settimeout(0.2)
    received = b""
    goaway = closed = False
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not closed:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            chunk = b""
        if not chunk:
            closed = True
            break
        received += chunk
        while len(received) >= 9 and len(received) >= 9 + int.from_bytes(received[0:3], "big"):
            length = int.from_bytes(received[0:3], "big")
            if received[3] == 7 and not goaway:
                goaway = True
                deadline = min(deadline, time.monotonic() + 2)
            received = received[9 + length:]
    print(f"goaway={int(goaway)} closed={int(closed)}")


if __name__ == "__main__":
    if sys.argv[1] == "drip":
        drip(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]))
    elif sys.argv[1] == "h2settings":
        h2settings(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "h2burst":
        more = [int(sys.argv[7])] if len(sys.argv) > 7 else []
        h2burst(sys.argv[2], int(sys.argv[3]), sys.argv[4], [int(sys.argv[5])] + more,
                float(sys.argv[6]) if len(sys.argv) > 6 else 0)
    else:
        raise SystemExit(__doc__)
