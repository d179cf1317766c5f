import Foundation
import Testing

/// The Prometheus endpoint of a real dnsd, scraped with curl after queries made with dig:
/// the counters move by exactly the queries made, with the right labels; the histogram has
/// its buckets; other paths are 404 and other methods 405.
@Suite("Metrics endpoint (curl + dig)")
struct MetricsEndpointTests {
    @Test("access rules, RRL and cookies are counted in /metrics")
    func admissionCounters() throws {
        let servers = """
            acl:
              - {block: [127.0.0.3], name: three}
            rrl: {responses_per_second: 1000, exempt: []}

            """ + MetricsDnsd.zoneBlock
        try MetricsDnsd.with(servers: servers) { dnsd in
            let before = try dnsd.scrape()
            #expect(try #require(try AccessControlTests.dig(dnsd.port, from: "127.0.0.3", "www.example.test.")).status == "REFUSED")
            #expect(try #require(try AccessControlTests.dig(dnsd.port, from: "127.0.0.2", "www.example.test.", "A", ["+cookie"])).status == "NOERROR")
            let change = try dnsd.scrape().minus(before)
            #expect(change[#"dnsd_acl_matches_total{rule="three",action="block"}"#] == 1, "\(change)")
            #expect(change[#"dnsd_rrl_responses_total{decision="sent"}"#] == 2, "\(change)")
            // The refused query never got as far as its cookie: access rules come first.
            #expect(change[#"dnsd_cookie_queries_total{cookie="client_only"}"#] == 1, "\(change)")
            #expect(change[#"dnsd_answers_by_source_total{source="admission"}"#] == 1, "\(change)")
        }
    }

    @Test("queries made with dig show up in /metrics with the right labels")
    func countersFollowQueries() throws {
        try MetricsDnsd.with(servers: MetricsDnsd.zoneBlock) { dnsd in
            // waitUntilAnswering already made some queries: compare against a first scrape.
            let before = try dnsd.scrape()
            #expect(try Dig.query(port: dnsd.port, "www.example.test", "A", Transport.udp.digOptions).status == "NOERROR")
            #expect(try Dig.query(port: dnsd.port, "nothing-here.example.test", "A", Transport.udp.digOptions).status == "NXDOMAIN")
            #expect(try Dig.query(port: dnsd.port, "www.example.org", "A", Transport.udp.digOptions).status == "REFUSED")
            #expect(try Dig.query(port: dnsd.port, "www.example.test", "AAAA", Transport.tcp.digOptions).status == "NOERROR")
            let after = try dnsd.scrape()
            let change = after.minus(before)

            #expect(change[#"dnsd_queries_total{transport="udp",block="example.test."}"#] == 2, "\(after.text)")
            #expect(change[#"dnsd_queries_total{transport="udp",block="none"}"#] == 1, "\(after.text)")
            #expect(change[#"dnsd_queries_total{transport="tcp",block="example.test."}"#] == 1, "\(after.text)")
            #expect(change[#"dnsd_answers_total{rcode="NOERROR"}"#] == 2, "\(after.text)")
            #expect(change[#"dnsd_answers_total{rcode="NXDOMAIN"}"#] == 1, "\(after.text)")
            #expect(change[#"dnsd_answers_total{rcode="REFUSED"}"#] == 1, "\(after.text)")
            #expect(change[#"dnsd_answers_by_source_total{source="zone"}"#] == 3, "\(after.text)")
            #expect(change[#"dnsd_answers_by_source_total{source="server"}"#] == 1, "\(after.text)")
            #expect(after[#"dnsd_answers_by_source_total{source="upstream"}"#] == 0, "\(after.text)")
            // No rcode that never happened, no query name and no client address as a label.
            #expect(after[#"dnsd_answers_total{rcode="SERVFAIL"}"#] == nil, "\(after.text)")
            #expect(!after.text.contains("www.example"), "\(after.text)")
            #expect(!after.text.contains("127.0.0.1"), "\(after.text)")
            #expect(after["dnsd_queries_in_flight"] == 0, "\(after.text)")
            // The batch-wait guard's series are there from the first scrape (BatchWaitGuardStatsTests
            // makes them move): one dig at a time never sleeps the wait, so nothing is stopped.
            #expect(after["dnsd_udp_batch_wait_suspensions_total"] == 0, "\(after.text)")
            #expect(after["dnsd_udp_batch_wait_suspended_workers"] == 0, "\(after.text)")
            #expect(after.text.contains("# TYPE dnsd_request_duration_seconds histogram"), "\(after.text)")
            // The build's facts, as --version prints them: `0.1.0 (commit 1a2b3c4d5e6f)`.
            let version = try DnsdProcess.runToCompletion(["--version"]).stdout.split(whereSeparator: { " ()\n".contains($0) })
            try #require(version.count == 3, "\(version)")
            #expect(after[#"dnsd_build_info{version="\#(version[0])",commit="\#(version.last ?? "")"}"#] == 1, "\(after.text)")
        }
    }

