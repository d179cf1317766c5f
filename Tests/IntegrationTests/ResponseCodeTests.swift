import Testing

/// Header behaviour outside the happy path: REFUSED for names nobody serves, NOTIMP for
/// opcodes we do not implement, RD copied from the query (RFC 1035 section 4.1.1) and RA
/// never set by an authoritative-only server.
@Suite("Response codes and header flags (dig)")
struct ResponseCodeTests {
    @Test("a name outside every configured zone is REFUSED", arguments: Transport.allCases)
    func refused(transport: Transport) throws {
        try DnsdProcess.with { dnsd in
            let reply = try Dig.query(port: dnsd.port, "www.example.org", "A", transport.digOptions)
            #expect(reply.status == "REFUSED", "\(reply.raw)")
            #expect(!reply.authoritative, "\(reply.raw)")
            #expect(reply.answer.isEmpty, "\(reply.raw)")
        }
    }

    @Test("an unsupported opcode is NOTIMP", arguments: Transport.allCases)
    func notImplemented(transport: Transport) throws {
        try DnsdProcess.with { dnsd in
            let reply = try Dig.query(port: dnsd.port, "example.test", "SOA", transport.digOptions + ["+opcode=status"])
            #expect(reply.status == "NOTIMP", "\(reply.raw)")
        }
    }

    @Test("RD is copied, RA is never set", arguments: Transport.allCases)
    func recursionFlags(transport: Transport) throws {
        try DnsdProcess.with { dnsd in
            let withRD = try Dig.query(port: dnsd.port, "www.example.test", "A", transport.digOptions + ["+rec"])
            #expect(withRD.flags.contains("rd"), "\(withRD.raw)")
            #expect(!withRD.flags.contains("ra"), "\(withRD.raw)")
            #expect(withRD.flags.contains("qr"), "\(withRD.raw)")

            let withoutRD = try Dig.query(port: dnsd.port, "www.example.test", "A", transport.digOptions + ["+norec"])
            #expect(!withoutRD.flags.contains("rd"), "\(withoutRD.raw)")
            #expect(!withoutRD.flags.contains("ra"), "\(withoutRD.raw)")
        }
    }
}
