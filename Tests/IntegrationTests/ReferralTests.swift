import Testing

/// Names at or below a delegation (NS at a non-apex name) get a referral: no AA, the
/// child's NS RRset in authority, glue addresses in additional (RFC 1034 section 4.3.2).
@Suite("Referrals (dig)")
struct ReferralTests {
    static let expectedNS: Set<DigRecord> = [
        DigRecord(owner: "sub.example.test.", ttl: 3600, recordClass: "IN", type: "NS", rdata: "ns1.sub.example.test."),
        DigRecord(owner: "sub.example.test.", ttl: 3600, recordClass: "IN", type: "NS", rdata: "ns2.sub.example.test."),
    ]
    static let expectedGlue: Set<DigRecord> = [
        DigRecord(owner: "ns1.sub.example.test.", ttl: 3600, recordClass: "IN", type: "A", rdata: "192.0.2.53"),
        DigRecord(owner: "ns1.sub.example.test.", ttl: 3600, recordClass: "IN", type: "AAAA", rdata: "2001:db8::53"),
        DigRecord(owner: "ns2.sub.example.test.", ttl: 3600, recordClass: "IN", type: "A", rdata: "192.0.2.54"),
    ]

    @Test("below, at and on the glue of a delegation", arguments: Transport.allCases)
    func referral(transport: Transport) throws {
        try DnsdProcess.with { dnsd in
            for (name, type) in [("www.sub.example.test", "A"), ("sub.example.test", "NS"),
                                 ("ns1.sub.example.test", "A"), ("deep.www.SUB.example.test", "MX")] {
                let reply = try Dig.query(port: dnsd.port, name, type, transport.digOptions)
                #expect(reply.status == "NOERROR", "\(name) \(type)\n\(reply.raw)")
                #expect(!reply.authoritative, "a referral is not authoritative: \(name) \(type)\n\(reply.raw)")
                #expect(reply.answer.isEmpty, "\(name) \(type)\n\(reply.raw)")
                #expect(Set(reply.authority) == Self.expectedNS, "\(name) \(type)\n\(reply.raw)")
                #expect(Set(reply.additional) == Self.expectedGlue, "\(name) \(type)\n\(reply.raw)")
            }
        }
    }
}
