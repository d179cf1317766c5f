import Foundation
import Testing

/// A real `dnsd` process serving Fixtures/example.test.zone on a free loopback port, started
/// from the binary SwiftPM built next to the test bundle. Use `DnsdProcess.with { ... }`: it
/// always stops the server and checks that SIGTERM made it exit 0.
final class DnsdProcess {
    /// The UDP and TCP port it listens on (127.0.0.1).
    let port: UInt16
    /// Scratch directory holding the config, the zone copy and the captured stderr.
    let directory: URL
    let configPath: String
    let process: Process
    private let stderrURL: URL

    /// The control socket the test configs (`configText`, `ForwardDnsd.configText`) put beside the config.
    var controlSocket: String { directory.appendingPathComponent("control.sock").path }

    /// Everything dnsd logged so far (swift-log writes to stderr).
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// The YAML config the contract describes: one server block for example.test. whose zone
    /// plugin reads `zoneFile` (relative paths are relative to the config file). Each instance
    /// gets its own control socket beside the config: the default path is shared by every
    /// dnsd on the machine, and tests run many at once.
    static func configText(port: UInt16, zoneFile: String = "example.test.zone") -> String {
        """
        # Written by the dnsd integration tests.
        listen: [udp://127.0.0.1:\(port), tcp://127.0.0.1:\(port)]
        control: {socket: control.sock}
        servers:
          - zones: [example.test.]
            plugins:
              - zone: {file: \(zoneFile)}

        """
    }

    /// Starts dnsd on a fresh port with the fixture zone, runs `body`, then stops dnsd with
    /// SIGTERM and expects exit status 0, whether or not `body` threw. The scratch directory is
    /// removed after a clean exit and left in place (its path is in the failure) otherwise.
    /// `settings`: top-level YAML written before the standard config (e.g. `threads: 2`).
    static func with<T>(zone: String = "example.test.zone", settings: String = "",
                        sourceLocation: Testing.SourceLocation = #_sourceLocation,
                        _ body: (DnsdProcess) throws -> T) throws -> T {
        let dnsd = try start(zone: zone, settings: settings)
        let result: T
        do {
            result = try body(dnsd)
        } catch {
            _ = try? dnsd.stop()
            throw error
        }
        let status = try dnsd.stop()
        #expect(status == 0, "dnsd did not exit 0 after SIGTERM (files in \(dnsd.directory.path))\n\(dnsd.stderr)", sourceLocation: sourceLocation)
        // Kept after a failure (config, zone copy and stderr are in it); removed otherwise.
        if status == 0 {
            try? FileManager.default.removeItem(at: dnsd.directory)
        }
        return result
    }

    /// Writes the config (`settings` first), copies the zone fixture, starts dnsd (under
    /// `launcher`, see `init`) and waits until it answers.
    static func start(zone: String = "example.test.zone", settings: String = "", launcher: [String] = []) throws -> DnsdProcess {
        let directory = try Fixtures.scratchDirectory("dnsd")
        try Fixtures.copy(zone, into: directory)
        let port = try LoopbackPort.free()
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        try (settings + configText(port: port, zoneFile: zone)).write(toFile: configPath, atomically: true, encoding: .utf8)
        let dnsd = try DnsdProcess(arguments: ["--config", configPath], directory: directory,
                                   configPath: configPath, port: port, launcher: launcher)
        do {
            try dnsd.waitUntilAnswering()
        } catch {
            _ = try? dnsd.stop()
            throw error
        }
        return dnsd
    }

    /// Starts dnsd in `directory` serving `zones` (origin, zone file) with the `zone` plugin, one
    /// server block each, on a free 127.0.0.1 port (`port`) and the `alsoOn` addresses
    /// (`host:port`), with its control socket `control.sock` there; waits until it answers.
    static func serving(zones: [(origin: String, file: String)], in directory: URL, alsoOn addresses: [String] = []) throws -> DnsdProcess {
        let port = try LoopbackPort.free()
        let listeners = (["127.0.0.1:\(port)"] + addresses).flatMap { ["udp://\($0)", "tcp://\($0)"] }
        let blocks = zones.map { "  - zones: [\($0.origin)]\n    plugins:\n      - zone: {file: \"\($0.file)\"}\n" }.joined()
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        try "listen: [\(listeners.joined(separator: ", "))]\ncontrol: {socket: control.sock}\nservers:\n\(blocks)"
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let dnsd = try DnsdProcess(arguments: ["--config", configPath], directory: directory, configPath: configPath, port: port)
        do { try dnsd.waitUntilAnswering(probing: zones[0].origin) } catch {
            _ = try? dnsd.stop()
            throw error
        }
        return dnsd
    }

