#!/usr/bin/python3
"""Writes the seed corpora of the packet-query, relay-answer, DoH, control, hosts and config
harnesses (fuzz/README.md). DNS messages come from dnspython's to_wire(); run with Debian's
/usr/bin/python3 (python3-dnspython). Re-running rewrites the same files."""
import base64
import json
import os
import pathlib

import dns.edns
import dns.flags
import dns.message
import dns.rrset

here = pathlib.Path(__file__).resolve().parent
corpus = here / "corpus"


def write(kind, name, data):
    directory = corpus / kind
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def query(name, rdtype, **options):
    message = dns.message.make_query(name, rdtype, **options)
    message.id = 0x1234
    return message


# packet-query: what the packet cache reads (plain queries, EDNS, DO, cookies, 0x20 case).
queries = {
    "a.bin": query("www.example.com.", "A", use_edns=False),
    "aaaa-edns.bin": query("www.example.com.", "AAAA", use_edns=0, payload=1232),
    "mixed-case-do.bin": query("wWw.ExAmPlE.cOm.", "A", want_dnssec=True, payload=4096),
    "cookie.bin": query("example.com.", "TXT", use_edns=0,
                        options=[dns.edns.GenericOption(dns.edns.COOKIE, bytes(range(8)))]),
    "cookie-server.bin": query("example.com.", "MX", use_edns=0,
                               options=[dns.edns.GenericOption(dns.edns.COOKIE, bytes(range(24)))]),
    "ecs.bin": query("example.com.", "A", use_edns=0, options=[dns.edns.ECSOption("192.0.2.0", 24)]),
    "root-ns.bin": query(".", "NS", use_edns=0),
}
for name, message in queries.items():
    write("packet-query", name, message.to_wire())


# relay-answer: upstream answers for those questions (OPT with EDE and ECS scope, SOA, CNAME).
def answer(request, rcode=0, answers=(), authority=(), additional=(), options=None):
    response = dns.message.make_response(request)
    response.set_rcode(rcode)
    response.flags |= dns.flags.RA
    for text in answers:
        response.answer.append(dns.rrset.from_text(*text))
    for text in authority:
        response.authority.append(dns.rrset.from_text(*text))
    for text in additional:
        response.additional.append(dns.rrset.from_text(*text))
    if options is not None:
        response.use_edns(0, payload=1232, options=options)
    return response.to_wire()


soa = ("example.com.", 300, "IN", "SOA", "ns1.example.com. hostmaster.example.com. 1 3600 600 86400 60")
write("relay-answer", "a.bin", answer(queries["a.bin"], answers=[("www.example.com.", 300, "IN", "A", "192.0.2.1", "192.0.2.2")]))
write("relay-answer", "cname-edns.bin", answer(queries["aaaa-edns.bin"], answers=[
    ("www.example.com.", 60, "IN", "CNAME", "web.example.com."), ("web.example.com.", 60, "IN", "AAAA", "2001:db8::1")], options=[]))
write("relay-answer", "nxdomain-soa.bin", answer(queries["mixed-case-do.bin"], rcode=3, authority=[soa], options=[]))
write("relay-answer", "nodata-ede.bin", answer(queries["cookie.bin"], authority=[soa],
                                               options=[dns.edns.EDEOption(dns.edns.EDECode.STALE_ANSWER, "stale")]))
write("relay-answer", "ecs-scope.bin", answer(queries["ecs.bin"], answers=[("example.com.", 30, "IN", "A", "192.0.2.9")],
                                              options=[dns.edns.ECSOption("192.0.2.0", 24, 24)]))
write("relay-answer", "referral.bin", answer(queries["root-ns.bin"], authority=[("com.", 172800, "IN", "NS", "a.gtld-servers.net.")],
                                             additional=[("a.gtld-servers.net.", 172800, "IN", "A", "192.5.6.30")], options=[]))

# doh: raw HTTP/1.1 as curl and dnsperf send it.
wire = queries["aaaa-edns.bin"].to_wire()
encoded = base64.urlsafe_b64encode(wire).decode().rstrip("=")
www = query("www.dnsd.internal.", "A", use_edns=0).to_wire()
write("doh", "get.http", f"GET /dns-query?dns={base64.urlsafe_b64encode(www).decode().rstrip('=')} HTTP/1.1\r\n"
      "Host: localhost\r\nAccept: application/dns-message\r\n\r\n")
write("doh", "get-other.http", f"GET /dns-query?ct&dns={encoded} HTTP/1.1\r\nHost: localhost\r\n\r\n")
write("doh", "post.http", b"POST /dns-query HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/dns-message\r\n"
      + f"Content-Length: {len(www)}\r\n\r\n".encode() + www)
