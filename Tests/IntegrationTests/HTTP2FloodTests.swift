import Foundation
import Testing

/// The `http2:` flood limits on DoH (docs/configuration.md): a client past `max_resets` (the
/// "Rapid Reset" pattern, CVE-2023-44487), `max_control_frames` or `max_glitches` gets GOAWAY
/// and its connection closed, one under them keeps its connection, and other clients are
/// answered throughout.
@Suite("HTTP/2 flood limits", .serialized)
struct HTTP2FloodTests {
    static let limits = "http2: {max_resets: 50, max_control_frames: 50, max_glitches: 50, flood_window: 30s}"

    /// stream_drip.py h2burst's verdict: (GOAWAY sent, connection closed).
    static func burst(_ tls: TLSHarness, kind: String, count: Int) throws -> (goaway: Bool, closed: Bool, transcript: String) {
        let result = try PeerTool.run(try PeerTool.requirePythonWithDNSPython(),
                                      [try Fixtures.path("stream_drip.py"), "h2burst", "127.0.0.1", "\(tls.dohPort)", kind, "\(count)"],
                                      timeout: 30)
        return (result.stdout.contains("goaway=1"), result.stdout.contains("closed=1"), result.transcript)
    }

    static func answeredOverDoH(_ tls: TLSHarness) throws -> Bool {
        let answer = try PeerTool.run(try PeerTool.require("curl"),
                                      ["-sk", "--http2", "-o", "/dev/null", "-w", "%{http_code}",
                                       "https://127.0.0.1:\(tls.dohPort)/resolve?name=www.example.test&type=A"], timeout: 20)
        return answer.stdout == "200"
    }

    @Test(arguments: ["reset", "ping", "glitch"])
    func aClientPastALimitGetsGoawayAndIsClosed(kind: String) throws {
        let tls = try TLSHarness(settings: Self.limits)
        defer { #expect((try? tls.stop()) == 0, "\(tls.stderr)") }
        let under = try Self.burst(tls, kind: kind, count: 30)
        // Within a limit: no GOAWAY (pings and broken requests complete no request, so the
        // query deadline, tcp.query_timeout, may close the connection after 5 s all the same).
        #expect(!under.goaway, "30 \(kind) frames are within a limit of 50: \(under.transcript)")
        let over = try Self.burst(tls, kind: kind, count: 300)
        #expect(over.goaway && over.closed, "300 \(kind) frames: \(over.transcript)")
        #expect(try Self.answeredOverDoH(tls), "another DoH client after the flood")
    }
}
