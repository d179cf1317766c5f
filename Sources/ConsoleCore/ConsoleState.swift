import Foundation

/// Everything the console shows, as plain data: the screen is drawn from this and nothing
/// else (STYLE.md "a screen is a function of state"). Keys, poll results and stream batches
/// change it; the curses layer only draws what `ConsoleRenderer` makes of it.
public struct ConsoleState {
    public enum Connection: Equatable, Sendable {
        case connecting
        case connected
        case disconnected(String)
    }

    public enum Role: Equatable, Sendable { case unknown, admin, readOnly }

    /// What the keyboard is doing: browsing, or typing into a prompt.
    public enum Mode: Equatable, Sendable {
        case browse
        case help
        case filterInput(String)
        case flushInput(String)
        case flushConfirm(String?)
        /// The per-certificate result of the last `r`, until a key closes it.
        case reloadResult(ControlReport, failure: String?)
        /// The result of the last `c` (`config.reload`), until a key closes it.
        case configResult(ConfigReloadResult)
        /// Enter on a client: its `clients.show` (nil while the answer is on its way).
        case clientDetail(address: String, ClientDetail?)
    }

    /// How many events the stream keeps (scrollback).
    public static let streamCapacity = 5000
    /// Seconds of QPS history for the sparkline.
    public static let historySeconds = 60

    public var socketPath: String
    public var host: String
    public var connection: Connection = .connecting
    public var role: Role = .unknown
    public var version = "?"
    public var uptimeSeconds: Int?
    public var qps: Double?
    public var qpsHistory: [Double] = []
    public var rcodes: [String: Int] = [:]
    public var inFlight: Int?
    /// UDP workers whose `udp.batch_wait` sleeps the guard has stopped because they ended late
    /// (`stats.get udp.batch_wait.suspended_workers`; nil from a dnsd that does not report it).
    public var batchWaitSuspendedWorkers: Int?
    public var cacheHitRatio: Double?
    public var latency10s: LatencySummary?
    public var latency1m: LatencySummary?
    public var upstreams: [UpstreamRow] = []
    public var certificates: [CertificateRow] = []
    public var topNames: [TopEntry] = []
    public var topClients: [TopEntry] = []
    /// Networks RRL limited, shown first in the top-clients pane (warning colour).
    public var limitedClients: [TopEntry] = []
    /// Seconds the top lists cover; `w` cycles through `topWindows`.
    public internal(set) var topWindow = 60

    /// Every event kept, oldest first, and the ones the filter lets through (kept up to date
    /// incrementally: re-filtering 5000 events each frame would cost more than the rest).
    public private(set) var events: [StreamEvent] = []
    public private(set) var shownEvents: [StreamEvent] = []
    /// Events that arrived while paused; appended on resume.
    public private(set) var held: [StreamEvent] = []
    public private(set) var paused = false
    /// Events the daemon dropped because the console did not keep up, since start.
    public private(set) var missed = 0
    /// Events received in total (for the stream's title).
    public private(set) var received = 0
    /// The daemon sends one event in `sample` (the console asks for sampling at high rates).
    public var sample = 1
    public private(set) var filter: StreamFilter?

    public var mode: Mode = .browse
    public var focus: PaneID = .stream
    /// Per pane: lines scrolled (the stream counts up from its newest line).
    public var scroll: [PaneID: Int] = [:]
    public var sort: [PaneID: TableSort] = [:]
    /// The footer's message and when it stops showing.
    public var message: (text: String, style: CellStyle, until: Double)?
    public var layout = ConsoleLayout(width: 80, height: 24)

    private var lastTotal: (count: Int, at: Double)?

    public init(socketPath: String, host: String) {
        self.socketPath = socketPath
        self.host = host
    }

    // MARK: - Daemon data

