import Testing

/// The zone plugin's authoritative answers, checked with dig over UDP and TCP: data, CNAME
/// chains, negative answers (RFC 2308) and wildcards (RFC 4592).
@Suite("Authoritative answers (dig)")
struct AuthoritativeAnswerTests {
    @Test("an existing name answers its RRset with AA", arguments: Transport.allCases)
    func existingName(transport: Transport) throws {
        try DnsdProcess.with { dnsd in
            let a = try Dig.query(port: dnsd.port, "www.example.test", "A", transport.digOptions)
            #expect(a.status == "NOERROR", "\(a.raw)")
            #expect(a.authoritative, "\(a.raw)")
            #expect(a.answer == [DigRecord(owner: "www.example.test.", ttl: 600, recordClass: "IN", type: "A", rdata: "192.0.2.80")], "\(a.raw)")

            let mx = try Dig.query(port: dnsd.port, "example.test", "MX", transport.digOptions)
            #expect(mx.answers("MX") == ["10 mail.example.test.", "20 mail2.example.test."], "\(mx.raw)")

            let soa = try Dig.query(port: dnsd.port, "example.test", "SOA", transport.digOptions)
            #expect(soa.answers("SOA") == ["ns1.example.test. hostmaster.example.test. 2026010101 7200 3600 1209600 300"], "\(soa.raw)")
        }
    }

    @Test("a qname in mixed case matches, case-insensitively", arguments: Transport.allCases)
    func mixedCase(transport: Transport) throws {
        try DnsdProcess.with { dnsd in
            let reply = try Dig.query(port: dnsd.port, "WwW.ExAmPlE.TeSt", "AAAA", transport.digOptions)
            #expect(reply.status == "NOERROR", "\(reply.raw)")
            #expect(reply.answers("AAAA") == ["2001:db8::80"], "\(reply.raw)")
        }
    }

    @Test("a missing name is NXDOMAIN with the SOA at TTL min(SOA TTL, MINIMUM)", arguments: Transport.allCases)
    func nxdomain(transport: Transport) throws {
        try DnsdProcess.with { dnsd in
            let reply = try Dig.query(port: dnsd.port, "nope.example.test", "A", transport.digOptions)
            #expect(reply.status == "NXDOMAIN", "\(reply.raw)")
            #expect(reply.authoritative, "\(reply.raw)")
            #expect(reply.answer.isEmpty, "\(reply.raw)")
            #expect(reply.authority.map(\.type) == ["SOA"], "\(reply.raw)")
            #expect(reply.authority.first?.owner == "example.test.", "\(reply.raw)")
            #expect(reply.authority.first?.ttl == 300, "RFC 2308 section 3: min(3600, 300)\n\(reply.raw)")
        }
    }

    @Test("an existing name without the type is NODATA with the SOA", arguments: Transport.allCases)
    func nodata(transport: Transport) throws {
        try DnsdProcess.with { dnsd in
            let reply = try Dig.query(port: dnsd.port, "www.example.test", "MX", transport.digOptions)
            #expect(reply.status == "NOERROR", "\(reply.raw)")
            #expect(reply.authoritative, "\(reply.raw)")
            #expect(reply.answer.isEmpty, "\(reply.raw)")
            #expect(reply.authority.map(\.type) == ["SOA"], "\(reply.raw)")
            #expect(reply.authority.first?.ttl == 300, "\(reply.raw)")
        }
    }

    @Test("an in-zone CNAME chain is followed in the answer", arguments: Transport.allCases)
    func cnameChain(transport: Transport) throws {
        try DnsdProcess.with { dnsd in
            let reply = try Dig.query(port: dnsd.port, "alias.example.test", "A", transport.digOptions)
            #expect(reply.status == "NOERROR", "\(reply.raw)")
            #expect(reply.authoritative, "\(reply.raw)")
            #expect(Set(reply.answer) == [
                DigRecord(owner: "alias.example.test.", ttl: 3600, recordClass: "IN", type: "CNAME", rdata: "alias2.example.test."),
                DigRecord(owner: "alias2.example.test.", ttl: 120, recordClass: "IN", type: "CNAME", rdata: "www.example.test."),
                DigRecord(owner: "www.example.test.", ttl: 600, recordClass: "IN", type: "A", rdata: "192.0.2.80"),
            ], "\(reply.raw)")