    /// Launches dnsd with `arguments` (and `environment` added to this process's); stderr goes
    /// to a file in `directory`. `launcher`: a command that runs dnsd, given dnsd's path and
    /// arguments after its own (it must exec dnsd, so that signals reach it).
    init(arguments: [String], directory: URL, configPath: String, port: UInt16, environment: [String: String] = [:],
         launcher: [String] = []) throws {
        self.port = port
        self.directory = directory
        self.configPath = configPath
        stderrURL = directory.appendingPathComponent("dnsd.stderr")
        let command = launcher + [try Self.binary()] + arguments
        process = try PeerTool.launch(command[0], Array(command.dropFirst()), log: stderrURL, in: directory, environment: environment)
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
    }

    /// Polls with a UDP SOA query for `name` until dnsd answers it (any rcode), then until it
    /// has logged its ready line, for at most `timeout` seconds in all.
    func waitUntilAnswering(probing name: String = "example.test", timeout: Double = 10) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var id: UInt16 = 0x4000
        while Date() < deadline {
            guard process.isRunning else {
                throw IntegrationError("dnsd exited with status \(process.terminationStatus) before answering\n\(stderr)")
            }
            id &+= 1
            if let socket = try? DNSSocket.udp(port: port, timeout: 0.2) {
                try? socket.sendMessage(RawDNS.query(id: id, name: name, type: RawDNS.typeSOA))
                if let reply = socket.receiveMessage(), let header = RawHeader(reply), header.id == id, header.isResponse {
                    return try waitUntilReady(deadline: deadline)
                }
            }
            usleep(100_000)
        }
        throw IntegrationError("dnsd did not answer on udp://127.0.0.1:\(port) within \(timeout) s\n\(stderr)")
    }

    /// Waits for the "dnsd ready" line. The UDP workers answer before the TCP, metrics and
    /// control listeners are bound, so a test that reads the start-up line or uses those
    /// listeners right after the first UDP answer would race them.
    private func waitUntilReady(deadline: Date) throws {
        guard waitForStderr(containing: "dnsd ready", timeout: max(deadline.timeIntervalSinceNow, 1)) else {
            throw IntegrationError("dnsd answered on udp://127.0.0.1:\(port) but did not log its ready line\n\(stderr)")
        }
    }

    /// Polls stderr until it holds `text`, for at most `timeout` seconds: a listener that binds
    /// after the DNS one logs its address a moment after dnsd first answers.
    func waitForStderr(containing text: String, timeout: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !stderr.contains(text) {
            guard Date() < deadline, process.isRunning else { return stderr.contains(text) }
            usleep(50_000)
        }
        return true
    }

    /// Sends `signal` (SIGTERM by default) and waits for the exit; returns the exit status.
    /// Throws when dnsd does not exit within `timeout` (it is then killed) or died of a signal.
    @discardableResult
    func stop(signal: Int32 = SIGTERM, timeout: Double = 10) throws -> Int32 {
        if process.isRunning {
            kill(process.processIdentifier, signal)
        }
        guard PeerTool.waitForExit(process, timeout: timeout) else {
            kill(process.processIdentifier, SIGKILL)
            _ = PeerTool.waitForExit(process, timeout: 5)
            throw IntegrationError("dnsd did not exit within \(timeout) s of signal \(signal)\n\(stderr)")
        }
        guard process.terminationReason == .exit else {
            throw IntegrationError("dnsd died of signal \(process.terminationStatus) instead of exiting\n\(stderr)")
        }
        return process.terminationStatus
    }

    /// Runs dnsd to completion (for --check-config, --version, configs that must fail).
    static func runToCompletion(_ arguments: [String], timeout: Double = 30) throws -> CommandResult {
        try PeerTool.run(try binary(), arguments, timeout: timeout)
    }

    /// The dnsd executable: $DNSD_BINARY if set, else the `dnsd` SwiftPM put in the same build
    /// directory as this test executable (.build/<triple>/<config>/).
    static func binary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["DNSD_BINARY"], !path.isEmpty {
            return path
        }
        var candidates: [URL] = []
        // /proc/self/exe is the test runner itself, wherever `swift test` launched it from.
        let selfExe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        if selfExe.path != "/proc/self/exe" { candidates.append(selfExe) }
        if let main = Bundle.main.executableURL { candidates.append(main.resolvingSymlinksInPath()) }
        if let first = CommandLine.arguments.first {
            candidates.append(URL(fileURLWithPath: first).resolvingSymlinksInPath())
        }
        for executable in candidates {
            // Walk up a few levels: on macOS the runner sits inside an .xctest bundle.
            var directory = executable.deletingLastPathComponent()
            for _ in 0..<4 {
                let dnsd = directory.appendingPathComponent("dnsd")
                if FileManager.default.isExecutableFile(atPath: dnsd.path) {
                    return dnsd.path
                }
                directory = directory.deletingLastPathComponent()
            }
        }
        throw IntegrationError("""
            no dnsd binary next to the test executable (looked near \(candidates.map(\.path))); \
            `swift test` builds it, or set DNSD_BINARY
            """)
    }
}