    /// Applies one poll round taken at `now` (seconds).
    public mutating func apply(_ poll: PollSnapshot, now: Double) {
        connection = .connected
        if let version = poll.version { self.version = version }
        if let uptime = poll.uptimeSeconds { uptimeSeconds = uptime }
        if let total = poll.totalQueries {
            if let last = lastTotal, now > last.at, total >= last.count {
                let rate = Double(total - last.count) / (now - last.at)
                qps = rate
                // One sample per elapsed second, so the sparkline spans a minute whatever --refresh is.
                let seconds = max(1, Int((now - last.at).rounded()))
                qpsHistory.append(contentsOf: Array(repeating: rate, count: min(seconds, Self.historySeconds)))
                if qpsHistory.count > Self.historySeconds { qpsHistory.removeFirst(qpsHistory.count - Self.historySeconds) }
            }
            lastTotal = (total, now)
        }
        if let rcodes = poll.rcodes { self.rcodes = rcodes }
        if poll.totalQueries != nil {
            inFlight = poll.inFlight
            batchWaitSuspendedWorkers = poll.batchWaitSuspendedWorkers
        }
        if let ratio = poll.cacheHitRatio { cacheHitRatio = ratio }
        if let latency = poll.latency10s { latency10s = latency }
        if let latency = poll.latency1m { latency1m = latency }
        if let upstreams = poll.upstreams { self.upstreams = upstreams }
        if let certificates = poll.certificates { self.certificates = certificates }
        if let names = poll.topNames { topNames = names }
        if let clients = poll.topClients { topClients = clients }
        if let limited = poll.limitedClients { limitedClients = limited }
        if let readOnly = poll.readOnly { role = readOnly ? .readOnly : .admin }
    }

    /// The daemon went away; the data shown stays (greyed) until it is back.
    public mutating func lost(_ reason: String) {
        connection = .disconnected(reason)
        qps = nil
        lastTotal = nil
        inFlight = nil
        batchWaitSuspendedWorkers = nil
    }

    /// One `queries.event` batch. While paused, events are held (counters keep running).
    public mutating func receive(_ batch: QueryEventBatch) {
        missed += batch.missed
        received += batch.events.count
        if paused {
            held.append(contentsOf: batch.events)
            if held.count > Self.streamCapacity { held.removeFirst(held.count - Self.streamCapacity) }
        } else {
            append(batch.events)
        }
    }

    private mutating func append(_ new: [StreamEvent]) {
        guard !new.isEmpty else { return }
        events.append(contentsOf: new)
        let passing = filter.map { filter in new.filter(filter.matches) } ?? new
        shownEvents.append(contentsOf: passing)
        if events.count > Self.streamCapacity { events.removeFirst(events.count - Self.streamCapacity) }
        if shownEvents.count > Self.streamCapacity { shownEvents.removeFirst(shownEvents.count - Self.streamCapacity) }
        // Scrolled back: keep looking at the same lines while new ones arrive below.
        if let offset = scroll[.stream], offset > 0 { scroll[.stream] = min(offset + passing.count, max(0, shownEvents.count - 1)) }
    }

    public mutating func setFilter(_ text: String) {
        filter = StreamFilter(text)
        shownEvents = filter.map { filter in events.filter(filter.matches) } ?? events
        scroll[.stream] = 0
    }

    public mutating func togglePause() {
        paused.toggle()
        if !paused {
            let waiting = held
            held = []
            append(waiting)
        }
    }

    /// p50 and p99 of the filtered stream's latencies (the newest 1000), in µs.
    public var shownLatency: (p50: Int?, p99: Int?) {
        let sorted = shownEvents.suffix(1000).map(\.latencyMicros).sorted()
        return (LatencySummary.percentile(sorted, 0.5), LatencySummary.percentile(sorted, 0.99))
    }

    // MARK: - Actions

    public mutating func show(_ text: String, _ style: CellStyle = .normal, now: Double, seconds: Double = 6) {
        message = (text, style, now + seconds)
    }