            // Chain ending in NODATA: the CNAMEs plus the SOA (RFC 2308 section 2.2).
            let nodata = try Dig.query(port: dnsd.port, "alias.example.test", "MX", transport.digOptions)
            #expect(nodata.status == "NOERROR", "\(nodata.raw)")
            #expect(nodata.answers("CNAME") == ["alias2.example.test.", "www.example.test."], "\(nodata.raw)")
            #expect(nodata.authority.map(\.type) == ["SOA"], "\(nodata.raw)")
        }
    }

    @Test("a CNAME leaving the zone is answered alone", arguments: Transport.allCases)
    func cnameOutOfZone(transport: Transport) throws {
        try DnsdProcess.with { dnsd in
            let reply = try Dig.query(port: dnsd.port, "outside.example.test", "A", transport.digOptions)
            #expect(reply.status == "NOERROR", "\(reply.raw)")
            #expect(reply.authoritative, "\(reply.raw)")
            #expect(reply.answer == [DigRecord(owner: "outside.example.test.", ttl: 3600, recordClass: "IN", type: "CNAME", rdata: "target.elsewhere.invalid.")], "\(reply.raw)")
        }
    }

    @Test("a wildcard synthesises records owned by the qname", arguments: Transport.allCases)
    func wildcard(transport: Transport) throws {
        try DnsdProcess.with { dnsd in
            let reply = try Dig.query(port: dnsd.port, "foo.wild.example.test", "A", transport.digOptions)
            #expect(reply.status == "NOERROR", "\(reply.raw)")
            #expect(reply.authoritative, "\(reply.raw)")
            #expect(reply.answer == [DigRecord(owner: "foo.wild.example.test.", ttl: 3600, recordClass: "IN", type: "A", rdata: "192.0.2.99")], "\(reply.raw)")

            let deeper = try Dig.query(port: dnsd.port, "a.b.wild.example.test", "TXT", transport.digOptions)
            #expect(deeper.answer.map(\.owner) == ["a.b.wild.example.test."], "\(deeper.raw)")
            #expect(deeper.answers("TXT") == ["\"synthesised from *.wild\""], "\(deeper.raw)")

            let nodata = try Dig.query(port: dnsd.port, "foo.wild.example.test", "AAAA", transport.digOptions)
            #expect(nodata.status == "NOERROR", "\(nodata.raw)")
            #expect(nodata.answer.isEmpty, "\(nodata.raw)")
            #expect(nodata.authority.map(\.type) == ["SOA"], "\(nodata.raw)")
        }
    }

    @Test("an empty non-terminal is NODATA and blocks the wildcard above it", arguments: Transport.allCases)
    func emptyNonTerminal(transport: Transport) throws {
        try DnsdProcess.with { dnsd in
            // b.ent exists only because a.b.ent does (RFC 4592 section 2.2.2).
            let ent = try Dig.query(port: dnsd.port, "b.ent.example.test", "A", transport.digOptions)
            #expect(ent.status == "NOERROR", "\(ent.raw)")
            #expect(ent.authoritative, "\(ent.raw)")
            #expect(ent.answer.isEmpty, "*.ent must not match an existing name\n\(ent.raw)")
            #expect(ent.authority.map(\.type) == ["SOA"], "\(ent.raw)")

            // Below the ENT the closest encloser is b.ent, which has no wildcard child.
            let below = try Dig.query(port: dnsd.port, "x.b.ent.example.test", "A", transport.digOptions)
            #expect(below.status == "NXDOMAIN", "\(below.raw)")
            #expect(below.answer.isEmpty, "\(below.raw)")

            // A sibling that does not exist is covered by *.ent.
            let sibling = try Dig.query(port: dnsd.port, "x.ent.example.test", "A", transport.digOptions)
            #expect(sibling.status == "NOERROR", "\(sibling.raw)")
            #expect(sibling.answers("A") == ["192.0.2.77"], "\(sibling.raw)")

            let leaf = try Dig.query(port: dnsd.port, "a.b.ent.example.test", "A", transport.digOptions)
            #expect(leaf.answers("A") == ["192.0.2.78"], "\(leaf.raw)")
        }
    }
}
