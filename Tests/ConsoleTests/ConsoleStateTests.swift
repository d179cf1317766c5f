import ConsoleCore
import ControlProto
import Testing

/// The console's view model: filters, percentiles, histogram, sparkline, size tiers, expiry
/// colours, sort orders, missed events, keys and the rendered frame.
@Suite("Console view model")
struct ConsoleStateTests {
    static func event(_ name: String, rcode: String = "NOERROR", client: String = "127.0.0.1", latency: Int = 100) -> StreamEvent {
        StreamEvent(time: 1_700_000_000, client: client, transport: "udp", name: name, type: "A", rcode: rcode,
                    latencyMicros: latency, source: "zone:example.test.")
    }

    @Test func substringFilterIgnoresCase() throws {
        let filter = try #require(StreamFilter("WWW.example"))
        #expect(!filter.isRegex)
        #expect(filter.matches(Self.event("www.example.test.")))
        #expect(!filter.matches(Self.event("mail.example.test.")))
        // Matches any column: rcode, client.
        #expect(try #require(StreamFilter("nxdomain")).matches(Self.event("x.", rcode: "NXDOMAIN")))
        #expect(try #require(StreamFilter("10.0.0.7")).matches(Self.event("x.", client: "10.0.0.7")))
    }

    @Test func regexFilterAndInversion() throws {
        let regex = try #require(StreamFilter("^10\\.0\\.0\\.[0-9]+ .*NXDOMAIN"))
        #expect(regex.isRegex)
        #expect(regex.matches(Self.event("a.", rcode: "NXDOMAIN", client: "10.0.0.9")))
        #expect(!regex.matches(Self.event("a.", rcode: "NOERROR", client: "10.0.0.9")))
        let inverted = try #require(StreamFilter("!www"))
        #expect(inverted.inverted)
        #expect(!inverted.matches(Self.event("www.example.test.")))
        #expect(inverted.matches(Self.event("mail.example.test.")))
        // A pattern that does not compile is taken as text.
        let broken = try #require(StreamFilter("a(b"))
        #expect(!broken.isRegex)
        #expect(StreamFilter("") == nil)
        #expect(StreamFilter("!") == nil)
    }

    @Test func filterAppliesToOldAndNewEvents() {
        var state = ConsoleState(socketPath: "/s", host: "h")
        state.receive(QueryEventBatch(events: [Self.event("a.test."), Self.event("b.test.")], missed: 0))
        state.setFilter("b.test")
        #expect(state.shownEvents.map(\.name) == ["b.test."])
        state.receive(QueryEventBatch(events: [Self.event("b.test."), Self.event("c.test.")], missed: 0))
        #expect(state.shownEvents.map(\.name) == ["b.test.", "b.test."])
        state.setFilter("")
        #expect(state.shownEvents.count == 4)
    }

    @Test func nearestRankPercentiles() {
        let sorted = Array(1...100)
        #expect(LatencySummary.percentile(sorted, 0.5) == 50)
        #expect(LatencySummary.percentile(sorted, 0.9) == 90)
        #expect(LatencySummary.percentile(sorted, 0.99) == 99)
        #expect(LatencySummary.percentile([7], 0.99) == 7)
        #expect(LatencySummary.percentile([], 0.5) == nil)
    }

    @Test func histogramBucketsTrimAndMerge() {
        let json: JSONValue = .object(["count": .int(10), "p50_us": .int(40), "buckets": .array([
            .object(["le_us": .int(16), "count": .int(0)]), .object(["le_us": .int(32), "count": .int(3)]),
            .object(["le_us": .int(64), "count": .int(5)]), .object(["le_us": .int(128), "count": .int(0)]),
            .object(["le_us": .int(256), "count": .int(1)]), .object(["le_us": .int(512), "count": .int(1)]),
            .object(["le_us": .int(1024), "count": .int(0)]),
        ])])
        let summary = LatencySummary(json: json, window: 10)
        #expect(summary.p50 == 40 && summary.p99 == nil)
        #expect(summary.visibleBuckets(rows: 10).map(\.limitMicros) == [32, 64, 128, 256, 512])
        let merged = summary.visibleBuckets(rows: 3)
        #expect(merged.map(\.limitMicros) == [32, 64, 512])
        #expect(merged.map(\.count) == [3, 5, 2])
        #expect(LatencySummary.barLength(count: 5, largest: 5, width: 20) == 20)
        #expect(LatencySummary.barLength(count: 1, largest: 1000, width: 20) == 1)
        #expect(LatencySummary.barLength(count: 0, largest: 5, width: 20) == 0)
        #expect(LatencySummary.format(micros: 850) == "850µs")
        #expect(LatencySummary.format(micros: 1234) == "1.2ms")
        #expect(LatencySummary.format(micros: 35_000) == "35ms")
        #expect(LatencySummary.format(micros: 2_100_000) == "2.1s")
    }

