import Testing

/// EDNS (RFC 6891) and truncation: the OPT record is echoed with our 1232-byte payload size
/// only when the query had one, and an answer too big for the client's size sets TC and is
/// cut at an RRset boundary (RFC 2181 section 9).
@Suite("EDNS and truncation (dig)")
struct EDNSTruncationTests {
    @Test("OPT is echoed with our UDP size, and absent when the query had none", arguments: Transport.allCases)
    func optEcho(transport: Transport) throws {
        try DnsdProcess.with { dnsd in
            let large = try Dig.query(port: dnsd.port, "www.example.test", "A", transport.digOptions + ["+edns=0", "+bufsize=4096"])
            #expect(large.ednsUDPSize == 1232, "\(large.raw)")

            let small = try Dig.query(port: dnsd.port, "www.example.test", "A", transport.digOptions + ["+edns=0", "+bufsize=512"])
            #expect(small.ednsUDPSize == 1232, "\(small.raw)")

            let none = try Dig.query(port: dnsd.port, "www.example.test", "A", transport.digOptions + ["+noedns"])
            #expect(none.ednsUDPSize == nil, "\(none.raw)")
            #expect(none.answers("A") == ["192.0.2.80"], "\(none.raw)")
        }
    }

    @Test("a big RRset sets TC over UDP without EDNS, and is whole over TCP or with EDNS")
    func truncation() throws {
        try DnsdProcess.with { dnsd in
            let cut = try Dig.query(port: dnsd.port, "big.example.test", "TXT", ["+notcp", "+ignore", "+noedns"])
            #expect(cut.status == "NOERROR", "\(cut.raw)")
            #expect(cut.flags.contains("tc"), "about 900 bytes cannot fit in 512\n\(cut.raw)")
            // The only RRset does not fit, so cutting at an RRset boundary leaves none of it.
            #expect(cut.answer.isEmpty, "TXT records of a partial RRset were sent\n\(cut.raw)")

            // CNAME then the big RRset: the cut falls between them, the CNAME stays whole.
            let chained = try Dig.query(port: dnsd.port, "bigalias.example.test", "TXT", ["+notcp", "+ignore", "+noedns"])
            #expect(chained.flags.contains("tc"), "\(chained.raw)")
            #expect(chained.answers("TXT").isEmpty, "part of the TXT RRset was sent\n\(chained.raw)")
            #expect(chained.answers("CNAME") == ["big.example.test."], "\(chained.raw)")

            let edns = try Dig.query(port: dnsd.port, "big.example.test", "TXT", ["+notcp", "+ignore", "+edns=0", "+bufsize=1232"])
            #expect(!edns.flags.contains("tc"), "\(edns.raw)")
            #expect(edns.answers("TXT").count == 7, "\(edns.raw)")

            let tcp = try Dig.query(port: dnsd.port, "big.example.test", "TXT", ["+tcp", "+noedns"])
            #expect(!tcp.flags.contains("tc"), "\(tcp.raw)")
            #expect(tcp.answers("TXT").count == 7, "\(tcp.raw)")

            // dig retries over TCP by itself after TC, the way stub resolvers do.
            let retried = try Dig.query(port: dnsd.port, "big.example.test", "TXT", ["+notcp", "+noedns"])
            #expect(retried.answers("TXT").count == 7, "\(retried.raw)")
        }
    }
}
