import Foundation

/// Turns a `ConsoleState` into a `Canvas`: every pane's text and styles. No curses here, so
/// tests can render a frame and read it back.
public struct ConsoleRenderer {
    public var unicode: Bool
    /// Seconds east of UTC for the stream's clock.
    public var utcOffset: Int

    public init(unicode: Bool = true, utcOffset: Int = TimeZone.current.secondsFromGMT()) {
        self.unicode = unicode
        self.utcOffset = utcOffset
    }

    public func render(_ state: ConsoleState, now: Double) -> Canvas {
        let layout = state.layout
        var canvas = Canvas(width: layout.width, height: layout.height)
        header(state, into: &canvas)
        for pane in PaneID.focusable {
            guard let rect = layout.panes[pane], rect.height > 0, rect.width > 0 else { continue }
            switch pane {
            case .stream: stream(state, rect, &canvas)
            case .latency: latency(state, rect, &canvas)
            case .certificates: certificates(state, rect, &canvas)
            case .upstreams: upstreams(state, rect, &canvas)
            case .topNames, .topClients: top(state, pane, rect, &canvas)
            default: break
            }
        }
        footer(state, now: now, into: &canvas)
        switch state.mode {
        case .help: overlay(title: "keys", lines: ConsoleState.keys.map { (pad($0.key, 10) + $0.meaning, CellStyle.normal) }, &canvas)
        case .reloadResult(let report, let failure):
            var lines = report.lines.map { line in
                (pad(line.name, 12) + pad(line.result, 10) + line.detail, line.result == "failed" ? CellStyle.bad : .good)
            }
            if lines.isEmpty { lines = [(failure ?? "no certificates configured", failure == nil ? .normal : .bad)] }
            lines.append(("any key closes", .dim))
            overlay(title: failure == nil ? "tls.reload" : "tls.reload FAILED", lines: lines, &canvas)
        case .configResult(let result):
            overlay(title: result.failure == nil ? "config.reload" : "config.reload FAILED",
                    lines: result.lines.map { ($0.text, $0.style) } + [("any key closes", .dim)], &canvas)
        case .clientDetail(let address, let detail):
            let window = ConsoleState.windowLabel(detail?.window ?? state.topWindow)
            let lines = detail.map { $0.lines(now: now, nameRows: max(1, canvas.height - 16)) } ?? [("asking dnsd (clients.show) …", .dim)]
            overlay(title: "client \(address) · last \(window)", lines: lines.map { ($0.text, $0.style) } + [("esc closes", .dim)], &canvas)
        default: break
        }
        return canvas
    }

    // MARK: - Panes

