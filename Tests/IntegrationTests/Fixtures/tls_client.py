"""TLS clients for the dnsd TLS tests (python3 ssl + dnspython), bounded in time.

  tls_client.py hold HOST PORT SNI STOPFILE
      One DoT connection, opened once: prints "serial X", then sends a query every 50 ms
      on that same connection until STOPFILE exists (at most 120 s), then prints
      "done queries=N failures=F serial=X" (X read again from the same connection).
  tls_client.py storm HOST PORT SNI STOPFILE
      New connection after new connection, one query each, until STOPFILE exists (at most
      120 s): "done handshakes=N failures=F serials=S1,S2,...".
SNI "-" sends none. Certificates are not verified: the tests compare serials instead.
"""
import os
import socket
import ssl
import struct
import sys
import time

import dns.message
import dns.rcode


def der_serial(der):
    """The serial of a DER certificate, as openssl prints it (upper-case hex)."""
    def header(data, pos):
        tag = data[pos]
        length = data[pos + 1]
        pos += 2
        if length & 0x80:
            count = length & 0x7F
            length = int.from_bytes(data[pos:pos + count], "big")
            pos += count
        return tag, length, pos

    _, _, pos = header(der, 0)          # Certificate SEQUENCE
    _, _, pos = header(der, pos)        # tbsCertificate SEQUENCE
    tag, length, inner = header(der, pos)
    if tag == 0xA0:                     # [0] version
        pos = inner + length
        tag, length, inner = header(der, pos)
    value = der[inner:inner + length].lstrip(b"\x00") or b"\x00"
    return value.hex().upper()


def connect(host, port, sni):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["dot"])
    raw = socket.create_connection((host, port), timeout=5)
    return context.wrap_socket(raw, server_hostname=None if sni == "-" else sni)


def query(sock):
    message = dns.message.make_query("www.example.test.", "A")
    wire = message.to_wire()
    sock.sendall(struct.pack("!H", len(wire)) + wire)
    def read(count):
        data = b""
        while len(data) < count:
            chunk = sock.recv(count - len(data))
            if not chunk:
                raise EOFError("connection closed")
            data += chunk
        return data
    (length,) = struct.unpack("!H", read(2))
    answer = dns.message.from_wire(read(length))
    return answer.id == message.id and answer.rcode() == dns.rcode.NOERROR and len(answer.answer) > 0


def main():
    mode, host, port, sni, stop = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
    deadline = time.time() + 120
    if mode == "hold":
        sock = connect(host, port, sni)
        print("serial", der_serial(sock.getpeercert(binary_form=True)), flush=True)
        queries = failures = 0
        while not os.path.exists(stop) and time.time() < deadline:
            queries += 1
            try:
                if not query(sock):
                    failures += 1
            except Exception as error:  # noqa: BLE001 - any failure counts
                print("error", error, flush=True)
                failures += 1
                break
            time.sleep(0.05)
        print(f"done queries={queries} failures={failures} serial={der_serial(sock.getpeercert(binary_form=True))}", flush=True)
    else:
        handshakes = failures = 0
        serials = []
        while not os.path.exists(stop) and time.time() < deadline:
            handshakes += 1
            try:
                with connect(host, port, sni) as sock:
                    serial = der_serial(sock.getpeercert(binary_form=True))
                    if serial not in serials:
                        serials.append(serial)
                    if not query(sock):
                        failures += 1
            except Exception as error:  # noqa: BLE001
                print("error", error, flush=True)
                failures += 1
        print(f"done handshakes={handshakes} failures={failures} serials={','.join(serials)}", flush=True)


if __name__ == "__main__":
    main()
