import Foundation
import Testing

/// Every numeric key (durations, counts, sizes) refuses values past its range, infinities, NaN
/// and negatives with a `FILE:LINE:COLUMN: key: reason` error: at start, in `--check-config`,
/// and through `config.reload`, where the running daemon keeps answering. Before, `1e10` or
/// `inf` in a duration reached an Int64 conversion and stopped dnsd with a runtime trap.
@Suite("Config numeric ranges")
struct ConfigNumericRangeTests {
    /// One numeric key: a config whose line holding `VALUE` sets it.
    struct NumericKey: CustomStringConvertible, Sendable {
        var description: String
        var yaml: String
        /// A value the key accepts.
        var valid = "1"

        /// The 1-based line that holds the value.
        var line: Int { yaml.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("VALUE") }! + 1 }

        func config(_ value: String) -> String { yaml.replacingOccurrences(of: "VALUE", with: value) }
    }

    static let hostile = ["1e10", "inf", "-1", "nan", "99999999999999999999"]

    static let zoneBlock = """
        servers:
          - zones: [example.test.]
            plugins:
              - zone: {file: example.test.zone}

        """

    /// A top-level section with one key set to VALUE.
    static func topLevel(_ section: String, _ key: String) -> NumericKey {
        let opening = section == "control" ? "control:\n  socket: control.sock" : "control: {socket: control.sock}\n\(section):"
        return NumericKey(description: "\(section).\(key)", yaml: """
            listen: [udp://127.0.0.1:1]
            \(opening)
              \(key): VALUE

            """ + zoneBlock)
    }

    /// A plugin (with `fixed` lines it needs) in a second block, one key set to VALUE.
    static func plugin(_ name: String, _ key: String, fixed: [String] = [], after: String = "") -> NumericKey {
        let settings = (fixed + ["\(key): VALUE"]).map { "          \($0)" }.joined(separator: "\n")
        return NumericKey(description: "\(name).\(key)", yaml: """
            listen: [udp://127.0.0.1:1]
            control: {socket: control.sock}
            servers:
              - zones: [example.test.]
                plugins:
                  - zone: {file: example.test.zone}
              - zones: [.]
                plugins:
                  - \(name):
            \(settings)
            \(after)
            """)
    }

    static let forwarder = "      - forward: {to: [udp://127.0.0.1:1]}\n"

    static func accepting(_ value: String, _ key: NumericKey) -> NumericKey {
        var key = key
        key.valid = value
        return key
    }

    static let keys: [NumericKey] = [
        topLevel("tcp", "idle_timeout"), topLevel("tcp", "max_connections"), topLevel("tcp", "query_timeout"),
        topLevel("tcp", "max_connections_per_client"), topLevel("tcp", "max_queries_in_flight"),
        topLevel("http2", "max_concurrent_streams"), accepting("1024", topLevel("http2", "max_header_list_size")),
        topLevel("http2", "max_resets"), topLevel("http2", "max_control_frames"), topLevel("http2", "flood_window"),
        topLevel("http2", "max_glitches"),
        topLevel("limits", "relay_waiting"), topLevel("limits", "relay_followers"), topLevel("limits", "miss_waiting"),
        topLevel("limits", "upstream_sockets"),
        accepting("0", topLevel("udp", "batch_wait")),
        topLevel("control", "idle_timeout"), topLevel("control", "max_connections"), accepting("1024", topLevel("control", "max_request_bytes")),
        topLevel("control", "max_read_only_connections"), topLevel("control", "max_subscriptions"),
        topLevel("control", "max_read_only_subscriptions"),
        NumericKey(description: "edns_udp_size", yaml: "listen: [udp://127.0.0.1:1]\ncontrol: {socket: control.sock}\nedns_udp_size: VALUE\n" + zoneBlock, valid: "512"),
        NumericKey(description: "threads", yaml: "listen: [udp://127.0.0.1:1]\ncontrol: {socket: control.sock}\nthreads: VALUE\n" + zoneBlock),
        NumericKey(description: "zone.compact", yaml: """
            listen: [udp://127.0.0.1:1]
            control: {socket: control.sock}
            servers:
              - zones: [example.test.]
                plugins:
                  - zone:
                      file: example.test.zone
                      compact: VALUE

            """),
    ] + ["max_entries", "max_bytes", "min_ttl", "max_ttl", "negative_ttl", "servfail_ttl", "serve_stale", "stale_ttl",
         "stale_timeout", "prefetch_hits", "max_followers"].map { plugin("cache", $0, after: forwarder) }
      + ["ttl", "reload"].map { plugin("hosts", $0, fixed: [#"inline: ["192.0.2.1 h.test"]"#]) }
      + ["timeout", "health_check", "idle_timeout", "max_fails"].map { plugin("forward", $0, fixed: ["to: [udp://127.0.0.1:1]"]) }
      + [accepting("512", plugin("forward", "edns_udp_size", fixed: ["to: [udp://127.0.0.1:1]"]))]
      + ["ipv4_prefix", "ipv6_prefix"].map { key in
          NumericKey(description: "forward.ecs.\(key)", yaml: plugin("forward", "ecs", fixed: ["to: [udp://127.0.0.1:1]"]).yaml
              .replacingOccurrences(of: "ecs: VALUE", with: "ecs: {mode: add, \(key): VALUE}"))
      }
      + ["port", "timeout", "max_referrals", "max_ns_fetches", "max_queries", "time_budget", "max_cnames", "max_concurrent"].map { plugin("recurse", $0) }
      + [accepting("512", plugin("recurse", "edns_udp_size")), accepting("16", plugin("recurse", "infrastructure_cache_size"))]

    @Test("out-of-range values stop start and --check-config with FILE:LINE", arguments: keys)
    func refusedAtStart(_ key: NumericKey) throws {
        let directory = try Fixtures.scratchDirectory("dnsd-numeric")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.copy("example.test.zone", into: directory)
        let config = directory.appendingPathComponent("numeric.yaml").path
        // The key's own valid value must pass, or the cases below prove nothing.
        try key.config(key.valid).write(toFile: config, atomically: true, encoding: .utf8)
        let valid = try DnsdProcess.runToCompletion(["--check-config", config], timeout: 20)
        #expect(valid.status == 0, "\(key) = \(key.valid) is refused, so the template is wrong\n\(valid.transcript)")
        for value in Self.hostile {
            try key.config(value).write(toFile: config, atomically: true, encoding: .utf8)
            for option in ["--check-config", "--config"] {
                let result = try DnsdProcess.runToCompletion([option, config], timeout: 20)
                #expect(result.status == 1, "\(option) with \(key) = \(value): exit \(result.status)\n\(result.transcript)")
                #expect(result.stderr.contains("numeric.yaml:\(key.line):"), "\(option) with \(key) = \(value): no FILE:LINE\n\(result.transcript)")
                let leaf = String(key.description.split(separator: ".").last!)
                #expect(result.stderr.contains(leaf), "\(option) with \(key) = \(value): key not named\n\(result.transcript)")
            }
        }
    }

    @Test("config.reload refuses them with an error reply while dnsd keeps answering")
    func refusedByReload() throws {
        try DnsdProcess.with { dnsd in
            let good = try String(contentsOfFile: dnsd.configPath, encoding: .utf8)
            let dig = try PeerTool.require("dig")
            let bad = [("tcp:\n  idle_timeout: VALUE\n", "idle_timeout"), ("tcp:\n  max_connections: VALUE\n", "max_connections")]
            for (section, key) in bad {
                for value in Self.hostile {
                    try (section.replacingOccurrences(of: "VALUE", with: value) + good)
                        .write(toFile: dnsd.configPath, atomically: true, encoding: .utf8)
                    let reload = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["config.reload"])
                    #expect(reload.status == 1, "\(key) = \(value): reload accepted\n\(reload.transcript)")
                    #expect(reload.stderr.contains("dnsd.yaml:2:") && reload.stderr.contains(key),
                            "\(key) = \(value): no FILE:LINE and key\n\(reload.transcript)")
                    let answer = try PeerTool.run(dig, ["@127.0.0.1", "-p", "\(dnsd.port)", "www.example.test.", "A", "+short", "+tries=1", "+time=2"])
                    #expect(answer.stdout == "192.0.2.80\n", "dnsd stopped answering after \(key) = \(value)\n\(answer.transcript)\n\(dnsd.stderr)")
                }
            }
            // Still the same daemon with the same settings: a good file reloads.
            try good.write(toFile: dnsd.configPath, atomically: true, encoding: .utf8)
            #expect(try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["config.reload"]).status == 0)
        }
    }
}
