import DNSProto
import NIOConcurrencyHelpers
import NIOCore

/// The outcome of the chain of trust per zone, so the DS and DNSKEY lookups and their
/// signature checks are paid once per zone and TTL, not once per query. Bogus outcomes are
/// kept briefly (`bogusTTL`) so a broken zone does not cost a full walk per query, yet a fixed
/// zone recovers quickly. Bounded: when full, the whole table is dropped (it refills from
/// the infrastructure cache's warm delegations at the cost of a few lookups).
public final class ZoneSecurityCache: Sendable {
    /// Seconds a bogus outcome is kept (Unbound's val-bogus-ttl is 60).
    public static let bogusTTL: UInt32 = 60
    /// Longest any outcome is kept, whatever the records' TTLs.
    public static let maxTTL: UInt32 = 3600

    private struct Entry { var security: ZoneSecurity; var expires: NIODeadline }
    private let entries = NIOLockedValueBox([DNSName: Entry]())
    private let maxEntries: Int

    public init(maxEntries: Int = 10_000) {
        self.maxEntries = maxEntries
    }

    func lookup(_ zone: DNSName, now: NIODeadline = .now()) -> ZoneSecurity? {
        entries.withLockedValue { entries in
            guard let entry = entries[zone] else { return nil }
            guard entry.expires > now else {
                entries[zone] = nil
                return nil
            }
            return entry.security
        }
    }

    func store(_ security: ZoneSecurity, for zone: DNSName, ttl: UInt32, now: NIODeadline = .now()) {
        let seconds: UInt32
        if case .bogus = security { seconds = min(ttl, Self.bogusTTL) } else { seconds = min(ttl, Self.maxTTL) }
        entries.withLockedValue { entries in
            if entries.count >= maxEntries { entries.removeAll(keepingCapacity: true) }
            entries[zone] = Entry(security: security, expires: now + .seconds(Int64(seconds)))
        }
    }

    /// Drops every outcome (`cache.flush`); returns how many there were.
    @discardableResult
    public func flush() -> Int {
        entries.withLockedValue { entries in
            defer { entries.removeAll() }
            return entries.count
        }
    }

    /// Drops the outcomes for `name` (and, with `subtree`, the zones below it).
    @discardableResult
    public func flush(name: DNSName, subtree: Bool) -> Int {
        entries.withLockedValue { entries in
            let doomed = entries.keys.filter { $0 == name || (subtree && $0.isSubdomain(of: name)) }
            for zone in doomed { entries[zone] = nil }
            return doomed.count
        }
    }
}
