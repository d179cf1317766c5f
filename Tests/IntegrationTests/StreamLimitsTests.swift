import Foundation
import Testing

/// What one stream client can hold (docs/configuration.md, `tcp:` and `http2:`): its share of
/// the connections, a connection for as long as it trickles bytes, and memory by pipelining
/// queries without reading the answers.
@Suite("Stream limits", .serialized)
struct StreamLimitsTests {
    /// example.test with `big` holding 16 TXT records of 200 octets: a 3.4 KB answer.
    static let largeZone: String = {
        let text = String(repeating: "x", count: 200)
        let records = (0..<16).map { "big         IN  TXT   \"\($0) \(text)\"" }.joined(separator: "\n")
        return """
            $ORIGIN example.test.
            $TTL 3600
            @           IN  SOA   ns1.example.test. hostmaster.example.test. 1 7200 3600 1209600 300
            @           IN  NS    ns1
            ns1         IN  A     192.0.2.1
            www         IN  A     192.0.2.80
            \(records)

            """
    }()

    /// dnsd on a fresh port with `largeZone` and the `tcp:` settings given.
    static func start(tcp: String) throws -> DnsdProcess {
        let directory = try Fixtures.scratchDirectory("dnsd-streams")
        try largeZone.write(to: directory.appendingPathComponent("example.test.zone"), atomically: true, encoding: .utf8)
        let port = try LoopbackPort.free()
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        try ("tcp: \(tcp)\n" + DnsdProcess.configText(port: port)).write(toFile: configPath, atomically: true, encoding: .utf8)
        let dnsd = try DnsdProcess(arguments: ["--config", configPath], directory: directory, configPath: configPath, port: port)
        try dnsd.waitUntilAnswering()
        return dnsd
    }

    static func answers(_ socket: DNSSocket, id: UInt16) -> Bool {
        guard (try? socket.sendMessage(RawDNS.query(id: id, name: "www.example.test", type: RawDNS.typeA))) != nil,
              let reply = socket.receiveMessage(), let header = RawHeader(reply) else { return false }
        return header.id == id && header.ancount == 1
    }

    static func drip(_ mode: String, port: UInt16) throws -> CommandResult {
        try PeerTool.run(try PeerTool.requirePythonWithDNSPython(),
                         [try Fixtures.path("stream_drip.py"), "drip", mode, "127.0.0.1", "\(port)", "1", "20"], timeout: 40)
    }

    /// "closed after S bytes=N": the seconds S, or nil when the connection stayed open.
    static func closedAfter(_ result: CommandResult) -> Double? {
        guard let line = result.stdout.split(separator: "\n").first(where: { $0.hasPrefix("closed after ") }) else { return nil }
        return Double(line.dropFirst("closed after ".count).split(separator: " ").first ?? "")
    }

