import Foundation
import Testing

/// dnsconsole end to end: a real dnsd (zone + TLS certificates), the console in tmux, dig
/// for queries, and the screen read back with capture-pane.
@Suite("dnsconsole under tmux", .serialized)
struct ConsoleTests {
    static func dig(_ port: UInt16, _ name: String) throws {
        _ = try PeerTool.run(try PeerTool.require("dig"), ["@127.0.0.1", "-p", "\(port)", "+short", "+tries=1", "+time=2", name, "A"])
    }

    static func failure(_ what: String, _ screen: [String]) -> Comment { Comment(rawValue: "\(what); screen:\n\(ConsoleTmux.text(screen))") }

    @Test func streamFilterReloadCertificatesResizeAndQuit() throws {
        let dnsd = try TLSHarness()
        defer { _ = try? dnsd.stop() }
        let console = try ConsoleTmux(socket: dnsd.socket)
        var (ok, screen) = try console.wait { ConsoleTmux.text($0).contains("● connected") }
        #expect(ok, Self.failure("never connected", screen))

        // Queries appear with their rcode (re-sent until seen: the subscription starts a moment after connecting).
        (ok, screen) = try console.wait(timeout: 15) { screen in
            try? Self.dig(dnsd.dnsPort, "www.example.test")
            try? Self.dig(dnsd.dnsPort, "nope.example.test")
            let stream = ConsoleTmux.streamLines(screen)
            return stream.contains { $0.contains("www.example.test.") && $0.contains("NOERROR") }
                && stream.contains { $0.contains("nope.example.test.") && $0.contains("NXDOMAIN") }
        }
        #expect(ok, Self.failure("queries not in the stream with their rcode", screen))

        // The certificate pane: a1 (main) ends in 90 days minus an hour, b1 (other) in 60.
        (ok, screen) = try console.wait { screen in
            screen.contains { $0.contains("main") && $0.contains("89d") } && screen.contains { $0.contains("other") && $0.contains("59d") }
        }
        #expect(ok, Self.failure("certificate pane without days to expiry", screen))

        // `/` filters the stream; `!` inverts.
        try console.send("/", "nope", "Enter")
        (ok, screen) = try console.wait { screen in
            let stream = ConsoleTmux.streamLines(screen)
            return stream.contains { $0.contains("nope.example.test.") } && !stream.contains { $0.contains("www.example.test.") }
        }
        #expect(ok, Self.failure("filter 'nope' did not hide www", screen))
        try console.send("/", "C-h", "C-h", "C-h", "C-h", "!nope", "Enter")
        (ok, screen) = try console.wait { screen in
            let stream = ConsoleTmux.streamLines(screen)
            return stream.contains { $0.contains("www.example.test.") } && !stream.contains { $0.contains("nope.example.test.") }
        }
        #expect(ok, Self.failure("inverted filter '!nope' did not hide nope", screen))

        // `r` reloads: a new certificate for main is reported per certificate.
        try dnsd.install(cert: "a2")
        try console.send("r")
        (ok, screen) = try console.wait { screen in
            ConsoleTmux.text(screen).contains("tls.reload") && screen.contains { $0.contains("main") && $0.contains("reloaded") }
                && screen.contains { $0.contains("other") && $0.contains("unchanged") }
        }
        #expect(ok, Self.failure("no per-certificate reload result", screen))
        try console.send("Escape")

        // 80x24: nothing longer than 80 columns, the key panes still there.
        try console.resize(width: 80, height: 24)
        (ok, screen) = try console.wait { screen in
            let text = ConsoleTmux.text(screen)
            return screen.count <= 25 && screen.allSatisfy { $0.count <= 80 }
                && ["Queries", "Latency", "Certificates", "Upstreams", "Top names", "? help"].allSatisfy(text.contains)
        }
        #expect(ok, Self.failure("layout does not fit 80x24", screen))

        // `q` restores the terminal: the console exits 0 and the shell's output shows again.
        try console.send("q")
        (ok, screen) = try console.wait { ConsoleTmux.text($0).contains("CONSOLE-EXIT=0") && ConsoleTmux.text($0).contains("PROMPT-BACK") }
        #expect(ok, Self.failure("console did not exit 0 on q", screen))
        #expect(!ConsoleTmux.text(screen).contains("─ Queries"), Self.failure("the console's screen was left behind", screen))
    }

