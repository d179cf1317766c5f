import ConsoleCore
import ControlProto
import Testing

/// The keys that act: `c` (config.reload and its overlay), `w` (the top tables' window),
/// Enter (a client's drill-down, a name's filter) and `u` (an upstream off and on), from
/// answers shaped as dnsd sends them.
@Suite("Console actions")
struct ConsoleActingTests {
    static func admin() -> ConsoleState {
        var state = ConsoleState(socketPath: "/s", host: "h")
        state.role = .admin
        state.layout = ConsoleLayout(width: 120, height: 40)
        return state
    }

    static func screen(_ state: ConsoleState, now: Double = 0) -> String {
        let canvas = ConsoleRenderer(unicode: true, utcOffset: 0).render(state, now: now)
        return (0..<canvas.height).map(canvas.text).joined(separator: "\n")
    }

    @Test func configReloadShowsTheNewGenerationOrTheFileAndLine() {
        var state = Self.admin()
        #expect(state.handle(.character("c"), now: 0) == .reloadConfig)
        let applied = ConfigReloadResult(result: .object(["generation": .int(3), "applied": .array([.string("log.level")]),
                                                          "needs_restart": .array([.string("threads")]), "notes": .array([])]))
        state.finish(.configReloaded(applied), now: 0)
        var text = Self.screen(state)
        #expect(text.contains("config.reload") && text.contains("generation 3") && text.contains("applied: log.level")
                && text.contains("needs restart: threads"), "\(text)")
        _ = state.handle(.escape, now: 0)
        #expect(state.mode == .browse)