    @Test("the duration histogram has the DNS buckets, 50µs to 5s, per transport and server block")
    func histogramBuckets() throws {
        try MetricsDnsd.with(servers: MetricsDnsd.zoneBlock) { dnsd in
            let before = try dnsd.scrape()
            _ = try Dig.query(port: dnsd.port, "www.example.test", "A", Transport.tcp.digOptions)
            let after = try dnsd.scrape()
            let bounds = ["0.00005", "0.0001", "0.00025", "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025",
                          "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0", "+Inf"]
            var previous = 0.0
            for bound in bounds {
                let series = #"dnsd_request_duration_seconds_bucket{transport="tcp",block="example.test.",le="\#(bound)"}"#
                let value = after[series]
                #expect(value != nil, "missing \(series)\n\(after.text)")
                // Buckets are cumulative.
                #expect((value ?? 0) >= previous, "\(series) below the bucket before it\n\(after.text)")
                previous = value ?? previous
            }
            #expect(after.minus(before)[#"dnsd_request_duration_seconds_count{transport="tcp",block="example.test."}"#] == 1, "\(after.text)")
            #expect(after[#"dnsd_request_duration_seconds_bucket{transport="tcp",block="example.test.",le="5.0"}"#]
                        == after[#"dnsd_request_duration_seconds_count{transport="tcp",block="example.test."}"#], "\(after.text)")
            #expect(after[#"dnsd_request_duration_seconds_sum{transport="tcp",block="example.test."}"#] ?? -1 > 0, "\(after.text)")
            #expect(after[#"dnsd_request_duration_seconds_count{transport="udp",block="example.test."}"#] ?? 0 >= 1, "\(after.text)")
        }
    }

    @Test("other paths are 404, other methods 405, HEAD has no body")
    func httpErrors() throws {
        try MetricsDnsd.with(servers: MetricsDnsd.zoneBlock) { dnsd in
            let curl = try PeerTool.require("curl")
            let base = "http://127.0.0.1:\(dnsd.metricsPort)"
            func status(_ arguments: [String]) throws -> String {
                let result = try PeerTool.run(curl, ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10"] + arguments, timeout: 20)
                return result.stdout
            }
            #expect(try status([base + "/nope"]) == "404")
            #expect(try status([base + "/"]) == "404")
            #expect(try status(["-X", "POST", "-d", "x=1", base + "/metrics"]) == "405")
            #expect(try status(["-X", "DELETE", base + "/metrics"]) == "405")
            #expect(try status([base + "/metrics?name[]=dnsd_answers_total"]) == "200")
            let allow = try PeerTool.run(curl, ["-s", "-D", "-", "-o", "/dev/null", "-X", "POST", base + "/metrics"], timeout: 20)
            #expect(allow.stdout.lowercased().contains("allow: get, head"), "\(allow.stdout)")
            let head = try PeerTool.run(curl, ["-s", "-I", base + "/metrics"], timeout: 20)
            #expect(head.stdout.hasPrefix("HTTP/1.1 200"), "\(head.stdout)")
            #expect(head.stdout.lowercased().contains("content-type: text/plain; version=0.0.4"), "\(head.stdout)")
            // Two requests on one keep-alive connection both get their answer.
            let twice = try PeerTool.run(curl, ["-s", "-o", "/dev/null", "-o", "/dev/null", "-w", "%{http_code}\n", base + "/metrics", base + "/nope"], timeout: 20)
            #expect(twice.stdout == "200\n404\n", "\(twice.stdout)")
        }
    }

    @Test("cache hits and misses and upstream errors are exported per block and upstream")
    func pluginStatistics() throws {
        let deadPort = try LoopbackPort.free()
        let servers = """
            servers:
              - zones: [example.test.]
                plugins:
                  - cache
                  - zone: {file: example.test.zone}
              - zones: [dead.test.]
                plugins:
                  - forward: {to: [udp://127.0.0.1:\(deadPort)], timeout: 1s}

            """
        try MetricsDnsd.with(servers: servers) { dnsd in
            let before = try dnsd.scrape()
            _ = try Dig.query(port: dnsd.port, "mail.example.test", "A", Transport.udp.digOptions)
            _ = try Dig.query(port: dnsd.port, "mail.example.test", "A", Transport.udp.digOptions)
            let failed = try Dig.query(port: dnsd.port, "www.dead.test", "A", Transport.udp.digOptions + ["+time=5"])
            #expect(failed.status == "SERVFAIL", "\(failed.raw)")
            let after = try dnsd.scrape()
            let change = after.minus(before)
            #expect(change[#"dnsd_cache_misses_total{block="example.test."}"#] == 1, "\(after.text)")
            #expect(change[#"dnsd_cache_hits_total{block="example.test."}"#] == 1, "\(after.text)")
            #expect(after[#"dnsd_cache_entries{block="example.test."}"#] ?? 0 >= 1, "\(after.text)")
            #expect(change[#"dnsd_queries_total{transport="udp",block="dead.test."}"#] == 1, "\(after.text)")
            let upstream = "udp://127.0.0.1:\(deadPort)"
            #expect(after[#"dnsd_upstream_errors_total{upstream="\#(upstream)"}"#] ?? 0 >= 1, "\(after.text)")
            #expect(after[#"dnsd_upstream_queries_total{upstream="\#(upstream)"}"#] ?? 0 >= 1, "\(after.text)")
            #expect(after[#"dnsd_upstream_up{upstream="\#(upstream)"}"#] != nil, "\(after.text)")
            #expect(change[#"dnsd_answers_total{rcode="SERVFAIL"}"#] == 1, "\(after.text)")
        }
    }
}

/// A dnsd with `metrics:` on a free loopback port, serving the example.test fixture.
struct MetricsDnsd {
    let dnsd: DnsdProcess
    let metricsPort: UInt16
    var port: UInt16 { dnsd.port }

    static let zoneBlock = """
        servers:
          - zones: [example.test.]
            plugins:
              - zone: {file: example.test.zone}

        """

    /// Starts dnsd with `servers` (YAML), runs `body`, stops dnsd and expects exit 0.
    static func with(servers: String, sourceLocation: SourceLocation = #_sourceLocation,
                     _ body: (MetricsDnsd) throws -> Void) throws {
        let directory = try Fixtures.scratchDirectory("dnsd-metrics")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.copy("example.test.zone", into: directory)
        let port = try LoopbackPort.free()
        let metricsPort = try LoopbackPort.free()
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        let yaml = """
            listen: [udp://127.0.0.1:\(port), tcp://127.0.0.1:\(port)]
            control: {socket: control.sock}
            metrics: {listen: 127.0.0.1:\(metricsPort), path: /metrics}

            """ + servers
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        let dnsd = try DnsdProcess(arguments: ["--config", configPath], directory: directory, configPath: configPath, port: port)
        do {
            try dnsd.waitUntilAnswering()
            #expect(dnsd.waitForStderr(containing: "metrics at http://127.0.0.1:\(metricsPort)/metrics"), "\(dnsd.stderr)",
                    sourceLocation: sourceLocation)
            try body(MetricsDnsd(dnsd: dnsd, metricsPort: metricsPort))
        } catch {
            _ = try? dnsd.stop()
            throw error
        }
        let status = try dnsd.stop()
        #expect(status == 0, "dnsd did not exit 0 after SIGTERM\n\(dnsd.stderr)", sourceLocation: sourceLocation)
    }

    /// `curl -s http://127.0.0.1:PORT/metrics`, parsed.
    func scrape() throws -> MetricsText {
        let curl = try PeerTool.require("curl")
        let result = try PeerTool.run(curl, ["-s", "-f", "--max-time", "10", "http://127.0.0.1:\(metricsPort)/metrics"], timeout: 20)
        guard result.status == 0 else { throw IntegrationError("curl failed: \(result.transcript)\n\(dnsd.stderr)") }
        return MetricsText(result.stdout)
    }
}

/// Prometheus text exposition format, as series (name with its labels, verbatim) to value.
struct MetricsText {
    let text: String
    let values: [String: Double]

    init(_ text: String) {
        self.text = text
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = value
        }
        self.values = values
    }

    subscript(series: String) -> Double? { values[series] }

    /// Per series, `self - base` (a series missing from `base` counts from 0).
    func minus(_ base: MetricsText) -> [String: Double] {
        values.reduce(into: [:]) { $0[$1.key] = $1.value - (base.values[$1.key] ?? 0) }
    }
}
