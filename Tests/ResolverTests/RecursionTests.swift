import DNSProto
import NIOCore
@testable import Resolver
import Testing

/// The pieces of the `recurse` plugin that need no network: response classification
/// (bailiwick, referrals, DNAME), root hints, the infrastructure cache, server selection.
@Suite struct RecursionTests {
    static func name(_ text: String) -> DNSName { try! DNSName(text) }

    static func record(_ owner: String, _ ttl: UInt32, _ rdata: RData) -> ResourceRecord {
        ResourceRecord(name: name(owner), ttl: ttl, rdata: rdata)
    }

    static func record(_ owner: String, _ rdata: RData) -> ResourceRecord { record(owner, 300, rdata) }

    static func response(answers: [ResourceRecord] = [], authority: [ResourceRecord] = [], additional: [ResourceRecord] = [],
                         rcode: Rcode = .noError, aa: Bool = false) -> Message {
        var header = Header(id: 1)
        header.isResponse = true
        header.authoritative = aa
        var message = Message(header: header, questions: [Question(name: name("www.example.alpha."), type: .a)],
                              answers: answers, authorities: authority, additionals: additional)
        message.rcode = rcode
        return message
    }

    static let soa = record("example.alpha.", .soa(SOA(mname: name("ns1.example.alpha."), rname: name("h.example.alpha."),
                                                       serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 300)))

    @Test func referralKeepsOnlyInBailiwickGlue() {
        let message = Self.response(authority: [Self.record("example.alpha.", 3600, .ns(Self.name("ns1.example.alpha."))),
                                                Self.record("example.alpha.", 3600, .ns(Self.name("ns.other.beta.")))],
                                    additional: [Self.record("ns1.example.alpha.", 600, .a(IPv4Address("192.0.2.53")!)),
                                                 Self.record("ns.other.beta.", 600, .a(IPv4Address("6.6.6.6")!))])
        guard case .referral(let referral) = ResponseClassifier.classify(message, name: Self.name("www.example.alpha."), type: .a,
                                                                         zone: Self.name("alpha.")) else {
            Issue.record("not a referral")
            return
        }
        #expect(referral.delegation.zone == Self.name("example.alpha."))
        #expect(referral.delegation.nameServers.count == 2 && referral.ttl == 3600)
        #expect(referral.glue.keys.map(\.description) == ["ns1.example.alpha."])
        #expect(referral.glue[Self.name("ns1.example.alpha.")]?.addresses == ["192.0.2.53"])
    }

    @Test func upwardAndSidewaysReferralsAreLame() {
        let up = Self.response(authority: [Self.record("alpha.", .ns(Self.name("ns1.alpha.")))])
        guard case .lame = ResponseClassifier.classify(up, name: Self.name("www.example.alpha."), type: .a,
                                                        zone: Self.name("example.alpha.")) else {
            Issue.record("an upward referral was accepted")
            return
        }
        let sideways = Self.response(authority: [Self.record("beta.", .ns(Self.name("ns1.beta.")))])
        guard case .lame = ResponseClassifier.classify(sideways, name: Self.name("www.example.alpha."), type: .a,
                                                        zone: .root) else {
            Issue.record("a referral for another branch was accepted")
            return
        }
        guard case .lame = ResponseClassifier.classify(Self.response(rcode: .refused), name: Self.name("www.example.alpha."),
                                                        type: .a, zone: .root) else {
            Issue.record("REFUSED was accepted")
            return
        }
    }

    @Test func outOfBailiwickAnswerRecordsAreDropped() {
        let message = Self.response(answers: [Self.record("www.example.alpha.", .a(IPv4Address("192.0.2.1")!)),
                                              Self.record("www.example.beta.", .a(IPv4Address("6.6.6.6")!))],
                                    aa: true)
        guard case .answer(let records, _) = ResponseClassifier.classify(message, name: Self.name("www.example.alpha."), type: .a,
                                                                      zone: Self.name("example.alpha.")) else {
            Issue.record("not an answer")
            return
        }
        #expect(records.count == 1 && records[0].name == Self.name("www.example.alpha."))
        // A CNAME leaving the zone: the target's data from this server is not believed.
        let alias = Self.response(answers: [Self.record("www.example.alpha.", .cname(Self.name("www.example.beta."))),
                                            Self.record("www.example.beta.", .a(IPv4Address("6.6.6.6")!))], aa: true)
        guard case .alias(let chain, let target) = ResponseClassifier.classify(alias, name: Self.name("www.example.alpha."), type: .a,
                                                                              zone: Self.name("example.alpha.")) else {
            Issue.record("not an alias")
            return
        }
        #expect(chain.count == 1 && target == Self.name("www.example.beta."))
    }

    @Test func dnameIsSynthesizedAndNegativeAnswersKeepTheSOA() {
        let dname = Self.response(answers: [Self.record("dn.example.alpha.", .dname(Self.name("example.beta.")))], aa: true)
        guard case .alias(let chain, let target) = ResponseClassifier.classify(dname, name: Self.name("www.dn.example.alpha."),
                                                                              type: .a, zone: Self.name("example.alpha.")) else {
            Issue.record("DNAME not followed")
            return
        }
        #expect(target == Self.name("www.example.beta.") && chain.map(\.type) == [.dname, .cname])
        guard case .nxDomain(_, let authority) = ResponseClassifier.classify(Self.response(authority: [Self.soa], rcode: .nxDomain, aa: true),
                                                                            name: Self.name("nx.example.alpha."), type: .a,
                                                                            zone: Self.name("example.alpha.")) else {
            Issue.record("not NXDOMAIN")
            return
        }
        #expect(authority == [Self.soa])
        guard case .noData(_, let soa) = ResponseClassifier.classify(Self.response(authority: [Self.soa], aa: true),
                                                                    name: Self.name("www.example.alpha."), type: .aaaa,
                                                                    zone: Self.name("example.alpha.")) else {
            Issue.record("not NODATA")
            return
        }
        #expect(soa == [Self.soa])
    }

