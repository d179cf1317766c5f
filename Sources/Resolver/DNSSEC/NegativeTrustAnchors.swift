import DNSProto
import Foundation
import NIOConcurrencyHelpers

/// Negative trust anchors (RFC 7646): names an operator declared insecure for a while because
/// their DNSSEC is broken on the publisher's side. Answers at and below such a name are used
/// without validation (no AD, never SERVFAIL for being bogus) until the anchor expires or is
/// removed. Kept in memory, as Unbound's and BIND's runtime NTAs are: `config.reload` keeps
/// them (`ValidatorState` passes to the new `recurse` plugin), a restart forgets them.
public final class NegativeTrustAnchors: Sendable {
    /// One anchor: the name and when it lapses.
    public struct Anchor: Sendable, Equatable {
        public var name: DNSName
        public var expires: Date
    }

    /// RFC 7646 §2: an NTA is a stopgap, not a configuration; Unbound and BIND default to an hour.
    public static let defaultLifetime: TimeInterval = 3600
    /// BIND's `nta-lifetime` upper bound: one week.
    public static let maxLifetime: TimeInterval = 7 * 86400

    private let anchors = NIOLockedValueBox([DNSName: Date]())
    /// Lets the query path skip the lock when no anchor is set (the usual case).
    private let count = NIOLockedValueBox(0)

    public init() {}

    /// Adds (or extends) the anchor for `name`, lapsing after `lifetime` seconds.
    public func add(_ name: DNSName, lifetime: TimeInterval, now: Date = Date()) -> Anchor {
        let expires = now.addingTimeInterval(lifetime)
        anchors.withLockedValue { anchors in
            anchors[name.lowercased] = expires
            prune(&anchors, now: now)
        }
        return Anchor(name: name.lowercased, expires: expires)
    }

    /// Removes the anchor for exactly `name`; false when there was none.
    public func remove(_ name: DNSName) -> Bool {
        anchors.withLockedValue { anchors in
            defer { count.withLockedValue { $0 = anchors.count } }
            return anchors.removeValue(forKey: name.lowercased) != nil
        }
    }

    /// The anchors in force, by name.
    public func list(now: Date = Date()) -> [Anchor] {
        anchors.withLockedValue { anchors in
            prune(&anchors, now: now)
            return anchors.map { Anchor(name: $0.key, expires: $0.value) }.sorted { $0.name.description < $1.name.description }
        }
    }

    /// Whether an unexpired anchor covers `name` (is it or a name above it).
    public func covers(_ name: DNSName, now: Date = Date()) -> Bool {
        guard count.withLockedValue({ $0 }) > 0 else { return false }
        return anchors.withLockedValue { anchors in
            anchors.contains { name.isSubdomain(of: $0.key) && $0.value > now }
        }
    }

    private func prune(_ anchors: inout [DNSName: Date], now: Date) {
        anchors = anchors.filter { $0.value > now }
        count.withLockedValue { $0 = anchors.count }
    }
}