write("doh", "post-chunked.http", b"POST /dns-query HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/dns-message; charset=x\r\n"
      + b"Transfer-Encoding: chunked\r\n\r\n" + f"{len(www):x}\r\n".encode() + www + b"\r\n0\r\n\r\n")
write("doh", "json.http", "GET /resolve?name=web.dnsd.internal&type=AAAA&do=1&cd=true HTTP/1.1\r\nHost: localhost\r\n\r\n"
      "GET /resolve?name=printer.lan.&type=28 HTTP/1.1\r\nHost: localhost\r\n\r\n")
write("doh", "errors.http", "PUT /dns-query HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
      "GET /other?dns=AAAA HTTP/1.1\r\nHost: x\r\n\r\nPOST /dns-query HTTP/1.1\r\nContent-Type: text/plain\r\nContent-Length: 1\r\n\r\nx"
      "GET /dns-query?dns=%41%41 HTTP/1.0\r\n\r\n")

# control: JSON-RPC lines as dnsctl writes them.
lines = [
    {"jsonrpc": "2.0", "method": "system.listMethods", "id": 1},
    {"jsonrpc": "2.0", "method": "system.methodHelp", "params": {"name": "zone.add"}, "id": "a"},
    {"jsonrpc": "2.0", "method": "system.methodSignature", "params": ["cache.lookup"], "id": 2},
    {"jsonrpc": "2.0", "method": "zone.show", "params": {"zone": "dnsd.internal."}, "id": 3},
    {"jsonrpc": "2.0", "method": "queries.top", "params": {"count": 5, "by": "name"}, "id": 4},
    {"jsonrpc": "2.0", "method": "stats.get", "id": None},
    {"jsonrpc": "2.0", "method": "core.ping"},
    {"jsonrpc": "2.0", "method": "zone.add", "params": {"zone": "dnsd.internal", "record": "x 60 IN A 192.0.2.1"}, "id": 5},
]
write("control", "each.jsonl", "\n".join(json.dumps(line) for line in lines) + "\n")
write("control", "batch.jsonl", json.dumps(lines[:4]) + "\r\n[]\n{\"jsonrpc\": \"2.0\"}\nnot json\n")
write("control", "subscribe.jsonl", json.dumps({"jsonrpc": "2.0", "method": "queries.subscribe", "params": {"interval": 200}, "id": 9})
      + "\n" + json.dumps({"jsonrpc": "2.0", "method": "queries.unsubscribe", "params": [1], "id": 10}) + "\n")

# hosts: the formats hosts(5) files have in the wild.
write("hosts", "debian.hosts", "127.0.0.1\tlocalhost\n127.0.1.1\thost.example.org\thost\n\n"
      "# The following lines are desirable for IPv6 capable hosts\n::1     localhost ip6-localhost ip6-loopback\n"
      "ff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n")
write("hosts", "odd.hosts", "192.0.2.1 a.example. b # trailing comment\r\nfe80::1%eth0 link\n10.0.0.1\n"
      "2001:db8::1 \\065scaped.example\n::ffff:192.0.2.3 mapped\n300.1.1.1 bad\n")

# config: the built-in configuration and the shapes the docs show.
write("config", "small.yaml", """listen: [udp://127.0.0.1:5353, tcp://127.0.0.1:5353, http://127.0.0.1:8053/dns-query]
tcp: {idle_timeout: 10s, query_timeout: 5s, max_connections: 1000, max_connections_per_client: 64, max_queries_in_flight: 100}
http2: {max_concurrent_streams: 100}
udp: {scheduling: batch, segmentation: true, batch_wait: 50us}
edns_udp_size: 1232
threads: 2
log: {level: info}
control: {socket: control.sock, mode: "0660"}
acl: [{allow: [localnets, 192.0.2.0/24]}, {block: any}]
rrl: {responses_per_second: 200, slip: 2, window: 15s, exempt: [loopback]}
limits: {queries_per_second: 100}
servers:
  - zones: [example.]
    plugins: [{zone: {file: example.zone, compact: 4096}}]
  - zones: [.]
    plugins:
      - hosts: {file: hosts, ttl: 60, reload: 5s, fallthrough: true}
      - cache: {max_entries: 1000, serve_stale: 1d, prefetch: true, min_ttl: 0, max_ttl: 1d}
      - forward: {to: [udp://127.0.0.1:53, tls://127.0.0.1:853@dns.example], policy: fastest}
""")
write("config", "traps.yaml", "listen: [udp://127.0.0.1:53]\ntcp: {idle_timeout: 1e10, query_timeout: inf, max_connections: -1}\n"
      "servers:\n  - zones: [.]\n    plugins: [zone, {recurse: {}}]\n")
