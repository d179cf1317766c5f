/// The keys that act on what is selected: `c` reloads the configuration, `w` changes the top
/// tables' window, Enter drills into a client (or filters the stream on a name), `u` takes the
/// selected upstream out of service or back. A table's selected row is its first visible one
/// (the arrows move it); the stream's is its newest visible line.
extension ConsoleState {
    /// The windows `w` cycles through, in seconds.
    public static let topWindows = [60, 3600, 86400]

    /// `60` -> `1 min`, `3600` -> `1 h`, `86400` -> `1 day`; other windows in seconds.
    public static func windowLabel(_ seconds: Int) -> String {
        switch seconds {
        case 86400: return "1 day"
        case 3600: return "1 h"
        case 60: return "1 min"
        default: return "\(seconds)s"
        }
    }

    /// One row of a top table: rate-limited networks (the clients pane's first rows) are not
    /// single clients, so Enter does not drill into them.
    public struct TopRow: Sendable, Equatable {
        public var entry: TopEntry
        public var limited: Bool
    }

    /// A top table's rows in the order shown.
    public func topRows(_ pane: PaneID) -> [TopRow] {
        let order = sort[pane] ?? .primary
        switch pane {
        case .topNames: return order.sorted(topNames).map { TopRow(entry: $0, limited: false) }
        case .topClients:
            return limitedClients.map { TopRow(entry: TopEntry(key: "rrl " + $0.key, count: $0.count), limited: true) }
                + order.sorted(topClients).map { TopRow(entry: $0, limited: false) }
        default: return []
        }
    }

    /// The upstreams in the order shown.
    public var upstreamRows: [UpstreamRow] { (sort[.upstreams] ?? .primary).sorted(upstreams) }

    /// The index of a table's selected row among `count` rows: its first visible one.
    public func selectedIndex(_ pane: PaneID, count: Int) -> Int { min(scroll[pane] ?? 0, max(0, count - 1)) }

    /// The stream's selected event: the newest line on screen.
    public var selectedEvent: StreamEvent? {
        guard !shownEvents.isEmpty else { return nil }
        return shownEvents[shownEvents.count - 1 - selectedIndex(.stream, count: shownEvents.count)]
    }

    mutating func reloadConfig(now: Double) -> ConsoleAction? {
        if role == .readOnly { show("config.reload: not allowed (read-only connection)", .bad, now: now); return nil }
        show("config.reload …", now: now)
        return .reloadConfig
    }

    mutating func cycleTopWindow(now: Double) -> ConsoleAction? {
        let windows = Self.topWindows
        topWindow = windows[((windows.firstIndex(of: topWindow) ?? -1) + 1) % windows.count]
        // The old window's lists would be shown under the new title until the next poll.
        topNames = []
        topClients = []
        show("top tables: last \(Self.windowLabel(topWindow))", now: now)
        return .topWindow(topWindow)
    }

    mutating func toggleSelectedUpstream(now: Double) -> ConsoleAction? {
        guard focus == .upstreams else { show("u: tab to the Upstreams pane first", now: now); return nil }
        let rows = upstreamRows
        guard !rows.isEmpty else { show("no forward upstreams", now: now); return nil }
        let upstream = rows[selectedIndex(.upstreams, count: rows.count)]
        let enable = upstream.state == "disabled"
        let method = enable ? "upstream.enable" : "upstream.disable"
        if role == .readOnly { show("\(method): not allowed (read-only connection)", .bad, now: now); return nil }
        show("\(method) \(upstream.name) …", now: now)
        return .setUpstream(name: upstream.name, enabled: enable)
    }

    mutating func drillDown(now: Double) -> ConsoleAction? {
        switch focus {
        case .stream:
            guard let event = selectedEvent else { show("no query selected", now: now); return nil }
            return showClient(event.client)
        case .topClients, .topNames:
            let rows = topRows(focus)
            guard !rows.isEmpty else { show("no rows yet", now: now); return nil }
            let row = rows[selectedIndex(focus, count: rows.count)]
            if row.limited { show("\(row.entry.key): a rate-limited network, not one client", now: now); return nil }
            if focus == .topClients { return showClient(row.entry.key) }
            setFilter(row.entry.key)
            focus = .stream
            show("filter: \(row.entry.key) (/ changes it)", now: now)
            return nil
        default:
            show("enter: on a client (stream, Top clients) or a name (Top names)", now: now)
            return nil
        }
    }

    private mutating func showClient(_ address: String) -> ConsoleAction {
        mode = .clientDetail(address: address, nil)
        return .showClient(address: address, window: topWindow)
    }
}
