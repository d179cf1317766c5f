import DNSProto
import Foundation
import Testing
@testable import Resolver

/// Negative trust anchors: what they cover, when they lapse, and that a reloaded `recurse`
/// plugin keeps them (and the verdict counters) through `ValidatorState`.
@Suite struct NegativeTrustAnchorsTests {
    @Test func coversTheNameAndBelowUntilItLapses() throws {
        let anchors = NegativeTrustAnchors()
        let now = Date()
        #expect(!anchors.covers(try DNSName("www.example.com."), now: now))
        let anchor = anchors.add(try DNSName("Example.COM."), lifetime: 60, now: now)
        #expect(anchor.name == (try DNSName("example.com.")) && anchor.expires == now.addingTimeInterval(60))
        #expect(anchors.covers(try DNSName("example.com."), now: now))
        #expect(anchors.covers(try DNSName("WWW.example.com."), now: now))
        #expect(!anchors.covers(try DNSName("com."), now: now))
        #expect(!anchors.covers(try DNSName("notexample.com."), now: now))
        #expect(!anchors.covers(try DNSName("www.example.com."), now: now.addingTimeInterval(61)))
        #expect(anchors.list(now: now.addingTimeInterval(61)).isEmpty)
    }

    @Test func removeTakesExactlyThatName() throws {
        let anchors = NegativeTrustAnchors()
        _ = anchors.add(try DNSName("example.com."), lifetime: 60)
        #expect(!anchors.remove(try DNSName("www.example.com.")))
        #expect(anchors.remove(try DNSName("EXAMPLE.com.")))
        #expect(!anchors.covers(try DNSName("www.example.com.")))
        #expect(anchors.list().isEmpty)
    }

    @Test func aReloadedPluginKeepsTheAnchorsAndCounters() throws {
        let old = RecursePlugin(settings: RecursionSettings())
        _ = old.validatorState.negativeTrustAnchors.add(try DNSName("example.com."), lifetime: 60)
        old.validatorState.count(.bogus)
        let fresh = RecursePlugin(settings: RecursionSettings())
        fresh.inheritState(from: old)
        #expect(fresh.validatorState.negativeTrustAnchors.covers(try DNSName("www.example.com.")))
        #expect(fresh.validatorState.validationTotals[.bogus] == 1)
    }
}