    /// The result of an action the daemon ran.
    public mutating func finish(_ outcome: ActionOutcome, now: Double) {
        switch outcome {
        case .reload(let report, let failure):
            mode = .reloadResult(report, failure: failure)
            show(failure == nil ? "tls.reload: done" : "tls.reload failed: \(failure!)", failure == nil ? .good : .bad, now: now)
        case .flushed(let name, let count):
            show("cache.flush \(name ?? "(everything)"): \(count) entries removed", .good, now: now)
        case .configReloaded(let result):
            mode = .configResult(result)
            if let failure = result.failure { show("config.reload failed: \(result.location ?? failure)", .bad, now: now) }
            else { show("config.reload: generation \(result.generation.map(String.init) ?? "?")", .good, now: now) }
        case .client(let detail):
            // Only into the overlay still waiting for it (esc may have closed it meanwhile).
            if case .clientDetail(detail.address, nil) = mode { mode = .clientDetail(address: detail.address, detail) }
        case .upstreamSet(let name, let enabled):
            if let index = upstreams.firstIndex(where: { $0.name == name }) { upstreams[index].state = enabled ? "up" : "disabled" }
            show("\(enabled ? "upstream.enable" : "upstream.disable") \(name): done", .good, now: now)
        case .forbidden(let action):
            role = .readOnly
            show("\(Self.describe(action)): not allowed (read-only connection)", .bad, now: now)
        case .failed(let action, let reason):
            if case .clientDetail = mode, case .showClient = action { mode = .browse }
            show("\(Self.describe(action)) failed: \(reason)", .bad, now: now)
        }
    }

    static func describe(_ action: ConsoleAction) -> String {
        switch action {
        case .quit: return "quit"
        case .reloadCertificates: return "tls.reload"
        case .flushCache: return "cache.flush"
        case .reloadConfig: return "config.reload"
        case .topWindow: return "window"
        case .showClient(let address, _): return "clients.show \(address)"
        case .setUpstream(let name, let enabled): return "\(enabled ? "upstream.enable" : "upstream.disable") \(name)"
        }
    }

    // MARK: - Keys

    /// Every key, for the `?` overlay (and docs/console.md).
    public static let keys: [(key: String, meaning: String)] = [
        ("?", "show or hide this help"),
        ("/", "filter the stream: text or regex; ! first inverts; empty clears"),
        ("space", "pause or resume the stream (counters keep running)"),
        ("r", "reload TLS certificates (tls.reload), show each result"),
        ("f", "flush the cache: empty = everything, or a name; then confirm"),
        ("c", "reload the configuration (config.reload), show the result"),
        ("w", "top tables' window: 1 min, 1 h, 1 day"),
        ("enter", "client row or stream line: drill down; name row: filter on it"),
        ("u", "disable or enable the selected upstream"),
        ("tab", "move focus to the next pane (shift-tab: back)"),
        ("up/down", "scroll the focused pane one line"),
        ("PgUp/PgDn", "scroll the focused pane one page"),
        ("home/end", "oldest / newest (stream: end follows)"),
        ("s", "change the focused table's sort order"),
        ("esc", "close a prompt or overlay"),
        ("q", "quit and restore the terminal"),
    ]

    /// Applies a key; returns what the outside world must do, if anything.
    public mutating func handle(_ key: ConsoleKey, now: Double) -> ConsoleAction? {
        switch mode {
        case .help, .reloadResult, .configResult, .clientDetail:
            if key == .character("q") { return .quit }
            mode = .browse
            return nil
        case .filterInput(let text):
            switch edit(text, key) {
            case .editing(let new): mode = .filterInput(new)
            case .cancelled: mode = .browse
            case .done(let value):
                mode = .browse
                setFilter(value)
                if let filter { show("filter: \(filter.summary)", now: now) } else { show("filter cleared", now: now) }
            }
            return nil
        case .flushInput(let text):
            switch edit(text, key) {
            case .editing(let new): mode = .flushInput(new)
            case .cancelled: mode = .browse
            case .done(let value):
                let name = value.trimmingCharacters(in: .whitespaces)
                mode = .flushConfirm(name.isEmpty ? nil : name)
            }
            return nil
        case .flushConfirm(let name):
            mode = .browse
            if key == .character("y") || key == .character("Y") { return .flushCache(name: name) }
            show("cache.flush cancelled", now: now)
            return nil
        case .browse:
            return browse(key, now: now)
        }
    }

