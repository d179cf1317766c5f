import NIOConcurrencyHelpers

/// How many control connections and `queries.subscribe` streams the socket allows, in all and
/// for read-only callers (docs/control.md, `control:` in the configuration).
///
/// The read-only caps are below the totals: the difference is reserved for admins. A read-only
/// user (a monitoring account, a member of the socket's group) can hold connections open with
/// subscriptions, which the idle timeout spares because a subscriber only listens; without the
/// reserve such a user could take every connection and lock root's `dnsctl` out.
public struct ControlLimits: Sendable, Equatable {
    /// Connections of every role together.
    public var maxConnections = 64
    /// Connections of read-only callers together; below `maxConnections`.
    public var maxReadOnlyConnections = 16
    /// Open subscriptions of every role together (each one polls the event ring every 200 ms).
    public var maxSubscriptions = 64
    /// Open subscriptions of read-only callers together; below `maxSubscriptions`.
    public var maxReadOnlySubscriptions = 16

    public init() {}
}

/// Why a connection or a subscription was refused; its description is the error message.
struct ControlLimitExceeded: Error, CustomStringConvertible {
    var description: String
}

/// The live counts behind `ControlLimits`, shared by every connection of one control socket.
/// The limits are read at each check, so a reload's new ones decide from then on; callers above
/// a lowered cap keep what they hold.
final class ControlQuota: Sendable {
    private let currentLimits: @Sendable () -> ControlLimits
    var limits: ControlLimits { currentLimits() }

    private struct Counts {
        /// Every open connection, including those whose caller is not known yet.
        var connections = 0
        var readOnlyConnections = 0
        var subscriptions = 0
        var readOnlySubscriptions = 0
    }

    private let counts = NIOLockedValueBox(Counts())

    init(limits: @escaping @Sendable () -> ControlLimits) { currentLimits = limits }

    /// Takes a slot for a new connection before its caller's credentials are read.
    func openConnection() throws {
        let limits = self.limits
        try counts.withLockedValue { counts in
            guard counts.connections < limits.maxConnections else {
                throw ControlLimitExceeded(description: "too many control connections (\(limits.maxConnections))")
            }
            counts.connections += 1
        }
    }

    /// Counts an open connection against its caller's role once that is known. A refused
    /// connection still holds its `openConnection` slot until `closeConnection(role: nil)`.
    func admit(_ role: ControlRole) throws {
        guard role == .readOnly else { return }
        let limits = self.limits
        try counts.withLockedValue { counts in
            guard counts.readOnlyConnections < limits.maxReadOnlyConnections else {
                throw ControlLimitExceeded(description: "too many read-only control connections (\(limits.maxReadOnlyConnections)); the rest are kept for admins")
            }
            counts.readOnlyConnections += 1
        }
    }

    /// Gives back what `openConnection` and (when `role` is given) `admit` took.
    func closeConnection(admitted role: ControlRole?) {
        counts.withLockedValue { counts in
            counts.connections -= 1
            if role == .readOnly { counts.readOnlyConnections -= 1 }
        }
    }

    func openSubscription(_ role: ControlRole) throws {
        let limits = self.limits
        try counts.withLockedValue { counts in
            guard counts.subscriptions < limits.maxSubscriptions else {
                throw ControlLimitExceeded(description: "too many open subscriptions (\(limits.maxSubscriptions))")
            }
            if role == .readOnly {
                guard counts.readOnlySubscriptions < limits.maxReadOnlySubscriptions else {
                    throw ControlLimitExceeded(description: "too many read-only subscriptions (\(limits.maxReadOnlySubscriptions)); the rest are kept for admins")
                }
                counts.readOnlySubscriptions += 1
            }
            counts.subscriptions += 1
        }
    }

    func closeSubscription(_ role: ControlRole) {
        counts.withLockedValue { counts in
            counts.subscriptions -= 1
            if role == .readOnly { counts.readOnlySubscriptions -= 1 }
        }
    }
}
