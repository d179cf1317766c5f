import Foundation
import Testing

/// dnsd's log as an operator's tools read it (docs/operations.md "Logs"), asserted line by line:
/// under journald every line starts with its syslog priority and has no timestamp; with
/// `log: {format: json}` every line is one JSON object; every control call that changes the
/// daemon leaves an audit line with the caller's uid; and a reload changes the level.
@Suite("Logs", .serialized)
struct LogFormatTests {
    static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
    /// sd-daemon(3)'s priorities for swift-log's levels.
    static let priorities = ["trace": 7, "debug": 7, "info": 6, "notice": 5, "warning": 4, "error": 3, "critical": 2]

    /// Runs dnsd with JOURNAL_STREAM set to its stderr's own device and inode, as systemd sets it
    /// for a service whose output goes to the journal (systemd.exec(5)).
    static let underJournal = ["/bin/sh", "-c", #"JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec "$0" "$@""#]

    /// dnsd with `settings` and a control section of its own; the socket is open to everyone
    /// (0666) so that only dnsd's own check of the caller decides.
    static func start(settings: String = "", control: String = "{socket: control.sock}", launcher: [String] = [],
                      environment: [String: String] = [:]) throws -> DnsdProcess {
        let directory = try Fixtures.scratchDirectory("dnsd-log")
        try Fixtures.copy("example.test.zone", into: directory)
        let port = try LoopbackPort.free()
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        let config = settings + DnsdProcess.configText(port: port).replacingOccurrences(of: "control: {socket: control.sock}", with: "control: \(control)")
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let dnsd = try DnsdProcess(arguments: ["--config", configPath], directory: directory, configPath: configPath, port: port,
                                   environment: environment, launcher: launcher)
        do { try dnsd.waitUntilAnswering() } catch {
            _ = try? dnsd.stop()
            throw error
        }
        return dnsd
    }

    static func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    /// The JSON objects of a json-format log; a line that is not one fails the test.
    static func records(_ dnsd: DnsdProcess, sourceLocation: SourceLocation = #_sourceLocation) -> [[String: Any]] {
        lines(dnsd.stderr).compactMap { line in
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "not a JSON object: \(line)", sourceLocation: sourceLocation)
            return object
        }
    }

    static func audit(_ records: [[String: Any]], method: String) -> [[String: Any]] {
        records.filter { $0["message"] as? String == "control call" && ($0["metadata"] as? [String: Any])?["method"] as? String == method }
    }

