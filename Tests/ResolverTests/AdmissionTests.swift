import Testing
@testable import Resolver

/// The admission step's parts on their own: networks, the rate table, server cookies.
@Suite("Admission")
struct AdmissionTests {
    static func client(_ text: String) -> ClientAddress {
        let prefix = IPPrefix(text)!
        return ClientAddress(family: prefix.family, high: prefix.high, low: prefix.low)
    }

    @Test func prefixesMatchTheirNetworksOnly() {
        let net = IPPrefix("192.0.2.0/24")!
        #expect(net.contains(Self.client("192.0.2.77")))
        #expect(!net.contains(Self.client("192.0.3.1")))
        #expect(!net.contains(Self.client("2001:db8::1")))
        let v6 = IPPrefix("2001:db8:1::/56")!
        #expect(v6.contains(Self.client("2001:db8:1:ff::9")))
        #expect(!v6.contains(Self.client("2001:db8:1:100::9")))
        // An IPv4 client seen through a dual-stack socket matches IPv4 rules.
        #expect(net.contains(Self.client("::ffff:192.0.2.5")))
        #expect(IPPrefix("0.0.0.0/0")!.contains(Self.client("203.0.113.9")))
        for bad in ["192.0.2.0/33", "10.0.0.256", "2001:db8::/129", "example.com", "1.2.3.4/x"] {
            #expect(IPPrefix(bad) == nil, "\(bad)")
        }
        #expect(IPPrefix("192.0.2.77/24")?.description == "192.0.2.0/24")
    }

    @Test func theRateTableAllowsASecondsWorthThenLimits() {
        let table = RateLimitTable(size: 1024)
        let prefix = IPPrefix("198.51.100.0/24")!
        var now: UInt64 = 1_000_000_000_000
        var within = 0
        for _ in 0..<1000 {
            if table.count(prefix, kind: 0, rate: 100, window: 5_000_000_000, now: now) == .within { within += 1 }
            now += 100_000  // 10,000 per second
        }
        #expect((100...101).contains(within), "a second's worth: \(within)")
        // The flood stopped: after the window the account is whole again.
        now += 6_000_000_000
        #expect(table.count(prefix, kind: 0, rate: 100, window: 5_000_000_000, now: now) == .within)
        // Another kind is another account.
        #expect(table.count(prefix, kind: 1, rate: 100, window: 5_000_000_000, now: now) == .within)
        #expect(table.limitedAccounts(limit: 5).first?.limited == UInt64(1000 - within))
    }

    /// Two workers taking tokens ahead (RateLeases) reach the same verdicts, within a lease's
    /// worth, as one taking them one at a time.
    @Test func leasedTokensKeepTheAccountExact() {
        func run(leased: Bool) -> Int {
            let table = RateLimitTable(size: 1024)
            let workers = [RateLeases(), RateLeases()]
            let prefix = IPPrefix("198.51.100.0/24")!
            var now: UInt64 = 1_000_000_000_000
            var within = 0
            for event in 0..<300_000 {
                let leases = leased ? workers[event % 2] : nil
                if table.count(prefix, kind: 0, rate: 64_000, window: 2_000_000_000, now: now, leases: leases) == .within { within += 1 }
                now += 5_000  // 200,000 per second for 1.5 s
            }
            return within
        }
        let exact = run(leased: false)
        let leased = run(leased: true)
        // A second's burst, spent while the rate refills it (64,000 / (1 - 64/200) = 94,117);
        // then every event, limited ones too, keeps the clock at the window's end.
        #expect((93_000...95_000).contains(exact), "\(exact)")
        #expect(abs(leased - exact) <= 2 * 32, "leased \(leased) vs one at a time \(exact)")
    }

    /// RFC 9018 Appendix A.1: the server cookie for a first query.
    @Test func serverCookiesMatchRFC9018() {
        let secret: [UInt8] = [0xe5, 0xe9, 0x73, 0xe5, 0xa6, 0xb2, 0xa4, 0x3f, 0x48, 0xe7, 0xdc, 0x84, 0x9e, 0x37, 0xbf, 0xcf]
        let cookies = ServerCookies(secret: secret)
        let client = Self.client("198.51.100.100")
        let made = cookies.make(clientCookie: 0x2464_c4ab_cf10_c957, client: client, now: 1_559_731_985)
        #expect(made.0 == 0x0100_0000_5cf7_9f11)
        #expect(made.1 == 0x1f81_30c3_eee2_9480)
        #expect(cookies.verify(clientCookie: 0x2464_c4ab_cf10_c957, server: made, client: client, now: 1_559_731_985 + 60))
        #expect(!cookies.verify(clientCookie: 0x2464_c4ab_cf10_c957, server: made, client: Self.client("198.51.100.101"), now: 1_559_731_985))
        #expect(!cookies.verify(clientCookie: 0x2464_c4ab_cf10_c957, server: made, client: client, now: 1_559_731_985 + 3601),
                "older than an hour")
        cookies.rotate()
        #expect(cookies.verify(clientCookie: 0x2464_c4ab_cf10_c957, server: made, client: client, now: 1_559_731_985), "previous secret")
        cookies.rotate()
        #expect(!cookies.verify(clientCookie: 0x2464_c4ab_cf10_c957, server: made, client: client, now: 1_559_731_985))
    }

    @Test func responseKindsFollowTheHeader() {
        func kind(_ flags: UInt8, _ rcode: UInt8, answers: UInt8, authority: UInt8) -> ResponseKind {
            let header: [UInt8] = [0, 0, flags, rcode, 0, 1, 0, answers, 0, authority, 0, 0]
            return header.withUnsafeBytes { ResponseKind(response: $0) }
        }
        #expect(kind(0x84, 0x00, answers: 1, authority: 0) == .answer)
        #expect(kind(0x84, 0x03, answers: 0, authority: 1) == .nxdomain)
        #expect(kind(0x80, 0x00, answers: 0, authority: 2) == .referral)
        #expect(kind(0x84, 0x00, answers: 0, authority: 1) == .answer, "NODATA counts as an answer")
        #expect(kind(0x80, 0x05, answers: 0, authority: 0) == .error)
    }

    /// The counters behind `waiting_per_client` and `tcp.max_connections_per_client`.
    @Test func clientCountersHoldEachAddressToItsLimit() {
        let table = ClientCounterTable(size: 1024)
        let first = Self.client("127.0.0.1"), other = Self.client("127.0.0.3")
        #expect((0..<3).allSatisfy { _ in table.enter(first, limit: 3) })
        #expect(!table.enter(first, limit: 3), "a fourth over a limit of 3")
        #expect(table.current(first) == 3, "a refused enter takes nothing")
        #expect(table.enter(other, limit: 3), "another address has its own count")
        table.leave(first)
        #expect(table.enter(first, limit: 3), "a leave gives one back")
    }

    /// A query over an in-flight cap gets SERVFAIL with extended error 0 naming the cap.
    @Test func inFlightRejectionsNameTheirLimit() {
        var limits = InFlightLimits()
        #expect(limits.rejection(.relayWaiting) == .servfail("limit:relay_waiting", text: "over limits.relay_waiting"))
        limits.action = .drop
        #expect(limits.rejection(.missWaiting) == .drop("limit:miss_waiting"))
    }
}
