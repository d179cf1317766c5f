import NIOConcurrencyHelpers

/// The zone a `ZonePlugin` answers from, swappable as a whole by an edit or a reload while
/// queries run. A query takes the current snapshot once (one uncontended lock and one retain)
/// and answers from it; edits build a new zone off to the side and swap it in.
public final class ZoneSource: Sendable {
    /// A class so that taking it under the lock is a single retain, not one per field.
    final class Snapshot: Sendable {
        let zone: AuthoritativeZone
        init(_ zone: AuthoritativeZone) { self.zone = zone }
    }

    private let box: NIOLockedValueBox<Snapshot>

    public init(_ zone: AuthoritativeZone) { box = NIOLockedValueBox(Snapshot(zone)) }

    var snapshot: Snapshot { box.withLockedValue { $0 } }

    public var current: AuthoritativeZone { snapshot.zone }

    public func replace(with zone: AuthoritativeZone) {
        let fresh = Snapshot(zone)
        box.withLockedValue { $0 = fresh }
    }
}