    private func header(_ state: ConsoleState, into canvas: inout Canvas) {
        let width = canvas.width
        guard canvas.height >= 3 else { return }
        for row in 0..<3 { canvas.paint(row, from: 0, width: width, .header) }
        var x = canvas.put(0, 0, " dnsd \(state.version) on \(state.host)", .header)
        x = canvas.put(0, x, "  up \(state.uptimeSeconds.map(ConsoleState.formatUptime) ?? "-")", .header)
        switch state.connection {
        case .connecting: x = canvas.put(0, x, "  connecting…", .warn)
        case .connected:
            x = canvas.put(0, x, "  ● connected", .good)
            x = canvas.put(0, x, state.role == .readOnly ? " (read-only)" : state.role == .admin ? " (admin)" : "", .header)
        case .disconnected(let reason):
            x = canvas.put(0, x, "  ✕ disconnected: retrying", .bad)
            x = canvas.put(0, x, " (\(reason))", .header)
        }
        canvas.put(0, x, "  \(state.socketPath)", .header)

        let qps = state.qps.map { String(format: "%.0f", $0) } ?? "-"
        x = canvas.put(1, 0, " QPS \(qps) ", .header)
        let sparkWidth = min(ConsoleState.historySeconds, max(10, width / 4))
        x = canvas.put(1, x, Sparkline.render(state.qpsHistory, width: sparkWidth, unicode: unicode), .accent)
        x = canvas.put(1, x, " 1 min, max \(String(format: "%.0f", state.qpsHistory.max() ?? 0))", .header)
        x = canvas.put(1, x, "  in flight \(state.inFlight.map(String.init) ?? "-")", .header)
        let hit = state.cacheHitRatio.map { String(format: "%.1f%%", $0 * 100) } ?? "-"
        x = canvas.put(1, x, "  cache hit \(hit)", .header)
        // Shown only while it happens: the host's timers run late, so the UDP workers block on
        // the socket instead of sleeping their batch wait (configuration.md, udp.batch_wait).
        if let stopped = state.batchWaitSuspendedWorkers, stopped > 0 {
            canvas.put(1, x, "  batch wait off on \(stopped) UDP worker\(stopped == 1 ? "" : "s")", .warn)
        }

        x = canvas.put(2, 0, " answers", .header)
        let order = ["NOERROR", "NXDOMAIN", "SERVFAIL", "REFUSED", "FORMERR", "NOTIMP"]
        let rcodes = state.rcodes.sorted { (order.firstIndex(of: $0.key) ?? 99, $0.key) < (order.firstIndex(of: $1.key) ?? 99, $1.key) }
        if rcodes.isEmpty { canvas.put(2, x, " -", .header) }
        for (rcode, count) in rcodes {
            x = canvas.put(2, x, "  \(rcode) ", Self.rcodeStyle(rcode) == .good ? .header : Self.rcodeStyle(rcode))
            x = canvas.put(2, x, "\(count)", .header)
        }
    }

    private func title(_ state: ConsoleState, _ pane: PaneID, _ rect: Rect, _ extra: String, _ canvas: inout Canvas) {
        let focused = state.focus == pane
        let rule = unicode ? "─" : "-"
        canvas.put(rect.row, rect.column, String(repeating: rule, count: rect.width), focused ? .focusedTitle : .dim)
        let text = "\(rule) \(pane.title)\(extra.isEmpty ? "" : " · " + extra) "
        canvas.put(rect.row, rect.column, text, focused ? .focusedTitle : .title, limit: rect.width)
    }

    /// A column spec: header text and width (nil = takes the rest).
    private typealias Column = (header: String, width: Int?)

    private func columns(_ specs: [Column], total: Int) -> [Int] {
        let fixed = specs.compactMap(\.width).reduce(0, +) + specs.count - 1
        let flexible = specs.filter { $0.width == nil }.count
        let share = flexible == 0 ? 0 : max(4, (total - fixed) / flexible)
        return specs.map { $0.width ?? share }
    }

