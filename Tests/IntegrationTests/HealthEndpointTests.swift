import Foundation
import Testing

/// `/health` and `/ready` beside `/metrics`, asked with curl the way a load balancer or an
/// orchestrator's probe asks.
@Suite("Health endpoints (curl)")
struct HealthEndpointTests {
    @Test("/health says alive and /ready says ready once dnsd serves; other methods 405")
    func probes() throws {
        try MetricsDnsd.with(servers: MetricsDnsd.zoneBlock) { dnsd in
            let curl = try PeerTool.require("curl")
            let base = "http://127.0.0.1:\(dnsd.metricsPort)"
            func get(_ path: String, _ options: [String] = []) throws -> CommandResult {
                try PeerTool.run(curl, ["-s", "--max-time", "10", "-w", "\n%{http_code}"] + options + [base + path], timeout: 20)
            }
            let health = try get("/health")
            #expect(health.stdout == "alive\n\n200", "\(health.transcript)")
            let ready = try get("/ready")
            #expect(ready.stdout.hasPrefix("ready: listeners bound, zones loaded (generation 1)"), "\(ready.transcript)")
            #expect(ready.stdout.hasSuffix("\n200"), "\(ready.transcript)")
            // `curl -f` is how scripts use it: exit 0 for 2xx.
            let failOnError = try PeerTool.run(curl, ["-sf", "--max-time", "10", "-o", "/dev/null", base + "/ready"], timeout: 20)
            #expect(failOnError.status == 0, "\(failOnError.transcript)")
            #expect(try get("/ready", ["-I"]).stdout.hasPrefix("HTTP/1.1 200"))
            #expect(try get("/health", ["-X", "POST", "-o", "/dev/null"]).stdout == "\n405")
            #expect(try get("/healthz", ["-o", "/dev/null"]).stdout == "\n404")
            // The metrics path still serves metrics.
            #expect(try dnsd.scrape().text.contains("dnsd_queries_total"))
        }
    }
}
