/// The orders `s` cycles through in each table pane.
public enum TableSort: String, Sendable, CaseIterable, Equatable {
    /// Top lists: busiest first. Upstreams: most queries first. Certificates: soonest expiry first.
    case primary
    /// Alphabetical by name (or key).
    case name
    /// Upstreams: slowest smoothed RTT first; certificates and top lists: reverse of primary.
    case secondary

    public var next: TableSort {
        let all = TableSort.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }

    public func label(for pane: PaneID) -> String {
        switch (pane, self) {
        case (.upstreams, .primary): return "by queries"
        case (.upstreams, .secondary): return "by RTT"
        case (.certificates, .primary): return "by expiry"
        case (.certificates, .secondary): return "latest expiry"
        case (_, .primary): return "by count"
        case (_, .secondary): return "least first"
        case (_, .name): return "by name"
        }
    }

    public func sorted(_ entries: [TopEntry]) -> [TopEntry] {
        switch self {
        case .primary: return entries.sorted { $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key }
        case .name: return entries.sorted { $0.key < $1.key }
        case .secondary: return entries.sorted { $0.count != $1.count ? $0.count < $1.count : $0.key < $1.key }
        }
    }

    public func sorted(_ rows: [UpstreamRow]) -> [UpstreamRow] {
        switch self {
        case .primary: return rows.sorted { $0.queries != $1.queries ? $0.queries > $1.queries : $0.name < $1.name }
        case .name: return rows.sorted { $0.name < $1.name }
        case .secondary: return rows.sorted { ($0.smoothedRTTms ?? -1) > ($1.smoothedRTTms ?? -1) }
        }
    }

    public func sorted(_ rows: [CertificateRow]) -> [CertificateRow] {
        switch self {
        case .primary: return rows.sorted { $0.daysToExpiry != $1.daysToExpiry ? $0.daysToExpiry < $1.daysToExpiry : $0.name < $1.name }
        case .name: return rows.sorted { $0.name < $1.name }
        case .secondary: return rows.sorted { $0.daysToExpiry != $1.daysToExpiry ? $0.daysToExpiry > $1.daysToExpiry : $0.name < $1.name }
        }
    }
}