    private func stream(_ state: ConsoleState, _ rect: Rect, _ canvas: inout Canvas) {
        var extra: [String] = []
        if let filter = state.filter { extra.append("filter: \(filter.summary)") }
        if state.paused { extra.append("PAUSED (\(state.held.count) new)") }
        if state.sample > 1 { extra.append("1 in \(state.sample)") }
        if state.missed > 0 { extra.append("missed \(state.missed)") }
        let (p50, p99) = state.shownLatency
        if p50 != nil { extra.append("p50 \(LatencySummary.format(micros: p50)) p99 \(LatencySummary.format(micros: p99))") }
        title(state, .stream, rect, extra.joined(separator: " · "), &canvas)
        let wide = rect.width >= 110
        var specs: [Column] = [("time", 8), ("client", rect.width >= 150 ? 39 : wide ? 24 : 15), ("via", 3), ("name", nil), ("type", 6), ("rcode", 8), ("dnssec", rect.width >= 150 ? 32 : 8), ("latency", 7), ("source", wide ? 22 : 10)]
        if rect.width < 70 { specs = [("time", 8), ("name", nil), ("type", 5), ("rcode", 8), ("latency", 7)] }
        let widths = columns(specs, total: rect.width - 1)
        let rows = rect.height - 2
        guard rows > 0 else { return }
        row(canvas: &canvas, rect.row + 1, rect.column + 1, specs.map(\.header), widths, .dim, right: rect.right)
        let offset = min(state.scroll[.stream] ?? 0, max(0, state.shownEvents.count - 1))
        let end = state.shownEvents.count - offset
        let start = max(0, end - rows)
        // Newest at the bottom: the last shown line is the newest (unless scrolled back).
        for (index, event) in state.shownEvents[start..<max(start, end)].enumerated() {
            let y = rect.row + 2 + (rows - (end - start)) + index
            var cells: [String]
            if specs.count == 5 {
                cells = [clock(event.time), event.name, event.type, event.rcode, LatencySummary.format(micros: event.latencyMicros)]
            } else {
                // The verdict leads the DNSSEC cell: a long bogus reason is cut at its end, not its start.
                let dnssecWidth = widths[6]
                let dnssec = event.dnssecCell.count > dnssecWidth && dnssecWidth > 1
                    ? event.dnssecCell.prefix(dnssecWidth - 1) + (unicode ? "…" : ">") : event.dnssecCell
                cells = [clock(event.time), event.client, event.transport, event.name, event.type, event.rcode, dnssec,
                         LatencySummary.format(micros: event.latencyMicros), event.source]
            }
            // The selected line (Enter drills into its client), marked once the stream stands still.
            let selected = state.focus == .stream && (offset > 0 || state.paused) && start + index == end - 1
            row(canvas: &canvas, y, rect.column + 1, cells, widths, selected ? .selected : .normal, right: rect.right)
            // Colour the rcode cell.
            let rcodeIndex = specs.firstIndex { $0.header == "rcode" }!
            let rcodeX = rect.column + 1 + widths[..<rcodeIndex].reduce(0, +) + rcodeIndex
            canvas.paint(y, from: rcodeX, width: widths[rcodeIndex], Self.rcodeStyle(event.rcode))
        }
        if state.shownEvents.isEmpty {
            let hint = state.filter == nil ? "waiting for queries…" : "no query matches the filter (/ changes it)"
            canvas.put(rect.row + 2, rect.column + 2, hint, .dim, limit: rect.width - 2)
        }
    }

    /// Cells in columns of `widths`, never past `right` (the pane's edge).
    private func row(canvas: inout Canvas, _ y: Int, _ x: Int, _ cells: [String], _ widths: [Int], _ style: CellStyle, right: Int = .max) {
        var column = x
        for (cell, fullWidth) in zip(cells, widths) {
            let width = min(fullWidth, right - column)
            guard width > 0 else { break }
            // Long names keep their right end: the zone part is what tells them apart.
            let text = cell.count > width && width > 1 ? (unicode ? "…" : "<") + cell.suffix(width - 1) : cell
            canvas.put(y, column, text, style, limit: width)
            column += width + 1
        }
    }

    private func latency(_ state: ConsoleState, _ rect: Rect, _ canvas: inout Canvas) {
        title(state, .latency, rect, "", &canvas)
        let widths = [5, 6, 6, 6, 6, 6]
        guard rect.height > 1 else { return }
        row(canvas: &canvas, rect.row + 1, rect.column + 1, ["", "p50", "p90", "p99", "max", "n"], widths, .dim, right: rect.right)
        var y = rect.row + 2
        for (label, summary) in [("10 s", state.latency10s), ("1 min", state.latency1m)] where y < rect.bottom {
            let cells = [label] + [summary?.p50, summary?.p90, summary?.p99, summary?.max].map { LatencySummary.format(micros: $0) }
                + [summary.map { "\($0.count)" } ?? "-"]
            row(canvas: &canvas, y, rect.column + 1, cells, widths, .normal, right: rect.right)
            y += 1
        }
        guard let histogram = state.latency1m, y < rect.bottom else { return }
        let buckets = histogram.visibleBuckets(rows: rect.bottom - y)
        let largest = buckets.map(\.count).max() ?? 0
        let countWidth = String(largest).count
        let barWidth = max(1, rect.width - 10 - countWidth - 2)
        for bucket in buckets where y < rect.bottom {
            var x = canvas.put(y, rect.column + 1, pad("≤" + LatencySummary.format(micros: bucket.limitMicros), 9), .dim)
            let length = LatencySummary.barLength(count: bucket.count, largest: largest, width: barWidth)
            x = canvas.put(y, x, String(repeating: unicode ? "█" : "#", count: length), .accent)
            canvas.put(y, x + 1, "\(bucket.count)", .normal, limit: rect.right - x - 1)
            y += 1
        }
    }

