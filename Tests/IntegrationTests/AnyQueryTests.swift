import Testing

/// ANY is answered minimally (RFC 8482 section 4.1): one RRset of the name, or a synthesised
/// HINFO, never everything at the name.
@Suite("ANY queries (dig)")
struct AnyQueryTests {
    @Test("ANY at a name with many RRsets returns one RRset", arguments: Transport.allCases)
    func minimalAny(transport: Transport) throws {
        try DnsdProcess.with { dnsd in
            // The apex holds SOA, NS, A, AAAA, MX, TXT and CAA.
            let reply = try Dig.query(port: dnsd.port, "example.test", "ANY", transport.digOptions)
            #expect(reply.status == "NOERROR", "\(reply.raw)")
            #expect(reply.authoritative, "\(reply.raw)")
            let types = Set(reply.answer.map(\.type))
            #expect(types.count == 1, "expected one RRset, got \(types.sorted())\n\(reply.raw)")
            #expect(reply.answer.allSatisfy { $0.owner == "example.test." }, "\(reply.raw)")
            if types == ["HINFO"] {
                #expect(reply.answer.count == 1, "\(reply.raw)")
            }
        }
    }

    @Test("ANY at a missing name is still NXDOMAIN")
    func anyNxdomain() throws {
        try DnsdProcess.with { dnsd in
            let reply = try Dig.query(port: dnsd.port, "nope.example.test", "ANY")
            #expect(reply.status == "NXDOMAIN", "\(reply.raw)")
        }
    }
}