    @Test func saysDisconnectedAndReconnects() throws {
        let (dnsd, socket) = try ControlPlaneTests.start()
        let console = try ConsoleTmux(socket: socket)
        var (ok, screen) = try console.wait { ConsoleTmux.text($0).contains("● connected") }
        #expect(ok, Self.failure("never connected", screen))

        kill(dnsd.process.processIdentifier, SIGKILL)
        _ = PeerTool.waitForExit(dnsd.process, timeout: 10)
        (ok, screen) = try console.wait { ConsoleTmux.text($0).contains("disconnected") }
        #expect(ok, Self.failure("no 'disconnected' after dnsd died", screen))

        let again = try DnsdProcess(arguments: ["--config", dnsd.configPath], directory: dnsd.directory, configPath: dnsd.configPath, port: dnsd.port)
        try again.waitUntilAnswering()
        (ok, screen) = try console.wait(timeout: 15) { screen in
            let text = ConsoleTmux.text(screen)
            return text.contains("● connected") && !text.contains("disconnected")
        }
        #expect(ok, Self.failure("did not reconnect to the restarted dnsd", screen))
        // The stream resubscribed too.
        (ok, screen) = try console.wait(timeout: 15) { screen in
            try? Self.dig(again.port, "www.example.test")
            return ConsoleTmux.streamLines(screen).contains { $0.contains("www.example.test.") }
        }
        #expect(ok, Self.failure("stream did not resume after reconnecting", screen))

        try console.send("q")
        (ok, screen) = try console.wait { ConsoleTmux.text($0).contains("CONSOLE-EXIT=0") }
        #expect(ok, Self.failure("console did not exit 0", screen))
        #expect(try again.stop() == 0)
        try? FileManager.default.removeItem(at: dnsd.directory)
    }

    /// The header warns while a UDP worker's batch-wait sleeps are stopped for ending late
    /// (made late as in BatchWaitGuardStatsTests), and is quiet about it before.
    @Test func headerWarnsWhileBatchWaitsAreStopped() throws {
        try DnsdProcess.with(settings: "threads: 1\nudp: {batch_wait: 50us}\n") { dnsd in
            let console = try ConsoleTmux(socket: dnsd.controlSocket)
            var (ok, screen) = try console.wait { ConsoleTmux.text($0).contains("● connected") }
            #expect(ok, Self.failure("never connected", screen))
            #expect(!ConsoleTmux.text(screen).contains("batch wait"), Self.failure("warned before any late sleep", screen))

            try BatchWaitGuardStatsTests.streamWithStops(dnsd)
            (ok, screen) = try console.wait { ConsoleTmux.text($0).contains("batch wait off on 1 UDP worker") }
            #expect(ok, Self.failure("no batch-wait warning in the header", screen))
            try console.send("q")
        }
    }

    /// Networks that response rate limiting holds back lead the top-clients pane.
    @Test func limitedNetworksShowInTheClientsPane() throws {
        let upstream = try FaultyUpstream(mode: "answer")
        try ForwardDnsd.with(servers: ResponseRateLimitTests.servers(upstream), settings: ResponseRateLimitTests.settings) { dnsd in
            let console = try ConsoleTmux(socket: dnsd.controlSocket)
            var (ok, screen) = try console.wait { ConsoleTmux.text($0).contains("● connected") }
            #expect(ok, Self.failure("never connected", screen))
            _ = try ResponseRateLimitTests.flood(dnsd.port, from: "127.0.5.2", "ns.zone.test.", count: 600, seconds: 0.3)
            (ok, screen) = try console.wait(timeout: 15) { ConsoleTmux.text($0).contains("rrl 127.0.5.0/24 answer") }
            #expect(ok, Self.failure("the limited network is not in the clients pane", screen))
            try console.send("q")
        }
    }