    private func certificates(_ state: ConsoleState, _ rect: Rect, _ canvas: inout Canvas) {
        let rows = (state.sort[.certificates] ?? .primary).sorted(state.certificates)
        title(state, .certificates, rect, rows.isEmpty ? "" : "\(rows.count)", &canvas)
        guard rect.height > 1 else { return }
        if rows.isEmpty { canvas.put(rect.row + 1, rect.column + 1, "no TLS certificates configured", .dim, limit: rect.width - 1); return }
        let offset = min(state.scroll[.certificates] ?? 0, max(0, rows.count - 1))
        let nameWidth = min(12, max(4, rows.map(\.name.count).max() ?? 4))
        for (index, cert) in rows.dropFirst(offset).prefix(rect.height - 1).enumerated() {
            let y = rect.row + 1 + index
            var x = canvas.put(y, rect.column + 1, pad(cert.name, nameWidth), .normal, limit: nameWidth)
            let days = cert.daysToExpiry < 0 ? "expired" : "\(cert.daysToExpiry)d"
            x = canvas.put(y, x + 1, pad(days, 7), cert.expiry.style)
            let result = cert.lastResult + (cert.lastReloadAt.map { " " + Self.shortTime($0) } ?? "")
            x = canvas.put(y, x, pad(result, 18), cert.lastResult == "failed" ? .bad : .normal, limit: 18)
            let names = cert.sans.isEmpty ? cert.subject : cert.sans.joined(separator: ",")
            canvas.put(y, x, names, .dim, limit: rect.right - x)
        }
    }

    private func upstreams(_ state: ConsoleState, _ rect: Rect, _ canvas: inout Canvas) {
        let rows = state.upstreamRows
        title(state, .upstreams, rect, rows.isEmpty ? "" : (state.sort[.upstreams] ?? .primary).label(for: .upstreams), &canvas)
        guard rect.height > 1 else { return }
        if rows.isEmpty { canvas.put(rect.row + 1, rect.column + 1, "no forward upstreams", .dim, limit: rect.width - 1); return }
        let offset = state.selectedIndex(.upstreams, count: rows.count)
        let widths = columns([("name", nil), ("state", 8), ("srtt", 7), ("queries", 7), ("errors", 6)], total: rect.width - 1)
        for (index, upstream) in rows.dropFirst(offset).prefix(rect.height - 1).enumerated() {
            let y = rect.row + 1 + index
            let rtt = upstream.smoothedRTTms.map { String(format: "%.1fms", $0) } ?? "-"
            // The first row is the selected one (`u` acts on it).
            let selected = state.focus == .upstreams && index == 0
            row(canvas: &canvas, y, rect.column + 1, [upstream.name, upstream.state, rtt, "\(upstream.queries)", "\(upstream.errors)"], widths,
                selected ? .selected : .normal, right: rect.right)
            let stateX = rect.column + 1 + widths[0] + 1
            if !selected { canvas.paint(y, from: stateX, width: widths[1], upstream.state == "up" ? .good : .bad) }
        }
    }