    @Test func sparklineScalesToTheLargestSample() {
        #expect(Sparkline.render([0, 1, 2, 4, 8], width: 5) == " ▂▃▅█")
        #expect(Sparkline.render([8], width: 3) == "  █")
        #expect(Sparkline.render([1, 2, 3, 4], width: 2).count == 2)
        #expect(Sparkline.render([8, 8], width: 2, unicode: false) == "##")
        #expect(Sparkline.render([], width: 0) == "")
    }

    @Test func sizeTiers() {
        #expect(SizeTier(width: 79, height: 24) == .tiny)
        #expect(SizeTier(width: 80, height: 24) == .compact)
        #expect(SizeTier(width: 120, height: 40) == .normal)
        #expect(SizeTier(width: 200, height: 60) == .wide)
        #expect(SizeTier(width: 200, height: 30) == .compact)
    }

    @Test(arguments: [(80, 24), (100, 30), (120, 40), (160, 45), (200, 60), (60, 20)])
    func everyPaneFitsTheScreen(width: Int, height: Int) {
        let layout = ConsoleLayout(width: width, height: height)
        for (pane, rect) in layout.panes {
            #expect(rect.row >= 0 && rect.bottom <= height && rect.column >= 0 && rect.right <= width, "\(pane) \(rect) outside \(width)x\(height)")
        }
        if layout.tier != .tiny {
            for pane in PaneID.focusable { #expect((layout.panes[pane]?.height ?? 0) >= 2, "\(pane) too small at \(width)x\(height)") }
            // Panes of the body do not overlap.
            let rects = PaneID.focusable.compactMap { layout.panes[$0] }
            for (i, a) in rects.enumerated() { for b in rects[(i + 1)...] {
                let overlap = a.row < b.bottom && b.row < a.bottom && a.column < b.right && b.column < a.right
                #expect(!overlap, "\(a) overlaps \(b)")
            } }
        }
    }

    @Test func expiryColours() {
        #expect(ExpiryLevel(daysToExpiry: 90) == .fine)
        #expect(ExpiryLevel(daysToExpiry: 31) == .fine)
        #expect(ExpiryLevel(daysToExpiry: 30) == .soon)
        #expect(ExpiryLevel(daysToExpiry: 8) == .soon)
        #expect(ExpiryLevel(daysToExpiry: 7) == .urgent)
        #expect(ExpiryLevel(daysToExpiry: -3) == .urgent)
        #expect(ExpiryLevel(daysToExpiry: 30).style == .warn)
    }

    @Test func sortOrders() {
        let entries = [TopEntry(key: "b.", count: 5), TopEntry(key: "a.", count: 5), TopEntry(key: "c.", count: 9)]
        #expect(TableSort.primary.sorted(entries).map(\.key) == ["c.", "a.", "b."])
        #expect(TableSort.name.sorted(entries).map(\.key) == ["a.", "b.", "c."])
        #expect(TableSort.secondary.sorted(entries).map(\.key) == ["a.", "b.", "c."])
        let ups = [UpstreamRow(name: "u1", state: "up", smoothedRTTms: 5, queries: 10, errors: 0),
                   UpstreamRow(name: "u2", state: "up", smoothedRTTms: 50, queries: 3, errors: 1)]
        #expect(TableSort.primary.sorted(ups).map(\.name) == ["u1", "u2"])
        #expect(TableSort.secondary.sorted(ups).map(\.name) == ["u2", "u1"])
        let certs = [CertificateRow(name: "z", subject: "", sans: [], daysToExpiry: 5, lastReloadAt: nil, lastResult: "-"),
                     CertificateRow(name: "a", subject: "", sans: [], daysToExpiry: 80, lastReloadAt: nil, lastResult: "-")]
        #expect(TableSort.primary.sorted(certs).map(\.name) == ["z", "a"])
        #expect(TableSort.name.sorted(certs).map(\.name) == ["a", "z"])
        // `s` cycles the focused table's order.
        var state = ConsoleState(socketPath: "/s", host: "h")
        state.focus = .topNames
        _ = state.handle(.character("s"), now: 0)
        #expect(state.sort[.topNames] == .name)
    }

    @Test func missedEventsAndPause() {
        var state = ConsoleState(socketPath: "/s", host: "h")
        state.receive(QueryEventBatch(events: [Self.event("a.")], missed: 3))
        state.receive(QueryEventBatch(events: [], missed: 4))
        #expect(state.missed == 7)
        _ = state.handle(.character(" "), now: 0)
        #expect(state.paused)
        state.receive(QueryEventBatch(events: [Self.event("b."), Self.event("c.")], missed: 1))
        #expect(state.shownEvents.map(\.name) == ["a."])
        #expect(state.held.count == 2 && state.missed == 8 && state.received == 3)
        _ = state.handle(.character(" "), now: 0)
        #expect(state.shownEvents.map(\.name) == ["a.", "b.", "c."])
    }

    @Test func decodesQueryEventNotifications() throws {
        let line = #"{"jsonrpc":"2.0","method":"queries.event","params":{"subscription":1,"missed":2,"events":[{"time":1700000000.5,"client":"127.0.0.1","transport":"udp","name":"www.example.test.","type":"A","rcode":"NOERROR","latency_us":88,"source":"cache","tc":false,"do":false,"size":60}]}}"#
        let batch = try #require(QueryEventBatch.decode(line: Array(line.utf8)))
        #expect(batch.missed == 2)
        #expect(batch.events.first?.latencyMicros == 88)
        #expect(batch.events.first?.dnssec == nil && batch.events.first?.dnssecCell == "-")
        let bogus = #"{"jsonrpc":"2.0","method":"queries.event","params":{"subscription":1,"events":[{"time":1700000000.5,"client":"127.0.0.1","transport":"udp","name":"www.forged.test.","type":"A","rcode":"SERVFAIL","latency_us":88,"source":"upstream:recurse","dnssec":"bogus","dnssec_reason":"DNSSEC bogus: signature over www.forged.test. A does not verify"},{"time":1700000000.5,"client":"127.0.0.1","transport":"udp","name":"www.test.","type":"A","rcode":"NOERROR","latency_us":8,"source":"cache","dnssec":"secure","dnssec_reason":null}]}}"#
        let verdicts = try #require(QueryEventBatch.decode(line: Array(bogus.utf8)))
        #expect(verdicts.events.map(\.dnssecCell) == ["bogus: DNSSEC bogus: signature over www.forged.test. A does not verify", "secure"])
        #expect(QueryEventBatch.decode(line: Array(#"{"jsonrpc":"2.0","result":{"subscription":1},"id":1}"#.utf8)) == nil)
    }

    @Test func qpsFromCountersAndSparklineHistory() {
        var state = ConsoleState(socketPath: "/s", host: "h")
        var poll = PollSnapshot()
        poll.totalQueries = 100
        state.apply(poll, now: 10)
        #expect(state.qps == nil)
        poll.totalQueries = 300
        state.apply(poll, now: 12)
        #expect(state.qps == 100)
        #expect(state.qpsHistory == [100, 100])
    }

    /// Networks RRL limits (`rrl.list`, as dnsd sends it) lead the top-clients pane, marked
    /// and in the warning colour, ahead of the busiest clients.
    @Test func limitedClientsLeadTheClientsPane() throws {
        var poll = PollSnapshot()
        poll.takeStats(.object(["queries.total": .int(10)]))
        poll.takeLimited(.array([.object(["network": .string("198.51.100.0/24"), "kind": .string("answer"), "limited": .int(9800),
                                          "last_seconds_ago": .double(0.4)])]))
        poll.topClients = [TopEntry(key: "192.0.2.7", count: 50)]
        var state = ConsoleState(socketPath: "/s", host: "h")
        state.layout = ConsoleLayout(width: 120, height: 40)
        state.apply(poll, now: 0)
        #expect(state.limitedClients == [TopEntry(key: "198.51.100.0/24 answer", count: 9800)])
        let canvas = ConsoleRenderer(unicode: true, utcOffset: 0).render(state, now: 0)
        let rows = (0..<40).map { canvas.text($0) }
        let limited = try #require(rows.firstIndex { $0.contains("rrl 198.51.100.0/24 answer") }, "\(rows.joined(separator: "\n"))")
        let busiest = try #require(rows.firstIndex { $0.contains("192.0.2.7") })
        #expect(limited < busiest)
    }

    /// The header warns while the batch-wait guard has stopped some UDP worker's sleeps, from
    /// `stats.get`'s counters as dnsd sends them, and says nothing otherwise.
    @Test func headerShowsStoppedBatchWaits() {
        func header(suspendedWorkers: Int?) -> String {
            var stats: [String: JSONValue] = ["queries.total": .int(10), "udp.batch_wait.suspensions": .int(3)]
            if let suspendedWorkers { stats["udp.batch_wait.suspended_workers"] = .int(suspendedWorkers) }
            var poll = PollSnapshot()
            poll.takeStats(.object(stats))
            var state = ConsoleState(socketPath: "/s", host: "h")
            state.layout = ConsoleLayout(width: 120, height: 40)
            state.apply(poll, now: 0)
            return ConsoleRenderer(unicode: true, utcOffset: 0).render(state, now: 0).text(1)
        }
        #expect(header(suspendedWorkers: 1).contains("batch wait off on 1 UDP worker "), "\(header(suspendedWorkers: 1))")
        #expect(header(suspendedWorkers: 2).contains("batch wait off on 2 UDP workers"))
        #expect(!header(suspendedWorkers: 0).contains("batch wait"))
        #expect(!header(suspendedWorkers: nil).contains("batch wait"))
    }

    @Test func keysPromptsAndActions() {
        var state = ConsoleState(socketPath: "/s", host: "h")
        state.role = .admin
        #expect(state.handle(.character("r"), now: 0) == .reloadCertificates)
        _ = state.handle(.character("f"), now: 0)
        for character in "example.test" { _ = state.handle(.character(character), now: 0) }
        #expect(state.handle(.enter, now: 0) == nil)
        #expect(state.mode == .flushConfirm("example.test"))
        #expect(state.handle(.character("y"), now: 0) == .flushCache(name: "example.test"))
        _ = state.handle(.character("f"), now: 0)
        _ = state.handle(.enter, now: 0)
        #expect(state.handle(.character("n"), now: 0) == nil)  // not confirmed
        _ = state.handle(.character("/"), now: 0)
        _ = state.handle(.character("x"), now: 0)
        _ = state.handle(.escape, now: 0)
        #expect(state.filter == nil && state.mode == .browse)
        _ = state.handle(.tab, now: 0)
        #expect(state.focus == .latency)
        #expect(state.handle(.character("q"), now: 0) == .quit)
        // Read-only: actions are refused locally and say why.
        state.role = .readOnly
        #expect(state.handle(.character("r"), now: 1) == nil)
        #expect(state.message?.text.contains("read-only") == true)
        state.finish(.forbidden(.flushCache(name: nil)), now: 1)
        #expect(state.message?.text.contains("not allowed") == true)
    }

    @Test func renderedFrameFitsAndShowsEveryPane() {
        var state = ConsoleState(socketPath: "/run/dnsd/control.sock", host: "vm")
        for (width, height) in [(80, 24), (120, 40), (200, 60)] {
            state.layout = ConsoleLayout(width: width, height: height)
            state.receive(QueryEventBatch(events: [Self.event(String(repeating: "long-label.", count: 20) + "test.", rcode: "SERVFAIL")], missed: 0))
            state.certificates = [CertificateRow(name: "main", subject: "CN=dns.test", sans: ["dns.test"], daysToExpiry: 5,
                                                 lastReloadAt: "2026-07-02T03:00:01Z", lastResult: "reloaded")]
            let canvas = ConsoleRenderer(unicode: true, utcOffset: 0).render(state, now: 0)
            let text = (0..<canvas.height).map(canvas.text)
            #expect(text.count == height)
            #expect(text.allSatisfy { $0.count == width })
            let all = text.joined(separator: "\n")
            for title in ["Queries", "Latency", "Certificates", "Upstreams", "Top names", "Top clients", "5d", "SERVFAIL", "? help"] {
                #expect(all.contains(title), "\(title) missing at \(width)x\(height)")
            }
        }
        _ = state.handle(.character("?"), now: 0)
        let help = ConsoleRenderer().render(state, now: 0)
        let helpText = (0..<help.height).map(help.text).joined(separator: "\n")
        for key in ConsoleState.keys { #expect(helpText.contains(key.meaning.prefix(20)), "help lacks \(key.key)") }
    }
}
