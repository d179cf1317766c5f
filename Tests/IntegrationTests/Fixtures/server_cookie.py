#!/usr/bin/python3
"""Prints a DNS cookie (client cookie then server cookie, hex) that a server holding SECRET
would make now for CLIENTCOOKIE and the client address CLIENTIP, by RFC 9018's algorithm
(version 1, SipHash-2-4 over client cookie, version, reserved, timestamp and client address),
which servers sharing a secret all use. For dnsd's tests that a configured secret is in force.

usage: server_cookie.py SECRETHEX CLIENTCOOKIEHEX CLIENTIP
"""
import socket
import struct
import sys
import time

MASK = (1 << 64) - 1


def rotl(value, bits):
    return ((value << bits) | (value >> (64 - bits))) & MASK


def siphash24(key, data):
    k0, k1 = struct.unpack("<QQ", key)
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D, k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573]

    def rounds(count):
        for _ in range(count):
            v[0] = (v[0] + v[1]) & MASK; v[1] = rotl(v[1], 13) ^ v[0]; v[0] = rotl(v[0], 32)
            v[2] = (v[2] + v[3]) & MASK; v[3] = rotl(v[3], 16) ^ v[2]
            v[0] = (v[0] + v[3]) & MASK; v[3] = rotl(v[3], 21) ^ v[0]
            v[2] = (v[2] + v[1]) & MASK; v[1] = rotl(v[1], 17) ^ v[2]; v[2] = rotl(v[2], 32)

    whole = len(data) - len(data) % 8
    for at in range(0, whole, 8):
        word = struct.unpack("<Q", data[at:at + 8])[0]
        v[3] ^= word
        rounds(2)
        v[0] ^= word
    last = ((len(data) & 0xFF) << 56) | int.from_bytes(data[whole:], "little")
    v[3] ^= last
    rounds(2)
    v[0] ^= last
    v[2] ^= 0xFF
    rounds(4)
    return struct.pack("<Q", v[0] ^ v[1] ^ v[2] ^ v[3])


secret, client_cookie, address = bytes.fromhex(sys.argv[1]), bytes.fromhex(sys.argv[2]), socket.inet_aton(sys.argv[3])
head = bytes([1, 0, 0, 0]) + struct.pack("!I", int(time.time()))
print((client_cookie + head + siphash24(secret, client_cookie + head + address)).hex())