    /// A top-N pane; the clients pane first lists the networks response rate limiting is
    /// holding back, in the warning colour, marked "rrl", so an operator sees them at a glance.
    /// The first row shown is the selected one (Enter acts on it).
    private func top(_ state: ConsoleState, _ pane: PaneID, _ rect: Rect, _ canvas: inout Canvas) {
        title(state, pane, rect, ConsoleState.windowLabel(state.topWindow), &canvas)
        guard rect.height > 1 else { return }
        let rows = state.topRows(pane)
        if rows.isEmpty { canvas.put(rect.row + 1, rect.column + 1, "-", .dim); return }
        let offset = state.selectedIndex(pane, count: rows.count)
        let countWidth = max(3, String(rows.map(\.entry.count).max() ?? 0).count)
        for (index, top) in rows.dropFirst(offset).prefix(rect.height - 1).enumerated() {
            let y = rect.row + 1 + index
            let style: CellStyle = state.focus == pane && index == 0 ? .selected : top.limited ? .warn : .normal
            row(canvas: &canvas, y, rect.column + 1, [top.entry.key, String(top.entry.count)], [max(1, rect.width - countWidth - 3), countWidth], style, right: rect.right)
        }
    }

    private func footer(_ state: ConsoleState, now: Double, into canvas: inout Canvas) {
        let y = canvas.height - 1
        guard y >= 3 else { return }
        canvas.paint(y, from: 0, width: canvas.width, .header)
        switch state.mode {
        case .filterInput(let text):
            canvas.put(y, 0, " filter (text or regex, ! inverts, empty clears): \(text)_", .header)
        case .flushInput(let text):
            canvas.put(y, 0, " flush cache: a name, or empty for everything: \(text)_", .header)
        case .flushConfirm(let name):
            canvas.put(y, 0, " flush \(name ?? "EVERY cached entry")? y = yes, any other key = no", .warn)
        default:
            if let message = state.message, message.until > now {
                canvas.put(y, 0, " " + message.text, message.style == .normal ? .header : message.style)
            } else {
                let readOnly = state.role == .readOnly
                let actions = readOnly ? "(r f c u: read-only)" : "r TLS  f flush  c config  u upstream"
                canvas.put(y, 0, " ? help  / filter  space pause  \(actions)  w window  enter details  tab focus  s sort  q quit", .header)
            }
        }
    }

    private func overlay(title: String, lines: [(String, CellStyle)], _ canvas: inout Canvas) {
        let width = min(canvas.width - 2, max(title.count + 6, (lines.map(\.0.count).max() ?? 0) + 4))
        let height = min(canvas.height - 2, lines.count + 2)
        guard width > 4, height > 2 else { return }
        let top = max(1, (canvas.height - height) / 2), left = max(1, (canvas.width - width) / 2)
        let (h, v, corners): (String, String, [String]) = unicode ? ("─", "│", ["┌", "┐", "└", "┘"]) : ("-", "|", ["+", "+", "+", "+"])
        canvas.put(top, left, corners[0] + String(repeating: h, count: width - 2) + corners[1], .accent)
        canvas.put(top, left + 2, " \(title) ", .focusedTitle)
        for index in 0..<(height - 2) {
            canvas.put(top + 1 + index, left, v + String(repeating: " ", count: width - 2) + v, .accent)
            if index < lines.count { canvas.put(top + 1 + index, left + 2, lines[index].0, lines[index].1, limit: width - 4) }
        }
        canvas.put(top + height - 1, left, corners[2] + String(repeating: h, count: width - 2) + corners[3], .accent)
    }

    // MARK: - Formatting

    public static func rcodeStyle(_ rcode: String) -> CellStyle {
        switch rcode {
        case "NOERROR": return .good
        case "NXDOMAIN": return .warn
        default: return .bad
        }
    }

    private func clock(_ time: Double) -> String {
        let seconds = (Int(time) + utcOffset) % 86400
        return String(format: "%02d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
    }

    /// `2026-07-02T03:00:01Z` -> `07-02 03:00`.
    static func shortTime(_ iso: String) -> String {
        guard iso.count >= 16 else { return iso }
        let characters = Array(iso)
        return String(characters[5..<10]) + " " + String(characters[11..<16])
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? String(text.prefix(width)) : text + String(repeating: " ", count: width - text.count)
    }
}
