import Atomics

/// What one zone's primary side did, for `/metrics` (`dnsd_zone_transfers_total`,
/// `dnsd_zone_notifies_total`): held by the zone's editor, so the totals survive reloads.
public final class ZoneTransferCounters: Sendable {
    public enum Event: String, Sendable, CaseIterable {
        /// Transfers sent: the whole zone (AXFR, or IXFR out of the history's reach), or a diff.
        case full, incremental
        /// Transfers turned away: by the zone's policy, or for a TSIG error.
        case refused, tsigError = "tsig_error"
        /// NOTIFY rounds: acknowledged by the target, or given up after the last retry.
        case notifyAcknowledged = "notify_acknowledged", notifyUnacknowledged = "notify_unacknowledged"
    }

    private let counts = Event.allCases.map { _ in ManagedAtomic<Int>(0) }

    public init() {}

    public func count(_ event: Event) {
        counts[Event.allCases.firstIndex(of: event)!].wrappingIncrement(ordering: .relaxed)
    }

    /// Every total by event name.
    public var totals: [String: Int] {
        Dictionary(uniqueKeysWithValues: zip(Event.allCases.map(\.rawValue), counts.map { $0.load(ordering: .relaxed) }))
    }
}
