import Foundation

/// Debian's NSD serving the same fixture zone on its own loopback port: the reference the
/// differential test compares dnsd against. Runs in the foreground (`nsd -d`) as the current
/// user with everything (pid file, xfrd state, zone list) in a scratch directory.
final class NSDProcess {
    let port: UInt16
    let directory: URL
    let process: Process
    private let logURL: URL

    /// NSD's log (it writes to stderr in the foreground).
    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// nsd.conf for `zones` (origin and file, already in `directory`). minimal-responses keeps
    /// the additional section to what referrals need, like dnsd; RRL is off so the many
    /// differential queries are never rate limited.
    static func configText(port: UInt16, directory: String, zones: [(origin: String, file: String)]) -> String {
        configText(port: port, directory: directory, clauses: zones.map { "zone:\n    name: \($0.origin)\n    zonefile: \"\($0.file)\"\n" }.joined())
    }

    /// nsd.conf with `clauses` (zone:, key: ...) written as given after the server settings.
    static func configText(port: UInt16, directory: String, clauses zoneText: String) -> String {
        """
        server:
            ip-address: 127.0.0.1@\(port)
            port: \(port)
            username: ""
            chroot: ""
            zonesdir: "\(directory)"
            pidfile: "\(directory)/nsd.pid"
            database: ""
            xfrdfile: "\(directory)/xfrd.state"
            zonelistfile: "\(directory)/zone.list"
            verbosity: 1
            server-count: 1
            minimal-responses: yes
            hide-version: yes
            rrl-ratelimit: 0
        remote-control:
            control-enable: no
        \(zoneText)
        """
    }

    /// Starts NSD on `zone`, runs `body`, and always stops NSD again.
    static func with<T>(zone: String = "example.test.zone", _ body: (NSDProcess) throws -> T) throws -> T {
        let nsd = try NSDProcess(zones: [(origin: "example.test.", file: try Fixtures.path(zone))])
        defer { nsd.stop() }
        try nsd.waitUntilAnswering()
        return try body(nsd)
    }

    /// Writes nsd.conf for `zones` (origin and zone file path; each file is copied into NSD's
    /// scratch directory), validates it with nsd-checkconf, and launches `nsd -d -c`.
    init(zones: [(origin: String, file: String)]) throws {
        let nsd = try PeerTool.require("nsd")
        let checkconf = try PeerTool.require("nsd-checkconf")
        directory = try Fixtures.scratchDirectory("nsd")
        var copies: [(origin: String, file: String)] = []
        for zone in zones {
            let copy = directory.appendingPathComponent(URL(fileURLWithPath: zone.file).lastPathComponent).path
            try FileManager.default.copyItem(atPath: zone.file, toPath: copy)
            copies.append((zone.origin, copy))
        }
        port = try LoopbackPort.free()
        let confPath = directory.appendingPathComponent("nsd.conf").path
        try Self.configText(port: port, directory: directory.path, zones: copies)
            .write(toFile: confPath, atomically: true, encoding: .utf8)
        let check = try PeerTool.run(checkconf, [confPath])
        guard check.status == 0 else {
            throw IntegrationError("nsd-checkconf rejected the generated nsd.conf\n\(check.transcript)")
        }
        logURL = directory.appendingPathComponent("nsd.log")
        process = try PeerTool.launch(nsd, ["-d", "-c", confPath], log: logURL)
    }

    /// NSD on `port` with `clauses` (key:, zone: ... as nsd.conf spells them) instead of zone
    /// files: a secondary, which loads its zones from a primary. Logs at verbosity 2, which
    /// names each transfer.
    init(port: UInt16, clauses: String) throws {
        let nsd = try PeerTool.require("nsd")
        let checkconf = try PeerTool.require("nsd-checkconf")
        directory = try Fixtures.scratchDirectory("nsd")
        self.port = port
        let confPath = directory.appendingPathComponent("nsd.conf").path
        try Self.configText(port: port, directory: directory.path, clauses: clauses)
            .replacingOccurrences(of: "verbosity: 1", with: "verbosity: 2")
            .write(toFile: confPath, atomically: true, encoding: .utf8)
        let check = try PeerTool.run(checkconf, [confPath])
        guard check.status == 0 else {
            throw IntegrationError("nsd-checkconf rejected the generated nsd.conf\n\(check.transcript)")
        }
        logURL = directory.appendingPathComponent("nsd.log")
        process = try PeerTool.launch(nsd, ["-d", "-c", confPath], log: logURL)
    }

    deinit {
        stop()
    }

    /// Polls with a UDP SOA query until NSD answers, for at most `timeout` seconds.
    func waitUntilAnswering(timeout: Double = 10) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var id: UInt16 = 0x2000
        while Date() < deadline {
            guard process.isRunning else {
                throw IntegrationError("nsd exited with status \(process.terminationStatus) before answering\n\(log)")
            }
            id &+= 1
            if let socket = try? DNSSocket.udp(port: port, timeout: 0.2) {
                try? socket.sendMessage(RawDNS.query(id: id, name: "example.test", type: RawDNS.typeSOA))
                if let reply = socket.receiveMessage(), let header = RawHeader(reply), header.id == id,
                   header.rcode == RawRcode.noError {
                    return
                }
            }
            usleep(100_000)
        }
        throw IntegrationError("nsd did not answer on 127.0.0.1:\(port) within \(timeout) s\n\(log)")
    }

    /// SIGTERM, then SIGKILL if NSD lingers; NSD's own children exit with it. The scratch
    /// directory goes too: NSD is the reference, its files are not what a failure is about.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            if !PeerTool.waitForExit(process, timeout: 10) {
                kill(process.processIdentifier, SIGKILL)
                _ = PeerTool.waitForExit(process, timeout: 5)
            }
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
