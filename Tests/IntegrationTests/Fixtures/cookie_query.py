#!/usr/bin/python3
"""One A query with a COOKIE option, from dnspython, for dnsd's cookie tests.

usage: cookie_query.py PORT NAME COOKIEHEX [tcp]

Prints the response's rcode name and the hex of its COOKIE option ("-" when none), e.g.
"NOERROR 0123456789abcdef01000000....".
"""
import sys

import dns.edns
import dns.message
import dns.query
import dns.rcode

PORT, NAME, COOKIE = int(sys.argv[1]), sys.argv[2], bytes.fromhex(sys.argv[3])
query = dns.message.make_query(NAME, "A", use_edns=0, options=[dns.edns.GenericOption(10, COOKIE)])
if len(sys.argv) > 4 and sys.argv[4] == "tcp":
    reply = dns.query.tcp(query, "127.0.0.1", port=PORT, timeout=3)
else:
    reply = dns.query.udp(query, "127.0.0.1", port=PORT, timeout=3, ignore_trailing=True)
cookies = [option.to_wire().hex() for option in reply.options if option.otype == 10]
print(dns.rcode.to_text(reply.rcode()), cookies[0] if cookies else "-")
