import Foundation
import Testing

/// The control socket's limits against a read-only user who holds connections open with
/// subscriptions (Fixtures/control_subscribers.py run through setpriv as another uid): admins
/// always keep a way in. And dnsd refuses a socket directory other users could write to.
@Suite("Control plane limits", .serialized)
struct ControlLimitsTests {
    static let reader = "65533"

    /// dnsd whose socket (mode 0666, directory 0755) lets `reader` in as a read-only caller;
    /// `limits` adds keys to the control section.
    static func start(limits: String = "") throws -> (DnsdProcess, String) {
        let (dnsd, socket) = try ControlPlaneTests.start(control: "{socket: control.sock, mode: \"0666\", readers: {users: [\"\(reader)\"]}\(limits)}")
        chmod(dnsd.directory.path, 0o755)
        return (dnsd, socket)
    }

    /// What control_subscribers.py, running as `reader`, got; it keeps its connections open
    /// until the returned process is killed.
    static func holdSubscriptions(_ socket: String, connections: Int, each: Int = 1,
                                  log: URL) throws -> (Process, String) {
        let python = try PeerTool.requirePythonWithDNSPython()
        let setpriv = try PeerTool.require("setpriv")
        let script = try Fixtures.path("control_subscribers.py")
        let process = try PeerTool.launch(setpriv, ["--reuid=\(reader)", "--regid=\(reader)", "--clear-groups",
                                                    python, script, socket, "\(connections)", "\(each)"], log: log)
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, process.isRunning {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("subscribed ") }) { return (process, String(line)) }
            usleep(50_000)
        }
        kill(process.processIdentifier, SIGKILL)
        throw IntegrationError("control_subscribers.py gave no summary\n\((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    static func stop(_ process: Process) {
        kill(process.processIdentifier, SIGKILL)
        _ = PeerTool.waitForExit(process, timeout: 5)
    }

    @Test("64 subscribed read-only connections leave room for an admin's dnsctl stats.reset")
    func readersCannotLockAdminsOut() throws {
        let (dnsd, socket) = try Self.start()
        defer { #expect((try? dnsd.stop()) == 0) }
        let (holder, summary) = try Self.holdSubscriptions(socket, connections: 64, log: dnsd.directory.appendingPathComponent("subscribers.log"))
        defer { Self.stop(holder) }
        // The default read-only cap is 16 connections; the other 48 are refused with -32003.
        #expect(summary.hasPrefix("subscribed 16 refused 48 other 0:"), "\(summary)")
        #expect(summary.contains("read-only control connections (16)"), "\(summary)")
        let reset = try ControlPlaneTests.dnsctl(socket, ["stats.reset"])
        #expect(reset.status == 0, "\(reset.transcript)")
        // And an admin can still subscribe (the read-only subscriptions are capped too).
        let admin = try ControlSocketClient(path: socket)
        let reply = try admin.call(#"{"jsonrpc":"2.0","method":"queries.subscribe","id":1}"#)
        #expect((reply["result"] as? [String: Any])?["subscription"] != nil, "\(reply)")
    }

    @Test("the last connection is kept for admins: with max_connections 8, 7 readers and then an admin")
    func reservedAdminSlot() throws {
        let (dnsd, socket) = try Self.start(limits: ", max_connections: 8, max_read_only_connections: 7")
        defer { #expect((try? dnsd.stop()) == 0) }
        let (holder, summary) = try Self.holdSubscriptions(socket, connections: 64, log: dnsd.directory.appendingPathComponent("subscribers.log"))
        defer { Self.stop(holder) }
        #expect(summary.hasPrefix("subscribed 7 refused 57 other 0:"), "\(summary)")
        let reset = try ControlPlaneTests.dnsctl(socket, ["stats.reset"])
        #expect(reset.status == 0, "the reserved slot is the admin's\n\(reset.transcript)")
        // With the reserved slot held, the socket is full for everyone.
        let admin = try ControlSocketClient(path: socket)
        #expect(try admin.call(#"{"jsonrpc":"2.0","method":"core.ping","id":1}"#)["result"] as? String == "pong")
        let over = try ControlPlaneTests.dnsctl(socket, ["core.ping"])
        #expect(over.status == 1 && over.stderr.contains("too many control connections (8)"), "\(over.transcript)")
    }

    @Test("read-only subscriptions are capped across connections and given back when they close")
    func subscriptionCap() throws {
        let (dnsd, socket) = try Self.start(limits: ", max_read_only_subscriptions: 5")
        defer { #expect((try? dnsd.stop()) == 0) }
        let log = dnsd.directory.appendingPathComponent("subscribers.log")
        let (first, summary) = try Self.holdSubscriptions(socket, connections: 2, each: 4, log: log)
        #expect(summary.hasPrefix("subscribed 5 refused 3 other 0:"), "\(summary)")
        #expect(summary.contains("read-only subscriptions (5)"), "\(summary)")
        Self.stop(first)
        // Closed connections give their subscriptions back (dnsd sees the close at once).
        var again = ""
        for attempt in 0..<20 {
            let (second, summary) = try Self.holdSubscriptions(socket, connections: 1, each: 5, log: log)
            Self.stop(second)
            again = summary
            if summary.hasPrefix("subscribed 5 ") || attempt == 19 { break }
            usleep(100_000)
        }
        #expect(again.hasPrefix("subscribed 5 refused 0 other 0:"), "\(again)")
    }

    @Test("a socket directory other users can write to, or that another user owns, stops the start",
          arguments: [("0777", nil), ("1777", nil), ("0770", "65534"), ("0755", "65534")] as [(String, String?)])
    func unsafeSocketDirectory(mode: String, group: String?) throws {
        let directory = try Fixtures.scratchDirectory("dnsd-sockdir")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.copy("example.test.zone", into: directory)
        let sockets = directory.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: sockets, withIntermediateDirectories: false)
        chmod(sockets.path, mode_t(mode, radix: 8)!)
        // "0770" with another group: writable by a group that is not dnsd's.
        // "0755" owned by another user: that user can replace the socket.
        if let group { chown(sockets.path, mode == "0755" ? uid_t(group)! : uid_t.max, gid_t(group)!) }
        let config = directory.appendingPathComponent("dnsd.yaml").path
        try DnsdProcess.configText(port: try LoopbackPort.free())
            .replacingOccurrences(of: "control: {socket: control.sock}", with: "control: {socket: run/control.sock}")
            .write(toFile: config, atomically: true, encoding: .utf8)
        let result = try DnsdProcess.runToCompletion(["--config", config], timeout: 20)
        #expect(result.status == 1, "dnsd started with its socket in a \(mode) directory\n\(result.transcript)")
        #expect(result.stderr.contains("refusing to use directory \(sockets.path)"), "\(result.transcript)")
        let reason = mode == "0755" ? "belongs to uid 65534" : "lets other users write there"
        #expect(result.stderr.contains(reason), "\(result.transcript)")
        #expect(!FileManager.default.fileExists(atPath: sockets.appendingPathComponent("control.sock").path))
    }
}
