import DNSProto
import NIOCore
import NIOEmbedded
@testable import Resolver

/// A zone exercising every lookup path, and helpers to query it.
enum ZoneFixture {
    static let text = """
    $ORIGIN example.test.
    $TTL 3600
    @           IN SOA ns1 hostmaster 2026010101 1h 15m 1w 300
                IN NS  ns1
                IN NS  ns2.elsewhere.test.
                IN MX  10 mail
    ns1         IN A   192.0.2.1
    mail        IN A   192.0.2.25
                IN AAAA 2001:db8::25
    www         IN A   192.0.2.80
    alias       IN CNAME www
    alias2      IN CNAME alias
    outside     IN CNAME www.other.test.
    loop1       IN CNAME loop2
    loop2       IN CNAME loop1
    dangling    IN CNAME missing
    *.wild      IN A   192.0.2.99
                IN TXT "wildcard"
    a.b.ent     IN A   192.0.2.7
    *.ent       IN A   192.0.2.8
    sub         IN NS  ns.sub
                IN NS  ns.other.test.
                IN DS  12345 13 2 ABCDEF0123456789
    ns.sub      IN A   192.0.2.53
                IN AAAA 2001:db8::53
    deep.sub    IN A   192.0.2.54
    dn          IN DNAME target.test.
    _sip._tcp   IN SRV 10 5 5060 mail
    """

    static let zone: AuthoritativeZone = {
        try! ZoneLoader.parse(text: text, file: "fixture.zone", origin: try! DNSName("example.test."))
    }()

    static func query(_ name: String, _ type: RecordType, edns: EDNS? = EDNS()) -> Message {
        var header = Header(id: 4242)
        header.recursionDesired = true
        return Message(header: header, questions: [Question(name: try! DNSName(name), type: type)], edns: edns)
    }

    static func ask(_ name: String, _ type: RecordType) -> Message {
        zone.answer(query(name, type))
    }
}

extension Message {
    /// Answer RDATA as presentation text, for compact assertions.
    var answerTexts: [String] { answers.map { "\($0.name) \($0.type) \($0.rdata.presentation(type: $0.type))" } }
}
