/// The panes of the console; tab moves focus through the focusable ones in this order.
public enum PaneID: String, Sendable, CaseIterable, Equatable {
    case header, stream, latency, certificates, upstreams, topNames, topClients, footer

    public static let focusable: [PaneID] = [.stream, .latency, .certificates, .upstreams, .topNames, .topClients]

    public var title: String {
        switch self {
        case .header: return "dnsd"
        case .stream: return "Queries"
        case .latency: return "Latency"
        case .certificates: return "Certificates"
        case .upstreams: return "Upstreams"
        case .topNames: return "Top names"
        case .topClients: return "Top clients"
        case .footer: return ""
        }
    }
}

/// A rectangle of the terminal, in cells.
public struct Rect: Sendable, Equatable {
    public var row: Int, column: Int, height: Int, width: Int
    public init(row: Int, column: Int, height: Int, width: Int) {
        self.row = row
        self.column = column
        self.height = max(0, height)
        self.width = max(0, width)
    }
    public var bottom: Int { row + height }
    public var right: Int { column + width }
}

/// How much room there is: every pane fits 80x24 (compact); more columns and rows give the
/// stream and the tables more lines and columns.
public enum SizeTier: Sendable, Equatable {
    /// Smaller than 80x24: only header, stream and footer.
    case tiny
    /// 80x24 up to 119 columns or 35 rows.
    case compact
    /// 120x36 and up.
    case normal
    /// 180x50 and up: the stream gets the whole left side.
    case wide

    public init(width: Int, height: Int) {
        if width < 80 || height < 24 { self = .tiny }
        else if width >= 180 && height >= 50 { self = .wide }
        else if width >= 120 && height >= 36 { self = .normal }
        else { self = .compact }
    }
}

/// Where each pane goes for a terminal size. Pure arithmetic, so tests can check that every
/// pane is inside the screen at every tier.
public struct ConsoleLayout: Sendable, Equatable {
    public let tier: SizeTier
    public let width: Int, height: Int
    public private(set) var panes: [PaneID: Rect] = [:]

    /// Rows of the header (the footer is always one row).
    public static let headerRows = 3

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        tier = SizeTier(width: width, height: height)
        let header = Self.headerRows
        panes[.header] = Rect(row: 0, column: 0, height: min(header, height), width: width)
        panes[.footer] = Rect(row: max(0, height - 1), column: 0, height: height > 0 ? 1 : 0, width: width)
        let bodyTop = header, bodyHeight = height - header - 1
        switch tier {
        case .tiny:
            panes[.stream] = Rect(row: bodyTop, column: 0, height: bodyHeight, width: width)
        case .compact:
            // 80x24: 10 rows of stream, then latency on the left and the tables stacked right.
            let lower = min(10, bodyHeight / 2)
            let streamHeight = bodyHeight - lower
            panes[.stream] = Rect(row: bodyTop, column: 0, height: streamHeight, width: width)
            let lowerTop = bodyTop + streamHeight
            let left = width / 2
            panes[.latency] = Rect(row: lowerTop, column: 0, height: lower, width: left)
            let right = width - left
            let certs = 3, upstreams = 3
            panes[.certificates] = Rect(row: lowerTop, column: left, height: certs, width: right)
            panes[.upstreams] = Rect(row: lowerTop + certs, column: left, height: upstreams, width: right)
            let tops = lower - certs - upstreams
            panes[.topNames] = Rect(row: lowerTop + certs + upstreams, column: left, height: tops, width: right / 2 + right % 2)
            panes[.topClients] = Rect(row: lowerTop + certs + upstreams, column: left + right / 2 + right % 2, height: tops, width: right / 2)
        case .normal:
            // Stream on top (half the body), three columns below.
            let streamHeight = bodyHeight / 2
            panes[.stream] = Rect(row: bodyTop, column: 0, height: streamHeight, width: width)
            let lowerTop = bodyTop + streamHeight, lower = bodyHeight - streamHeight
            let column = width / 3
            panes[.latency] = Rect(row: lowerTop, column: 0, height: lower, width: column)
            let certs = lower / 2
            panes[.certificates] = Rect(row: lowerTop, column: column, height: certs, width: column)
            panes[.upstreams] = Rect(row: lowerTop + certs, column: column, height: lower - certs, width: column)
            let tops = width - 2 * column
            panes[.topNames] = Rect(row: lowerTop, column: 2 * column, height: lower / 2, width: tops)
            panes[.topClients] = Rect(row: lowerTop + lower / 2, column: 2 * column, height: lower - lower / 2, width: tops)
        case .wide:
            // Stream down the whole left side; the other panes stacked on the right.
            let left = width * 55 / 100, right = width - left
            panes[.stream] = Rect(row: bodyTop, column: 0, height: bodyHeight, width: left)
            let latency = 16
            panes[.latency] = Rect(row: bodyTop, column: left, height: latency, width: right)
            let rest = bodyHeight - latency
            let certs = rest / 4, upstreams = rest / 4
            panes[.certificates] = Rect(row: bodyTop + latency, column: left, height: certs, width: right)
            panes[.upstreams] = Rect(row: bodyTop + latency + certs, column: left, height: upstreams, width: right)
            let topTop = bodyTop + latency + certs + upstreams
            panes[.topNames] = Rect(row: topTop, column: left, height: bodyHeight - latency - certs - upstreams, width: right / 2)
            panes[.topClients] = Rect(row: topTop, column: left + right / 2, height: bodyHeight - latency - certs - upstreams, width: right - right / 2)
        }
    }

    /// Rows of content a pane can show under its title.
    public func contentRows(_ pane: PaneID) -> Int { max(0, (panes[pane]?.height ?? 0) - 1) }
}
