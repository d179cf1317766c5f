import DNSProto
import Testing
@testable import Resolver

/// The UDP relay's reading and rewriting of upstream answers (RelayedAnswer.swift), on wire
/// messages made by DNSProto's encoder and read back by its parser.
@Suite("Relayed answers")
struct RelayedAnswerTests {
    static let name = try! DNSName("www.Example.test.")
    static let zone = try! DNSName("example.test.")

    /// A client query as it arrives: `id`, the name spelled `spelling`, optional EDNS and DO, CD.
    static func request(id: UInt16, spelling: String = "wWw.eXample.TEST.", edns: Bool, dnssecOK: Bool = false,
                        checkingDisabled: Bool = false) throws -> [UInt8] {
        var header = Header(id: id)
        header.recursionDesired = true
        header.checkingDisabled = checkingDisabled
        let question = Question(name: try DNSName(spelling), type: .a)
        return try Message(header: header, questions: [question], edns: edns ? EDNS(udpPayloadSize: 4096, dnssecOK: dnssecOK) : nil).encode()
    }

    /// The upstream's answer to the relayed query: AA set, records as given, an OPT with an
    /// extended error (RFC 8914) and a padding option the client must not see.
    static func upstreamAnswer(rcode: Rcode = .noError, answers: [ResourceRecord], authorities: [ResourceRecord] = []) throws -> [UInt8] {
        var header = Header(id: 0x4242)
        header.isResponse = true
        header.authoritative = true
        header.recursionAvailable = true
        var message = Message(header: header, questions: [Question(name: try DNSName("www.example.test."), type: .a)],
                              answers: answers, authorities: authorities,
                              edns: EDNS(udpPayloadSize: 1232, options: [.extendedError(code: 18, text: "prohibited"), .padding(length: 3)]))
        message.rcode = rcode
        return try message.encode()
    }

    static func address(_ ttl: UInt32) -> ResourceRecord {
        ResourceRecord(name: name, ttl: ttl, rdata: .a(IPv4Address(value: 0xC000_0201)))
    }

    static func soa(ttl: UInt32, minimum: UInt32) -> ResourceRecord {
        ResourceRecord(name: zone, ttl: ttl, rdata: .soa(SOA(mname: try! DNSName("ns.example.test."), rname: try! DNSName("hostmaster.example.test."),
                                                             serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: minimum)))
    }

    /// Runs `RelayedAnswer` and `writeAnswer` as the relay does and parses what the client gets.
    static func relay(_ upstream: [UInt8], request: [UInt8], limit: Int? = nil) throws -> (wire: [UInt8], layout: RelayedAnswer, query: PacketQuery)? {
        let query = try #require(request.withUnsafeBytes { PacketQuery($0, transportLimit: nil, maxUDPPayload: 1232) })
        guard let layout = upstream.withUnsafeBytes({ RelayedAnswer($0, nameEnd: query.nameEnd) }) else { return nil }
        var out = [UInt8](repeating: 0, count: 4096)
        let length = upstream.withUnsafeBytes { bytes in
            request.withUnsafeBytes { requestBytes in
                out.withUnsafeMutableBytes {
                    layout.writeAnswer(from: bytes, request: requestBytes, query: query, udpSize: 1232, limit: limit ?? query.limit, into: $0)
                }
            }
        }
        guard let length else { return nil }
        return (Array(out[0..<length]), layout, query)
    }

    @Test func anEDNSClientGetsItsIDFlagsCaseAndOurOPT() throws {
        let request = try Self.request(id: 0x1234, edns: true, dnssecOK: true, checkingDisabled: true)
        let upstream = try Self.upstreamAnswer(answers: [Self.address(300)])
        let relayed = try #require(try Self.relay(upstream, request: request))
        let message = try Message(wire: relayed.wire)
        #expect(message.header.id == 0x1234 && message.header.recursionDesired && message.header.checkingDisabled)
        #expect(message.question?.name.wire == (try DNSName("wWw.eXample.TEST.")).wire, "the client's spelling goes back")
        #expect(message.answers.count == 1 && message.answers[0].ttl == 300)
        let edns = try #require(message.edns)
        #expect(edns.udpPayloadSize == 1232 && edns.dnssecOK)
        #expect(edns.options.map(\.code) == [EDNSOption.extendedErrorCode], "only extended errors pass: \(edns.options)")
    }

