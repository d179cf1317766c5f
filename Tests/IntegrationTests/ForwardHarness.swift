import Foundation
import Testing

/// Starts dnsd with forward server blocks written by a test. Every config also serves a tiny
/// inline zone `ready.test.` that the start-up poll asks, so readiness never depends on the
/// upstreams under test (some of which are meant to be dead).
enum ForwardDnsd {
    /// `settings`: top-level YAML (e.g. `acl:` or `rrl:`) written before `servers:`.
    static func configText(port: UInt16, servers: String, settings: String = "") -> String {
        """
        # Written by the dnsd forward integration tests.
        listen: [udp://127.0.0.1:\(port), tcp://127.0.0.1:\(port)]
        control: {socket: control.sock}
        \(settings)
        servers:
          - zones: [ready.test.]
            plugins:
              - zone:
                  inline: |
                    @ 60 IN SOA ns.ready.test. hostmaster.ready.test. 1 60 60 60 60
                    @ 60 IN NS ns.ready.test.
        \(servers)

        """
    }

    /// Runs dnsd with `servers` (YAML list entries indented by two spaces) in `directory`
    /// (a fresh scratch directory when nil), then stops it and expects exit status 0.
    static func with<T>(servers: String, settings: String = "", directory: URL? = nil,
                        sourceLocation: Testing.SourceLocation = #_sourceLocation,
                        _ body: (DnsdProcess) throws -> T) throws -> T {
        let directory = try directory ?? Fixtures.scratchDirectory("dnsd-forward")
        let port = try LoopbackPort.free()
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        try configText(port: port, servers: servers, settings: settings).write(toFile: configPath, atomically: true, encoding: .utf8)
        let dnsd = try DnsdProcess(arguments: ["--config", configPath], directory: directory, configPath: configPath, port: port)
        let result: T
        do {
            try dnsd.waitUntilAnswering(probing: "ready.test")
            result = try body(dnsd)
        } catch {
            _ = try? dnsd.stop()
            throw error
        }
        let status = try dnsd.stop()
        #expect(status == 0, "dnsd did not exit 0 after SIGTERM\n\(dnsd.stderr)", sourceLocation: sourceLocation)
        return result
    }

    /// dig's text for an extended DNS error line, e.g. `EDE: 22 (No Reachable Authority)`.
    static func extendedErrorCode(_ output: DigOutput) -> Int? {
        guard let range = output.raw.range(of: "; EDE: ") else { return nil }
        return Int(output.raw[range.upperBound...].prefix { $0.isNumber })
    }
}

/// Fixtures/forward_faulty_upstream.py on a free loopback port: an upstream that answers,
/// drops, lies or truncates, as its mode says. Stopped by `stop()` or deinit; it also exits
/// on its own after two minutes.
final class FaultyUpstream {
    let port: UInt16
    let mode: String
    let address: String
    let logURL: URL
    private let process: Process
    private let outputURL: URL

    /// `port`: a given one (e.g. to stand in for an upstream that was stopped), else a free one.
    init(mode: String, address: String = "192.0.2.1", port: UInt16? = nil) throws {
        let python = try PeerTool.requirePythonWithDNSPython()
        let script = try Fixtures.path("forward_faulty_upstream.py")
        let directory = try Fixtures.scratchDirectory("faulty-\(mode)")
        self.mode = mode
        self.address = address
        self.port = try port ?? LoopbackPort.free()
        logURL = directory.appendingPathComponent("queries.log")
        outputURL = directory.appendingPathComponent("stdout")
        process = try PeerTool.launch(python, [script, String(self.port), mode, address, logURL.path, "120"], log: outputURL)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if ((try? String(contentsOf: outputURL, encoding: .utf8)) ?? "").contains("ready") { return }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        stop()
        throw IntegrationError("forward_faulty_upstream.py (\(mode)) did not start\n\((try? String(contentsOf: outputURL, encoding: .utf8)) ?? "")")
    }

    deinit { stop() }

    /// `udp://127.0.0.1:PORT` (or another scheme) for the forward plugin's `to:` list.
    func url(_ scheme: String = "udp") -> String { "\(scheme)://127.0.0.1:\(port)" }

    /// The queries that reached this upstream, as "transport name." lines, health probes for
    /// the root excluded.
    var queries: [String] {
        ((try? String(contentsOf: logURL, encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init).filter { !$0.hasSuffix(" .") }
    }

    /// Each UDP query that reached this upstream (probes included): its source port and its
    /// name spelled as sent, in arrival order.
    var udpSources: [(port: Int, name: String)] {
        ((try? String(contentsOf: URL(fileURLWithPath: logURL.path + ".sources"), encoding: .utf8)) ?? "")
            .split(separator: "\n").compactMap { line in
                let fields = line.split(separator: " ")
                guard fields.count == 3, fields[0] == "udp", let port = Int(fields[1]) else { return nil }
                return (port, String(fields[2]))
            }
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        if !PeerTool.waitForExit(process, timeout: 5) {
            kill(process.processIdentifier, SIGKILL)
            _ = PeerTool.waitForExit(process, timeout: 5)
        }
    }
}