    @Test func oneAddressFillsItsShareWhileAnotherStillConnects() throws {
        let dnsd = try Self.start(tcp: "{max_connections_per_client: 3, max_connections: 100, idle_timeout: 30s}")
        defer { #expect((try? dnsd.stop()) == 0) }
        let held = try (0..<3).map { _ in try DNSSocket.tcp(port: dnsd.port, timeout: 3) }
        for (index, socket) in held.enumerated() { #expect(Self.answers(socket, id: UInt16(index + 1))) }
        let fourth = try DNSSocket.tcp(port: dnsd.port, timeout: 3)
        #expect(fourth.peerClosed(), "a fourth connection from 127.0.0.1 over max_connections_per_client 3 must be closed")
        let other = try DNSSocket.tcp(port: dnsd.port, timeout: 3, source: "127.0.0.3")
        #expect(Self.answers(other, id: 20), "127.0.0.3 must still connect while 127.0.0.1 holds its share")
        let refused = try ControlSocketClient(path: dnsd.controlSocket).stats("limits.tcp_connections_per_client")
        #expect(refused["limits.tcp_connections_per_client"] == 1, "counted in stats.get: \(refused)")
        // A slot comes back when one of the three closes.
        held[0].shutdownBoth()
        let reopened = TLSHarness.eventually(timeout: 5) {
            guard let socket = try? DNSSocket.tcp(port: dnsd.port, timeout: 1) else { return false }
            return Self.answers(socket, id: 30)
        }
        #expect(reopened)
        #expect(Self.answers(held[1], id: 31), "the connections holding slots keep working")
    }

    @Test func aDripOnTCPIsClosedByTheQueryDeadline() throws {
        let dnsd = try Self.start(tcp: "{query_timeout: 2s, idle_timeout: 30s}")
        defer { #expect((try? dnsd.stop()) == 0) }
        let result = try Self.drip("tcp", port: dnsd.port)
        let closed = Self.closedAfter(result)
        #expect(closed != nil && closed! >= 1.5 && closed! < 8, "a byte a second must be closed by the 2 s query deadline, not kept for the 30 s idle timeout\n\(result.transcript)")
        let timeouts = try ControlSocketClient(path: dnsd.controlSocket).stats("limits.tcp_query_timeout")
        #expect(timeouts["limits.tcp_query_timeout"] == 1, "counted in stats.get: \(timeouts)")
        // A client that sends whole queries is not affected.
        let steady = try DNSSocket.tcp(port: dnsd.port, timeout: 3)
        for id in UInt16(1)...4 {
            #expect(Self.answers(steady, id: id))
            Thread.sleep(forTimeInterval: 1)
        }
    }

    @Test func aDripOnDoTAndDoHIsClosedByTheQueryDeadline() throws {
        let tls = try TLSHarness(settings: "tcp: {query_timeout: 2s, idle_timeout: 30s}")
        defer { #expect((try? tls.stop()) == 0, "\(tls.stderr)") }
        for (mode, port) in [("dot", tls.dotPort), ("doh", tls.dohPort), ("doh2", tls.dohPort)] {
            let result = try Self.drip(mode, port: port)
            let closed = Self.closedAfter(result)
            #expect(closed != nil && closed! >= 1.5 && closed! < 8, "\(mode): a byte a second must be closed by the 2 s query deadline\n\(result.transcript)")
        }
        // Whole requests still work.
        let kdig = try PeerTool.require("kdig")
        for transport in ["+tls", "+https=/dns-query"] {
            let port = transport == "+tls" ? tls.dotPort : tls.dohPort
            let answer = try PeerTool.run(kdig, [transport, "@127.0.0.1", "-p", "\(port)", "www.example.test.", "A", "+short", "+timeout=5"])
            #expect(answer.status == 0 && answer.stdout.contains("192.0.2.80"), "\(transport): \(answer.transcript)")
        }
    }

    @Test func queriesInFlightOnOneConnectionAreCapped() throws {
        let upstream = try FaultyUpstream(mode: "drop")
        let servers = """
              - zones: [slow.test.]
                plugins:
                  - forward: {to: [\(upstream.url())], timeout: 4s, max_fails: 0}
            """
        try ForwardDnsd.with(servers: servers, settings: "tcp: {max_queries_in_flight: 10, idle_timeout: 30s}\n") { dnsd in
            let socket = try DNSSocket.tcp(port: dnsd.port, timeout: 3)
            let batch = (0..<300).flatMap { index -> [UInt8] in
                let query = RawDNS.query(id: UInt16(index), name: "n\(index).slow.test", type: RawDNS.typeA)
                return RawDNS.be16(UInt16(query.count)) + query
            }
            try socket.sendRaw(batch)
            Thread.sleep(forTimeInterval: 2)
            let asked = Set(upstream.queries)
            #expect(asked.count == 10, "300 pipelined queries, 10 may wait upstream at once; the upstream saw \(asked.count)")
            // The cap is the connection's: another connection is answered meanwhile.
            let other = try DNSSocket.tcp(port: dnsd.port, timeout: 3)
            try other.sendMessage(RawDNS.query(id: 999, name: "ready.test", type: RawDNS.typeSOA))
            #expect(other.receiveMessage().flatMap(RawHeader.init)?.id == 999)
            // When the first ten time out (SERVFAIL), the next ten go.
            #expect(TLSHarness.eventually(timeout: 8) { Set(upstream.queries).count >= 20 }, "the waiting queries did not follow")
        }
    }

    @Test func http2LimitsAreAdvertised() throws {
        let tls = try TLSHarness(settings: "http2: {max_concurrent_streams: 7, max_header_list_size: 4096}")
        defer { #expect((try? tls.stop()) == 0, "\(tls.stderr)") }
        let result = try PeerTool.run(try PeerTool.requirePythonWithDNSPython(),
                                      [try Fixtures.path("stream_drip.py"), "h2settings", "127.0.0.1", "\(tls.dohPort)"], timeout: 30)
        #expect(result.stdout.contains("MAX_CONCURRENT_STREAMS=7\n") && result.stdout.contains("MAX_HEADER_LIST_SIZE=4096\n"),
                "\(result.transcript)")
        let curl = try PeerTool.require("curl")
        let answer = try PeerTool.run(curl, ["-sk", "--http2", "-o", "/dev/null", "-w", "%{http_code} %{http_version}",
                                             "https://127.0.0.1:\(tls.dohPort)/resolve?name=www.example.test&type=A"])
        #expect(answer.stdout == "200 2", "\(answer.transcript)")
    }

    /// The bound the docs give (docs/configuration.md, `tcp.max_queries_in_flight`): a client
    /// that pipelines without reading holds about 256 KiB of queries and 64 KiB of answers, so
    /// dnsd's RSS may not grow by more than this while one does.
    static let pipelineGrowthKiB = 64 * 1024

    @Test func aClientPipeliningWithoutReadingIsPausedAndOthersAreAnswered() throws {
        let dnsd = try Self.start(tcp: "{idle_timeout: 60s}")
        defer { #expect((try? dnsd.stop()) == 0) }
        let pid = dnsd.process.processIdentifier
        let baseline = try ProcessStatus.residentKiB(pid: pid)
        let flood = try DNSSocket.tcp(port: dnsd.port, timeout: 1)
        flood.setReceiveBuffer(4096)
        let batch = (0..<1000).flatMap { index -> [UInt8] in
            let query = RawDNS.query(id: UInt16(index), name: "big.example.test", type: 16)
            return RawDNS.be16(UInt16(query.count)) + query
        }
        var sent = 0, paused = false, peak = baseline, unanswered: [String] = []
        let started = Date()
        var nextProbe = Date()
        var probeID: UInt16 = 0x7000
        // Until the 200,000 are sent or the send blocks, then 5 s more; at most 60 s.
        var pausedAt: Date?
        while Date().timeIntervalSince(started) < 60 {
            if sent < 200_000, !paused {
                do { try flood.sendRaw(batch); sent += 1000 } catch { paused = true; pausedAt = Date() }
            } else if pausedAt == nil {
                pausedAt = Date()
            }
            if Date() >= nextProbe {
                nextProbe = Date().addingTimeInterval(0.5)
                peak = max(peak, try ProcessStatus.residentKiB(pid: pid))
                probeID &+= 1
                // Another client, from another address, over TCP and UDP.
                let tcp = try? DNSSocket.tcp(port: dnsd.port, timeout: 2, source: "127.0.0.3")
                if tcp.map({ Self.answers($0, id: probeID) }) != true { unanswered.append("tcp at \(sent)") }
                let udp = try DNSSocket.udp(port: dnsd.port, timeout: 2, source: "127.0.0.3")
                if !Self.answers(udp, id: probeID) { unanswered.append("udp at \(sent)") }
            }
            if let pausedAt, Date().timeIntervalSince(pausedAt) > 5 { break }
        }
        let unread1 = try ProcessStatus.unreadBytes(localPort: dnsd.port, remotePort: flood.localPort)
        Thread.sleep(forTimeInterval: 1)
        let unread2 = try ProcessStatus.unreadBytes(localPort: dnsd.port, remotePort: flood.localPort)
        peak = max(peak, try ProcessStatus.residentKiB(pid: pid))
        // Paused: the sender blocked, and dnsd leaves what it sent unread in its socket (or closed it).
        let stalled: Bool
        if let unread1, let unread2 { stalled = unread1 > 0 && unread2 >= unread1 } else { stalled = unread2 == nil }
        #expect(paused || sent == 200_000, "the sender neither blocked nor finished")
        #expect(stalled, "dnsd kept reading a client that does not read: unread \(String(describing: unread1)) then \(String(describing: unread2)) bytes")
        #expect(peak - baseline < Self.pipelineGrowthKiB, "RSS grew from \(baseline) KiB to \(peak) KiB (sent \(sent) queries)")
        #expect(unanswered.isEmpty, "the other client went unanswered: \(unanswered)")
        print("pipelining without reading: sent \(sent) queries in \(Int(Date().timeIntervalSince(started))) s, paused \(paused), RSS \(baseline) -> \(peak) KiB, unread \(String(describing: unread2))")
    }
}