    @Test func aClientWithoutEDNSGetsNoOPT() throws {
        let request = try Self.request(id: 7, edns: false)
        let upstream = try Self.upstreamAnswer(answers: [Self.address(300)])
        let relayed = try #require(try Self.relay(upstream, request: request))
        let message = try Message(wire: relayed.wire)
        #expect(message.edns == nil && message.additionals.isEmpty && message.answers.count == 1)
        #expect(relayed.wire.count == relayed.layout.bodyEnd, "the OPT is cut off, nothing else")
    }

    @Test func anAnswerOverTheClientsSizeIsLeftToTheFullPath() throws {
        let request = try Self.request(id: 7, edns: false)
        let upstream = try Self.upstreamAnswer(answers: (0..<40).map { _ in Self.address(300) })
        #expect(upstream.count > 512)
        #expect(try Self.relay(upstream, request: request) == nil, "a 512-byte client must get TC from the full path")
    }

    @Test func positiveAnswersAreClampedToMinAndMaxTTL() throws {
        let request = try Self.request(id: 9, edns: true)
        let upstream = try Self.upstreamAnswer(answers: [Self.address(5), Self.address(90_000)])
        var relayed = try #require(try Self.relay(upstream, request: request))
        var settings = CacheSettings()
        settings.minTTL = 30
        settings.maxTTL = 3600
        let kept = relayed.wire.withUnsafeMutableBytes { out in
            request.withUnsafeBytes { relayed.layout.makeCacheable(out, query: relayed.query, request: $0, settings: settings) }
        }
        #expect(kept == 30)
        let message = try Message(wire: relayed.wire)
        #expect(message.answers.map(\.ttl) == [30, 3600])
        #expect(!message.header.authoritative, "a cache is no authority")
    }

    @Test func negativeAnswersLiveByTheSOAAndWithoutOneNotAtAll() throws {
        let request = try Self.request(id: 9, edns: true)
        var settings = CacheSettings()
        settings.negativeTTL = 600
        let nxdomain = try Self.upstreamAnswer(rcode: .nxDomain, answers: [], authorities: [Self.soa(ttl: 3600, minimum: 900)])
        var relayed = try #require(try Self.relay(nxdomain, request: request))
        let kept = relayed.wire.withUnsafeMutableBytes { out in
            request.withUnsafeBytes { relayed.layout.makeCacheable(out, query: relayed.query, request: $0, settings: settings) }
        }
        #expect(kept == 600, "min(SOA TTL 3600, MINIMUM 900, negative_ttl 600)")
        #expect(try Message(wire: relayed.wire).authorities.first?.ttl == 600)

        let nodata = try Self.upstreamAnswer(answers: [])
        var bare = try #require(try Self.relay(nodata, request: request))
        let before = bare.wire
        let keptBare = bare.wire.withUnsafeMutableBytes { out in
            request.withUnsafeBytes { bare.layout.makeCacheable(out, query: bare.query, request: $0, settings: settings) }
        }
        #expect(keptBare == nil && bare.wire == before, "RFC 2308 §5: no SOA, not cached, sent as it came")
    }