    private mutating func browse(_ key: ConsoleKey, now: Double) -> ConsoleAction? {
        let page = max(1, layout.contentRows(focus) - 1)
        switch key {
        case .character("q"), .character("Q"): return .quit
        case .character("?"): mode = .help
        case .character("/"): mode = .filterInput(filter?.text ?? "")
        case .character(" "):
            togglePause()
            show(paused ? "stream paused (space resumes)" : "stream resumed", now: now)
        case .character("r"):
            if role == .readOnly { show("tls.reload: not allowed (read-only connection)", .bad, now: now); return nil }
            show("tls.reload …", now: now)
            return .reloadCertificates
        case .character("f"):
            if role == .readOnly { show("cache.flush: not allowed (read-only connection)", .bad, now: now); return nil }
            mode = .flushInput("")
        case .character("c"): return reloadConfig(now: now)
        case .character("w"): return cycleTopWindow(now: now)
        case .character("u"): return toggleSelectedUpstream(now: now)
        case .enter: return drillDown(now: now)
        case .character("s"):
            guard focus != .stream, focus != .latency else {
                show("the \(focus.title.lowercased()) pane has one order; tab to a table", now: now)
                return nil
            }
            let next = (sort[focus] ?? .primary).next
            sort[focus] = next
            show("\(focus.title): \(next.label(for: focus))", now: now)
        case .tab, .backTab:
            let panes = PaneID.focusable.filter { layout.panes[$0] != nil }
            guard let index = panes.firstIndex(of: focus) else { focus = .stream; return nil }
            focus = panes[(index + (key == .tab ? 1 : panes.count - 1)) % panes.count]
        case .up: scrollFocused(by: focus == .stream ? 1 : -1)
        case .down: scrollFocused(by: focus == .stream ? -1 : 1)
        case .pageUp: scrollFocused(by: focus == .stream ? page : -page)
        case .pageDown: scrollFocused(by: focus == .stream ? -page : page)
        case .home: scroll[focus] = focus == .stream ? max(0, shownEvents.count - 1) : 0
        case .end: scroll[focus] = focus == .stream ? 0 : Int.max / 2
        default: break
        }
        return nil
    }

    private mutating func scrollFocused(by lines: Int) {
        let limit = focus == .stream ? max(0, shownEvents.count - 1) : Int.max / 2
        scroll[focus] = min(max(0, (scroll[focus] ?? 0) + lines), limit)
    }

    private enum Edit { case editing(String), cancelled, done(String) }

    private func edit(_ text: String, _ key: ConsoleKey) -> Edit {
        switch key {
        case .enter: return .done(text)
        case .escape: return .cancelled
        case .backspace: return .editing(String(text.dropLast()))
        case .character(let character) where text.count < 200: return .editing(text + String(character))
        default: return .editing(text)
        }
    }

    /// Drops an expired footer message.
    public mutating func expireMessage(now: Double) {
        if let message, message.until <= now { self.message = nil }
    }

    /// `3d 04:05:06`, `04:05:06`.
    public static func formatUptime(_ seconds: Int) -> String {
        let days = seconds / 86400, hours = seconds / 3600 % 24, minutes = seconds / 60 % 60, secs = seconds % 60
        let clock = String(format: "%02d:%02d:%02d", hours, minutes, secs)
        return days > 0 ? "\(days)d \(clock)" : clock
    }
}