    /// The keys that act, against dnsd forwarding to a loopback upstream: Enter on the busiest
    /// client shows only that client's queries, `u` takes the upstream out of service and back
    /// (as `upstream.list` then says), `c` reloads the configuration and, once the file is
    /// broken, shows its file:line.
    @Test func drillDownUpstreamToggleAndConfigReload() throws {
        let upstream = try FaultyUpstream(mode: "answer")
        let servers = """
              - zones: [fwd.test.]
                plugins:
                  - forward: {to: [\(upstream.url())]}
            """
        try ForwardDnsd.with(servers: servers) { dnsd in
            let console = try ConsoleTmux(socket: dnsd.controlSocket)
            var (ok, screen) = try console.wait { ConsoleTmux.text($0).contains("● connected") }
            #expect(ok, Self.failure("never connected", screen))

            // Two clients: 127.0.0.3 asks 30 times (the busiest), 127.0.0.2 twice, for other names.
            let dig = try PeerTool.require("dig")
            func ask(from source: String, _ name: String, times: Int) throws {
                let questions = Array(repeating: [name, "A"], count: times).flatMap { $0 }
                _ = try PeerTool.run(dig, ["-b", source, "@127.0.0.1", "-p", "\(dnsd.port)", "+short", "+tries=1", "+time=2"] + questions)
            }
            try ask(from: "127.0.0.3", "three.ready.test.", times: 30)
            try ask(from: "127.0.0.2", "two.ready.test.", times: 2)
            // Tab to Top clients (stream, latency, certificates, upstreams, names, clients).
            try console.send("Tab", "Tab", "Tab", "Tab", "Tab")
            // The Top clients pane is the rightmost: its rows end the screen's lines with their count.
            (ok, screen) = try console.wait(timeout: 15) { screen in
                screen.contains { $0.contains("127.0.0.3") && $0.trimmingCharacters(in: .whitespaces).hasSuffix(" 30") }
            }
            #expect(ok, Self.failure("the clients are not in the Top clients pane", screen))
            try console.send("Enter")
            (ok, screen) = try console.wait { screen in
                let overlay = ConsoleTmux.text(ConsoleTmux.overlayLines(screen))
                return overlay.contains("client 127.0.0.3") && overlay.contains("three.ready.test.") && overlay.contains("queries 30")
            }
            #expect(ok, Self.failure("no drill-down for 127.0.0.3", screen))
            let overlay = ConsoleTmux.text(ConsoleTmux.overlayLines(screen))
            #expect(!overlay.contains("two.ready.test.") && !overlay.contains("127.0.0.2"), Self.failure("another client's data in the drill-down", screen))
            #expect(overlay.contains("NXDOMAIN 30") && overlay.contains("types  A 30"), Self.failure("rcodes or types missing", screen))
            try console.send("Escape")
            (ok, screen) = try console.wait { ConsoleTmux.overlayLines($0).isEmpty }
            #expect(ok, Self.failure("esc did not close the drill-down", screen))

            // Back to Upstreams; `u` disables its (only, so selected) row, `u` again enables it.
            try console.send("BTab", "BTab")
            func upstreamState() throws -> String {
                let list = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["--json", "upstream.list"])
                return list.stdout.contains(#""state":"disabled""#) ? "disabled" : list.stdout.contains(#""state":"up""#) ? "up" : list.transcript
            }
            #expect(try upstreamState() == "up")
            try console.send("u")
            (ok, screen) = try console.wait { ConsoleTmux.text($0).contains("upstream.disable \(upstream.url()): done") }
            #expect(ok, Self.failure("u did not disable the upstream", screen))
            #expect(try upstreamState() == "disabled")
            try console.send("u")
            (ok, screen) = try console.wait { ConsoleTmux.text($0).contains("upstream.enable \(upstream.url()): done") }
            #expect(ok, Self.failure("u did not enable the upstream again", screen))
            #expect(try upstreamState() == "up")

            // `c`: the unchanged file reloads (generation 2); a broken one shows where it broke.
            try console.send("c")
            (ok, screen) = try console.wait { ConsoleTmux.text(ConsoleTmux.overlayLines($0)).contains("generation 2") }
            #expect(ok, Self.failure("no config.reload result", screen))
            try console.send("Escape")
            let good = try String(contentsOfFile: dnsd.configPath, encoding: .utf8)
            let brokenLine = good.split(separator: "\n", omittingEmptySubsequences: false).count
            try (good + "threads: many\n").write(toFile: dnsd.configPath, atomically: true, encoding: .utf8)
            try console.send("c")
            (ok, screen) = try console.wait { screen in
                let overlay = ConsoleTmux.text(ConsoleTmux.overlayLines(screen))
                return overlay.contains("config.reload FAILED") && overlay.contains("dnsd.yaml:\(brokenLine):")
            }
            #expect(ok, Self.failure("no file:line (line \(brokenLine)) in the failed reload's overlay", screen))
            try good.write(toFile: dnsd.configPath, atomically: true, encoding: .utf8)
            try console.send("Escape", "q")
            (ok, screen) = try console.wait { ConsoleTmux.text($0).contains("CONSOLE-EXIT=0") }
            #expect(ok, Self.failure("console did not exit 0", screen))
        }
    }

    /// The stream's dnssec column: secure, insecure and bogus with its reason, from a dnsd
    /// validating the signed test tree.
    @Test func streamShowsTheDNSSECVerdict() throws {
        let port = try LoopbackPort.free()
        let tree = try SignedHierarchy(port: port, prefix: "127.\(Int.random(in: 100...250)).\(Int.random(in: 1...250))")
        defer { tree.stop() }
        try ForwardDnsd.with(servers: DNSSECValidationTests.servers(tree, port: port)) { dnsd in
            let console = try ConsoleTmux(socket: dnsd.controlSocket, width: 180)
            var (ok, screen) = try console.wait { ConsoleTmux.text($0).contains("● connected") }
            #expect(ok, Self.failure("never connected", screen))
            (ok, screen) = try console.wait(timeout: 30) { screen in
                for name in ["www.good.secure.", "www.unsigned.secure.", "www.forged.secure."] { try? Self.dig(dnsd.port, name) }
                let stream = ConsoleTmux.streamLines(screen)
                return stream.contains { $0.contains("www.good.secure.") && $0.contains(" secure") }
                    && stream.contains { $0.contains("www.unsigned.secure.") && $0.contains("insecure") }
                    && stream.contains { $0.contains("www.forged.secure.") && $0.contains("bogus") }
            }
            #expect(ok && ConsoleTmux.text(screen).contains("dnssec"), Self.failure("no dnssec verdicts in the stream", screen))
            try console.send("q")
        }
    }
}