    /// Under 0x20 an upstream may spell owner names out rather than point at the question:
    /// those equal to the name sent, case for case, get the client's spelling, wholly or in
    /// the part before a pointer; a name in any other case is left alone.
    @Test func under0x20OwnerNamesSpelledOutGetTheClientsSpellingBack() throws {
        let sent = try DNSName("wWW.ExAmPlE.tEsT.").wire
        let request = try Self.request(id: 5, spelling: "WWW.example.TEST.", edns: false)
        func record(owner: [UInt8], address: UInt8) -> [UInt8] { owner + [0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, address] }
        var upstream: [UInt8] = [0x42, 0x42, 0x81, 0x80, 0, 1, 0, 4, 0, 0, 0, 0] + sent + [0, 1, 0, 1]
        upstream += record(owner: sent, address: 1)                               // spelled out whole
        upstream += record(owner: Array(sent[0..<4]) + [0xC0, 16], address: 2)    // "wWW", then a pointer into the question
        upstream += record(owner: [0xC0, 12], address: 3)                         // a pointer to the question
        upstream += record(owner: try DNSName("www.example.test.").wire, address: 4)  // another case: not the name sent
        let relayed = try #require(try Self.relay(upstream, request: request))
        var wire = relayed.wire
        wire.withUnsafeMutableBytes { out in
            upstream.withUnsafeBytes { bytes in
                request.withUnsafeBytes { relayed.layout.restoreCase(out, from: bytes, sent: sent, request: $0) }
            }
        }
        let message = try Message(wire: wire)
        let client = try DNSName("WWW.example.TEST.").wire
        #expect(message.answers.map(\.name.wire) == [client, client, client, try DNSName("www.example.test.").wire],
                "\(message.answers.map(\.name))")
    }

    /// Found by fuzz/RelayAnswerFuzzer: an owner name that points into the header (`C0 00`)
    /// reads as other labels once the relay writes the client's ID and flags there, so the
    /// client got another name than the upstream sent. Such an answer (and one that points
    /// forward) is left to the full path; a pointer to the question still relays.
    @Test func ownerNamesPointingIntoTheHeaderOrForwardAreLeftToTheFullPath() throws {
        let header: [UInt8] = [0x25, 0x2F, 0x85, 0x00, 0, 1, 0, 2, 0, 0, 0, 0]
        let question = Array("\u{5}alias\u{7}example\u{4}test\u{0}\u{0}\u{1}\u{0}\u{1}".utf8)
        let cname: [UInt8] = [0, 0, 0, 0, 0, 0, 0x02, 0x10, 0, 6, 3] + Array("www".utf8) + [0xC0, 0x12]
        let address: [UInt8] = [0xC0, 0x30, 0, 1, 0, 1, 0, 0, 0x02, 0x58, 0, 4, 192, 0, 2, 80]
        func layout(_ owner: [UInt8]) -> RelayedAnswer? {
            (header + question + owner + cname + address).withUnsafeBytes { RelayedAnswer($0, nameEnd: 32) }
        }
        #expect(layout([0xC0, 0x00]) == nil)
        #expect(layout([0xC0, 0x40]) == nil)
        #expect(layout([0xC0, 0x0C]) != nil)
    }

    /// Hostile upstream bytes: every single-byte change and every cut of a real answer is read
    /// without a crash, and whatever is accepted is written within its bounds.
    @Test func mangledAnswersNeverCrash() throws {
        let request = try Self.request(id: 1, edns: true)
        let upstream = try Self.upstreamAnswer(rcode: .nxDomain, answers: [Self.address(60)], authorities: [Self.soa(ttl: 60, minimum: 60)])
        var accepted = 0
        for length in 0...upstream.count {
            if (try Self.relay(Array(upstream[0..<length]), request: request)) != nil { accepted += 1 }
        }
        for index in upstream.indices {
            for value: UInt8 in [0x00, 0x3F, 0xC0, 0xFF, upstream[index] ^ 0x80] {
                var mangled = upstream
                mangled[index] = value
                if let relayed = try Self.relay(mangled, request: request) {
                    #expect(relayed.wire.count <= 4096)
                    accepted += 1
                }
            }
        }
        #expect(accepted > 0)
    }
}