        let refused = ConfigReloadResult(failure: "reload refused, the running configuration stays: bad value",
                                         data: .object(["file": .string("/etc/dnsd/dnsd.yaml"), "line": .int(7), "column": .int(10),
                                                        "reason": .string("expected an integer")]))
        #expect(refused.location == "/etc/dnsd/dnsd.yaml:7:10: expected an integer")
        state.finish(.configReloaded(refused), now: 0)
        text = Self.screen(state)
        #expect(text.contains("config.reload FAILED") && text.contains("dnsd.yaml:7:10: expected an integer"), "\(text)")
        #expect(!text.contains("generation"))
    }

    @Test func readOnlyConnectionsGetNoConfigReloadOrUpstreamToggle() {
        var state = Self.admin()
        state.role = .readOnly
        state.upstreams = [UpstreamRow(name: "udp://127.0.0.1:53", state: "up", smoothedRTTms: nil, queries: 0, errors: 0)]
        #expect(state.handle(.character("c"), now: 0) == nil)
        #expect(state.message?.text == "config.reload: not allowed (read-only connection)")
        state.focus = .upstreams
        #expect(state.handle(.character("u"), now: 0) == nil)
        #expect(state.message?.text == "upstream.disable: not allowed (read-only connection)")
        state.message = nil
        #expect(Self.screen(state).contains("(r f c u: read-only)"))
    }

    @Test func windowCyclesAndTitlesSayIt() {
        var state = Self.admin()
        state.topNames = [TopEntry(key: "www.example.test.", count: 4)]
        #expect(Self.screen(state).contains("Top names · 1 min"))
        #expect(state.handle(.character("w"), now: 0) == .topWindow(3600))
        // The old window's rows go: they would be shown under the new title.
        #expect(state.topNames.isEmpty)
        let text = Self.screen(state)
        #expect(text.contains("Top names · 1 h") && text.contains("Top clients · 1 h"), "\(text)")
        #expect(state.handle(.character("w"), now: 0) == .topWindow(86400))
        #expect(Self.screen(state).contains("Top clients · 1 day"))
        #expect(state.handle(.character("w"), now: 0) == .topWindow(60))
    }

    static let clientShow: JSONValue = .object([
        "client": .string("127.0.0.3"), "window": .int(3600),
        "recent": .object(["complete": .bool(true), "queries": .int(6), "first": .double(990), "last_seen": .double(995.5),
                           "rcodes": .object(["NOERROR": .int(4), "NXDOMAIN": .int(2)]), "types": .object(["A": .int(6)]),
                           "transports": .object(["udp": .int(6)]), "latency_p50_ms": .double(0.04), "latency_p99_ms": .double(21.3),
                           "limited": .int(0), "blocked": .int(0),
                           "names": .array([.object(["key": .string("three.example.test."), "count": .int(4)])])]),
        "summaries": .object(["queries": .int(6), "error": .int(0), "covered": .int(3600)]),
    ])

    @Test func enterOnAClientRowDrillsDownAndEscCloses() throws {
        var state = Self.admin()
        state.limitedClients = [TopEntry(key: "198.51.100.0/24 answer", count: 9)]
        state.topClients = [TopEntry(key: "127.0.0.2", count: 2), TopEntry(key: "127.0.0.3", count: 6)]
        state.focus = .topClients
        // The first row is a rate-limited network: not one client.
        #expect(state.handle(.enter, now: 0) == nil)
        #expect(state.message?.text.contains("rate-limited network") == true)
        _ = state.handle(.down, now: 0)
        _ = state.handle(.character("w"), now: 0)
        state.topClients = [TopEntry(key: "127.0.0.2", count: 2), TopEntry(key: "127.0.0.3", count: 6)]
        #expect(state.handle(.enter, now: 0) == .showClient(address: "127.0.0.3", window: 3600))
        #expect(state.mode == .clientDetail(address: "127.0.0.3", nil))
        #expect(Self.screen(state).contains("asking dnsd"))
        // Another client's answer (a late one) does not replace it.
        var other = Self.clientShow
        if case .object(var values) = other { values["client"] = .string("127.0.0.2"); other = .object(values) }
        state.finish(.client(try #require(ClientDetail(json: other))), now: 0)
        #expect(state.mode == .clientDetail(address: "127.0.0.3", nil))
        let detail = try #require(ClientDetail(json: Self.clientShow))
        state.finish(.client(detail), now: 1000)
        let text = Self.screen(state, now: 1000)
        for expected in ["client 127.0.0.3 · last 1 h", "queries 6 (summaries 6)", "last seen 4s ago", "NOERROR 4  NXDOMAIN 2",
                         "types  A 6", "transports  udp 6", "p50 40µs  p99 21ms", "three.example.test.  4"] {
            #expect(text.contains(expected), "\(expected) missing:\n\(text)")
        }
        _ = state.handle(.escape, now: 0)
        #expect(state.mode == .browse)
        // Closed before the answer came: it stays closed.
        _ = state.handle(.enter, now: 0)
        _ = state.handle(.escape, now: 0)
        state.finish(.client(detail), now: 0)
        #expect(state.mode == .browse)
    }

    @Test func enterInTheStreamDrillsIntoTheSelectedLinesClient() {
        var state = Self.admin()
        state.receive(QueryEventBatch(events: [ConsoleStateTests.event("a.", client: "127.0.0.2"),
                                               ConsoleStateTests.event("b.", client: "127.0.0.3")], missed: 0))
        #expect(state.handle(.enter, now: 0) == .showClient(address: "127.0.0.3", window: 60))
        _ = state.handle(.escape, now: 0)
        _ = state.handle(.up, now: 0)
        #expect(state.handle(.enter, now: 0) == .showClient(address: "127.0.0.2", window: 60))
        state.finish(.failed(.showClient(address: "127.0.0.2", window: 60), "dnsd is not reachable"), now: 0)
        #expect(state.mode == .browse)
    }

    @Test func enterOnANameFiltersTheStream() {
        var state = Self.admin()
        state.receive(QueryEventBatch(events: [ConsoleStateTests.event("www.example.test."), ConsoleStateTests.event("mail.example.test.")], missed: 0))
        state.topNames = [TopEntry(key: "mail.example.test.", count: 3), TopEntry(key: "www.example.test.", count: 1)]
        state.focus = .topNames
        #expect(state.handle(.enter, now: 0) == nil)
        #expect(state.shownEvents.map(\.name) == ["mail.example.test."])
        #expect(state.focus == .stream)
    }

    @Test func upstreamToggleActsOnTheSelectedRow() {
        var state = Self.admin()
        state.upstreams = [UpstreamRow(name: "udp://127.0.0.1:5301", state: "up", smoothedRTTms: 1, queries: 9, errors: 0),
                           UpstreamRow(name: "udp://127.0.0.1:5302", state: "disabled", smoothedRTTms: nil, queries: 1, errors: 0)]
        #expect(state.handle(.character("u"), now: 0) == nil)  // not focused
        state.focus = .upstreams
        #expect(state.handle(.character("u"), now: 0) == .setUpstream(name: "udp://127.0.0.1:5301", enabled: false))
        state.finish(.upstreamSet(name: "udp://127.0.0.1:5301", enabled: false), now: 0)
        #expect(state.upstreams[0].state == "disabled")
        #expect(state.message?.text == "upstream.disable udp://127.0.0.1:5301: done")
        _ = state.handle(.down, now: 0)
        #expect(state.handle(.character("u"), now: 0) == .setUpstream(name: "udp://127.0.0.1:5302", enabled: true))
    }
}
