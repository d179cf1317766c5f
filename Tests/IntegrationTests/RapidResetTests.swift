import Foundation
import Testing

/// The HTTP/2 "Rapid Reset" flood (CVE-2023-44487) against DoH: a client opens streams and
/// cancels each at once, so that every stream costs the server a request while the client
/// never has more than one open. dnsd's `http2.max_resets` (swift-nio-http2's reset rate
/// limit, HTTP2Limits.swift) closes such a connection; dnsd stays up, its memory stays put,
/// and another DoH client (curl) is answered throughout.
@Suite("HTTP/2 rapid reset", .serialized)
struct RapidResetTests {
    static let maxResets = 100
    /// Connections the flood opens one after another, each flooding until it is closed.
    static let rounds = 10

    @Test func aRapidResetFloodIsCutOffWhileAnotherClientIsAnswered() throws {
        let tls = try TLSHarness(settings: "http2: {max_resets: \(Self.maxResets), flood_window: 30s}")
        defer { #expect((try? tls.stop()) == 0, "\(tls.stderr)") }
        let control = try ControlSocketClient(path: tls.socket)
        let curl = try PeerTool.require("curl")
        func answered() throws -> Bool {
            let result = try PeerTool.run(curl, ["-sk", "--http2", "-o", "/dev/null", "-w", "%{http_code} %{http_version}",
                                                 "https://127.0.0.1:\(tls.dohPort)/resolve?name=www.example.test&type=A"], timeout: 10)
            return result.stdout == "200 2"
        }
        #expect(try answered(), "curl must be answered before the flood")
        let baseline = try tls.residentKiB()
        let before = try control.stats("queries.https")["queries.https"] ?? 0

        let output = URL(fileURLWithPath: tls.path("reset-flood.out"))
        let flood = try PeerTool.launch(try PeerTool.requirePythonWithDNSPython(),
                                        [try Fixtures.path("stream_drip.py"), "h2reset", "127.0.0.1", "\(tls.dohPort)",
                                         "\(Self.rounds)", "100000", "10"], log: output)
        var probes = 0, unanswered = 0, peak = baseline
        let started = Date()
        while flood.isRunning && Date().timeIntervalSince(started) < 120 {
            peak = max(peak, try tls.residentKiB())
            probes += 1
            if try !answered() { unanswered += 1 }
            Thread.sleep(forTimeInterval: 0.2)
        }
        if flood.isRunning { kill(flood.processIdentifier, SIGKILL) }
        let lines = ((try? String(contentsOf: output, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        let served = (try control.stats("queries.https")["queries.https"] ?? 0) - before

        #expect(lines.count == Self.rounds && lines.allSatisfy { $0.hasPrefix("closed after ") },
                "every flooding connection must be closed: \(lines)")
        // Each stream is a GET whose answer dnsd works out before it reads the RST_STREAM: a
        // connection is worth at most max_resets of them (and a batch in flight), not 100,000.
        #expect(served <= Self.rounds * (Self.maxResets + 50) + probes + 1, "dnsd answered \(served) DoH queries during the flood")
        #expect(try answered(), "curl must be answered after the flood")
        #expect(unanswered == 0 && probes > 0, "curl went unanswered \(unanswered) times of \(probes) during the flood")
        #expect(peak - baseline < 32 * 1024, "RSS grew from \(baseline) KiB to \(peak) KiB")
        print("rapid reset: \(lines.joined(separator: "; ")); DoH queries served \(served); curl \(probes - unanswered)/\(probes); "
              + "RSS \(baseline) -> \(peak) KiB")
    }
}