    @Test func rootHintsParseAndReject() throws {
        #expect(RootHints.builtIn.servers.count == 13 && RootHints.builtIn.addresses.contains("198.41.0.4"))
        let hints = try RootHints.parse(text: ". 3600 NS a.root.test.\na.root.test. 3600 A 127.0.0.53\n", file: "hints")
        #expect(hints.servers == [RootHints.Server(name: Self.name("a.root.test."), addresses: ["127.0.0.53"])])
        #expect(throws: RootHintsError.self) { try RootHints.parse(text: ". 3600 NS a.root.test.\n", file: "hints") }
        #expect(throws: RootHintsError.self) { try RootHints.parse(text: "", file: "hints") }
        #expect(throws: RootHintsError.self) { try RootHints.parse(text: ". 3600 TXT \"x\"\n", file: "hints") }
    }

    @Test func infrastructureCacheFindsTheClosestCutExpiresAndStaysBounded() {
        final class Clock: @unchecked Sendable { var now: UInt64 = 1_000_000_000 }
        let clock = Clock()
        let cache = InfrastructureCache(maxEntries: 4, clock: { clock.now })
        cache.storeDelegation(.init(zone: Self.name("alpha."), nameServers: [Self.name("ns1.alpha.")]), ttl: 60)
        cache.storeDelegation(.init(zone: Self.name("example.alpha."), nameServers: [Self.name("ns1.example.alpha.")]), ttl: 10)
        #expect(cache.closestDelegation(for: Self.name("www.example.alpha."))?.zone == Self.name("example.alpha."))
        #expect(cache.closestDelegation(for: Self.name("www.other.alpha."))?.zone == Self.name("alpha."))
        #expect(cache.closestDelegation(for: Self.name("www.beta.")) == nil)
        clock.now += 11_000_000_000
        #expect(cache.closestDelegation(for: Self.name("www.example.alpha."))?.zone == Self.name("alpha."))
        cache.storeAddresses(["192.0.2.1"], of: Self.name("ns1.alpha."), ttl: 60)
        cache.storeAddresses(["2001:db8::1"], of: Self.name("ns1.alpha."), ttl: 60)
        #expect(cache.addresses(of: Self.name("NS1.alpha.")) == ["192.0.2.1", "2001:db8::1"])
        for index in 0..<10 { cache.storeAddresses(["192.0.2.\(index)"], of: Self.name("ns\(index).beta."), ttl: 60) }
        #expect(cache.statistics.entries <= 4)
        #expect(cache.flush(name: .root, subtree: true) > 0 && cache.statistics.entries == 0)
    }

    @Test func selectorPrefersFastServersAndPenalizesFailures() {
        let selector = ServerSelector(maxTimeout: .seconds(1), exploration: 0)
        selector.recordAnswer("192.0.2.1", milliseconds: 300)
        selector.recordAnswer("192.0.2.2", milliseconds: 5)
        #expect(selector.order(["192.0.2.1", "192.0.2.2", "192.0.2.3"]) == ["192.0.2.2", "192.0.2.3", "192.0.2.1"])
        selector.recordTimeout("192.0.2.2", waited: .milliseconds(150))
        #expect(selector.order(["192.0.2.1", "192.0.2.2"]).first == "192.0.2.1")
        #expect(selector.timeout(for: "192.0.2.9") == .seconds(1))
        #expect(selector.timeout(for: "192.0.2.1") <= .seconds(1))
        #expect(!selector.ednsDisabled("192.0.2.1"))
        selector.setEDNSDisabled("192.0.2.1")
        #expect(selector.ednsDisabled("192.0.2.1"))
    }

    @Test func caseIsRestoredFromTheCanonicalName() {
        let restored = RecursiveIterator.restore(Self.name("wWw.ExAMple.ALPha."), canonical: Self.name("www.example.alpha."))
        #expect(restored.description == "www.example.alpha.")
        let suffix = RecursiveIterator.restore(Self.name("ExAMple.ALPha."), canonical: Self.name("Www.Example.Alpha."))
        #expect(suffix.description == "Example.Alpha.")
        let unrelated = RecursiveIterator.restore(Self.name("Mail.Beta."), canonical: Self.name("www.example.alpha."))
        #expect(unrelated.description == "Mail.Beta.")
    }

    @Test func budgetEndsRunawayWork() {
        var limits = RecursionLimits()
        limits.maxQueries = 2
        limits.maxReferrals = 1
        let budget = RecursionBudget(limits: limits)
        #expect(throws: Never.self) { try budget.spendQuery(); try budget.spendQuery() }
        #expect(throws: RecursionFailure.self) { try budget.spendQuery() }
        #expect(throws: Never.self) { try budget.followReferral() }
        #expect(throws: RecursionFailure.self) { try budget.followReferral() }
        #expect(RecursionFailure.limit("x").extendedErrorCode == ExtendedErrorCode.other)
        #expect(RecursionFailure.noReachableAuthority("x").extendedErrorCode == ExtendedErrorCode.noReachableAuthority)
    }
}