    @Test func underJournaldEveryLineCarriesItsPriorityAndNoTimestamp() throws {
        let dnsd = try Self.start(launcher: Self.underJournal)
        let reset = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["stats.reset"])
        #expect(reset.status == 0, "\(reset.transcript)")
        #expect(dnsd.waitForStderr(containing: "control call"), "\(dnsd.stderr)")
        #expect(try dnsd.stop() == 0)
        let lines = Self.lines(dnsd.stderr)
        #expect(lines.count >= 5, "\(dnsd.stderr)")
        let shape = #/^<([0-7])>([a-z]+) ([a-z.]+): (.+)$/#
        for line in lines {
            guard let match = line.wholeMatch(of: shape) else {
                Issue.record("not '<N>level label: message': \(line)")
                continue
            }
            #expect(Int(match.1) == Self.priorities[String(match.2)], "priority and level disagree: \(line)")
            #expect(line.firstMatch(of: #/\d{4}-\d\d-\d\dT\d\d:\d\d/#) == nil, "a timestamp under journald: \(line)")
        }
        #expect(lines.contains { $0.hasPrefix("<6>info dnsd: dnsd ready ") }, "\(dnsd.stderr)")
        #expect(lines.contains { $0.hasPrefix("<5>notice dnsd.audit: control call ") && $0.contains("method=stats.reset") }, "\(dnsd.stderr)")
        try? FileManager.default.removeItem(at: dnsd.directory)
    }

    @Test func aJournalStreamThatIsNotStderrLeavesTheTextFormat() throws {
        // Inherited from a parent whose stderr went to the journal; dnsd's goes to a file.
        let dnsd = try Self.start(environment: ["JOURNAL_STREAM": "8:12345"])
        #expect(try dnsd.stop() == 0)
        let lines = Self.lines(dnsd.stderr)
        #expect(!lines.isEmpty)
        for line in lines {
            #expect(line.wholeMatch(of: #/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (trace|debug|info|notice|warning|error|critical) [a-z.]+: .+/#) != nil,
                    "not 'time level label: message': \(line)")
        }
        try? FileManager.default.removeItem(at: dnsd.directory)
    }

    @Test func jsonLogsAreOneObjectPerLineWithTheirFields() throws {
        let dnsd = try Self.start(settings: "log: {format: json}\n")
        #expect(try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["stats.reset"]).status == 0)
        #expect(dnsd.waitForStderr(containing: "control call"))
        #expect(try dnsd.stop() == 0)
        let records = Self.records(dnsd)
        #expect(records.count >= 5, "\(dnsd.stderr)")
        let time = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        for record in records {
            let text = (try? JSONSerialization.data(withJSONObject: record)).map { String(decoding: $0, as: UTF8.self) } ?? "?"
            #expect((record["time"] as? String).flatMap { try? time.parse($0) } != nil, "time: \(text)")
            #expect(Self.levels.contains(record["level"] as? String ?? ""), "level: \(text)")
            #expect((record["label"] as? String)?.hasPrefix("dnsd") == true, "label: \(text)")
            #expect(!(record["message"] as? String ?? "").isEmpty, "message: \(text)")
            #expect(record["metadata"] is [String: Any], "metadata: \(text)")
        }
        let ready = records.first { $0["message"] as? String == "dnsd ready" }
        #expect((ready?["metadata"] as? [String: Any])?["threads"] as? String != nil, "\(dnsd.stderr)")
        try? FileManager.default.removeItem(at: dnsd.directory)
    }

    @Test func anAdminCallIsLoggedWithItsCallerAndNoSecret() throws {
        let dnsd = try Self.start(settings: "log: {format: json}\n", control: #"{socket: control.sock, mode: "0666", readers: {users: ["65533"]}}"#)
        chmod(dnsd.directory.path, 0o755)
        let secret = "0123456789abcdef0123456789abcdef"
        let rotate = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["cookie.rotate", "secret=\(secret)"])
        #expect(rotate.status == 0, "\(rotate.transcript)")
        #expect(try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["stats.get"]).status == 0)
        let refused = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["cache.flush"], as: "65533")
        #expect(refused.status == 1, "\(refused.transcript)")
        #expect(dnsd.waitForStderr(containing: "cache.flush"), "\(dnsd.stderr)")
        #expect(try dnsd.stop() == 0)
        let records = Self.records(dnsd)

        let rotation = try #require(Self.audit(records, method: "cookie.rotate").first?["metadata"] as? [String: Any], "\(dnsd.stderr)")
        #expect(rotation["uid"] as? String == "\(getuid())" && rotation["outcome"] as? String == "ok", "\(rotation)")
        #expect(rotation["params"] as? String == #"{"secret":"[redacted]"}"#, "\(rotation)")
        #expect(!dnsd.stderr.contains(secret), "the secret is in the log")
        #expect(Self.audit(records, method: "cookie.rotate").first?["level"] as? String == "notice")
        // A read-only method is no change: not logged at the default level.
        #expect(Self.audit(records, method: "stats.get").isEmpty, "\(dnsd.stderr)")
        // A refused attempt is logged too, with the caller who made it.
        let flush = try #require(Self.audit(records, method: "cache.flush").first?["metadata"] as? [String: Any], "\(dnsd.stderr)")
        #expect(flush["uid"] as? String == "65533" && flush["role"] as? String == "read-only", "\(flush)")
        #expect((flush["outcome"] as? String)?.contains("read-only") == true, "\(flush)")
        try? FileManager.default.removeItem(at: dnsd.directory)
    }

    @Test func aReloadChangesTheLevel() throws {
        let dnsd = try Self.start()
        defer { _ = try? dnsd.stop() }
        let socket = dnsd.controlSocket
        let settingsFree = try String(contentsOfFile: dnsd.configPath, encoding: .utf8)
        func reload(level: String) throws -> String {
            try ("log: {level: \(level)}\n" + settingsFree).write(toFile: dnsd.configPath, atomically: true, encoding: .utf8)
            let reply = try ControlPlaneTests.dnsctl(socket, ["--json", "config.reload"])
            #expect(reply.status == 0 && reply.stdout.contains(#""applied":["log.level"]"#), "\(reply.transcript)")
            return reply.stdout
        }
        // info: read-only calls are not logged.
        #expect(try ControlPlaneTests.dnsctl(socket, ["core.uptime"]).status == 0)
        // debug: they are.
        _ = try reload(level: "debug")
        #expect(try ControlPlaneTests.dnsctl(socket, ["core.uptime"]).status == 0)
        #expect(dnsd.waitForStderr(containing: "method=core.uptime"), "debug after the reload:\n\(dnsd.stderr)")
        let uptimeLines = Self.lines(dnsd.stderr).filter { $0.contains("method=core.uptime") }
        #expect(uptimeLines.count == 1 && uptimeLines[0].contains(" debug dnsd.audit: "), "\(uptimeLines)")
        // warning, then error: notices (an admin call) and infos (the reload's own line) are not.
        _ = try reload(level: "warning")
        let before = dnsd.stderr
        #expect(try ControlPlaneTests.dnsctl(socket, ["stats.reset"]).status == 0)
        _ = try reload(level: "error")
        Thread.sleep(forTimeInterval: 0.3)
        let after = String(dnsd.stderr.dropFirst(before.count))
        #expect(!after.contains("stats.reset") && !after.contains("configuration reloaded"), "logged at warning:\n\(after)")
        #expect(try dnsd.stop() == 0)
        try? FileManager.default.removeItem(at: dnsd.directory)
    }
}
