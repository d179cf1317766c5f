import DNSProto
import Testing
@testable import Resolver

@Suite("Authoritative zone lookup")
struct ZoneLookupTests {
    @Test func exactMatchIsAuthoritativeWithAdditionalAddresses() {
        let response = ZoneFixture.ask("example.test.", .mx)
        #expect(response.header.authoritative)
        #expect(response.rcode == .noError)
        #expect(response.answerTexts == ["example.test. MX 10 mail.example.test."])
        #expect(Set(response.additionals.map(\.type)) == [.a, .aaaa])
    }

    @Test func noDataCarriesTheSOAWithTheNegativeTTL() {
        let response = ZoneFixture.ask("www.example.test.", .aaaa)
        #expect(response.rcode == .noError)
        #expect(response.answers.isEmpty)
        #expect(response.authorities.map(\.type) == [.soa])
        #expect(response.authorities.first?.ttl == 300, "min(SOA TTL 3600, MINIMUM 300)")
    }

    @Test func nameErrorIsNXDOMAIN() {
        let response = ZoneFixture.ask("nothing.example.test.", .a)
        #expect(response.rcode == .nxDomain)
        #expect(response.header.authoritative)
        #expect(response.authorities.map(\.type) == [.soa])
    }

    @Test func cnameChainsAreFollowedInsideTheZone() {
        let response = ZoneFixture.ask("alias2.example.test.", .a)
        #expect(response.answerTexts == [
            "alias2.example.test. CNAME alias.example.test.",
            "alias.example.test. CNAME www.example.test.",
            "www.example.test. A 192.0.2.80",
        ])
        #expect(ZoneFixture.ask("alias.example.test.", .cname).answers.count == 1)
    }

    @Test func cnameOutOfZoneStopsThere() {
        let response = ZoneFixture.ask("outside.example.test.", .a)
        #expect(response.rcode == .noError)
        #expect(response.answerTexts == ["outside.example.test. CNAME www.other.test."])
    }

    @Test func cnameToAMissingNameIsNXDOMAIN() {
        // RFC 6604: the rcode describes the last name of the chain.
        let response = ZoneFixture.ask("dangling.example.test.", .a)
        #expect(response.rcode == .nxDomain)
        #expect(response.answers.count == 1)
    }

    @Test func cnameLoopsEnd() {
        let response = ZoneFixture.ask("loop1.example.test.", .a)
        #expect(response.answers.count == 2)
    }

    @Test func wildcardsSynthesizeTheQueryName() {
        let response = ZoneFixture.ask("Anything.Wild.example.test.", .a)
        #expect(response.answerTexts == ["Anything.Wild.example.test. A 192.0.2.99"])
        #expect(ZoneFixture.ask("x.y.wild.example.test.", .txt).answers.count == 1)
        let noData = ZoneFixture.ask("z.wild.example.test.", .mx)
        #expect(noData.rcode == .noError && noData.answers.isEmpty && noData.authorities.map(\.type) == [.soa])
    }

    @Test func emptyNonTerminalsExistAndBlockWildcards() {
        // b.ent exists only because a.b.ent does: NODATA, and *.ent does not apply to it...
        let ent = ZoneFixture.ask("b.ent.example.test.", .a)
        #expect(ent.rcode == .noError)
        #expect(ent.answers.isEmpty)
        // ...nor below it (the closest encloser is b.ent, which has no wildcard): NXDOMAIN.
        #expect(ZoneFixture.ask("c.b.ent.example.test.", .a).rcode == .nxDomain)
        // A sibling of b.ent does match *.ent.
        #expect(ZoneFixture.ask("q.ent.example.test.", .a).answerTexts == ["q.ent.example.test. A 192.0.2.8"])
    }

    @Test func delegationsAreReferralsWithGlue() {
        for name in ["sub.example.test.", "deep.sub.example.test.", "x.y.sub.example.test."] {
            let response = ZoneFixture.ask(name, .a)
            #expect(!response.header.authoritative, "\(name)")
            #expect(response.rcode == .noError)
            #expect(response.answers.isEmpty)
            #expect(Set(response.authorities.map { $0.rdata.presentation(type: .ns) }) == ["ns.sub.example.test.", "ns.other.test."])
            #expect(Set(response.additionals.map(\.type)) == [.a, .aaaa])
        }
        let ds = ZoneFixture.ask("sub.example.test.", .ds)
        #expect(ds.header.authoritative, "DS is answered by the parent side of the cut")
        #expect(ds.answers.map(\.type) == [.ds])
    }

    @Test func dnameSynthesizesACNAME() {
        let response = ZoneFixture.ask("host.dn.example.test.", .a)
        #expect(response.answerTexts == ["dn.example.test. DNAME target.test.", "host.dn.example.test. CNAME host.target.test."])
    }

    @Test func anyGetsOneRRset() {
        let response = ZoneFixture.ask("mail.example.test.", .any)
        #expect(response.answers.count == 1)
        #expect(response.answers.first?.type == .a)
    }

    @Test func srvTargetsGetAdditionalAddresses() {
        let response = ZoneFixture.ask("_sip._tcp.example.test.", .srv)
        #expect(response.answers.count == 1)
        #expect(response.additionals.count == 2)
    }
}

@Suite("Zone validation")
struct ZoneValidationTests {
    static let origin = try! DNSName("bad.test.")

    func load(_ text: String) throws -> AuthoritativeZone {
        try ZoneLoader.parse(text: text, file: "bad.zone", origin: Self.origin)
    }

    @Test func missingSOAIsRefused() {
        #expect { try load("$TTL 60\n@ IN NS ns.other.\n") } throws: { error in
            "\(error)".contains("has no SOA")
        }
    }

    @Test func cnameBesideOtherDataNamesTheLine() {
        let text = "$TTL 60\n@ IN SOA ns h 1 1 1 1 1\nwww IN CNAME x.other.\nwww IN A 192.0.2.1\n"
        #expect { try load(text) } throws: { error in
            "\(error)" == "bad.zone:4:1: www.bad.test. has a CNAME and A data; a CNAME must stand alone"
        }
    }

    @Test func secondSOAIsRefused() {
        let text = "$TTL 60\n@ IN SOA ns h 1 1 1 1 1\n@ IN SOA ns h 2 1 1 1 1\n"
        #expect { try load(text) } throws: { error in "\(error)".contains("exactly one is allowed") }
    }

    @Test func soaBelowTheApexIsRefused() {
        let text = "$TTL 60\n@ IN SOA ns h 1 1 1 1 1\nsub IN SOA ns h 1 1 1 1 1\n"
        #expect { try load(text) } throws: { error in "\(error)".hasPrefix("bad.zone:3:1: SOA record at sub.bad.test.") }
    }
}
