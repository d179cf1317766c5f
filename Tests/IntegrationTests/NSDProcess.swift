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

    /// nsd.conf for `zone` (its file already in `directory`). minimal-responses keeps the
    /// additional section to what referrals need, like dnsd; RRL is off so the many
    /// differential queries are never rate limited.
    static func configText(port: UInt16, directory: String, zoneFile: String) -> String {
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
        zone:
            name: example.test.
            zonefile: "\(zoneFile)"

        """
    }

    /// Starts NSD on `zone`, runs `body`, and always stops NSD again.
    static func with<T>(zone: String = "example.test.zone", _ body: (NSDProcess) throws -> T) throws -> T {
        let nsd = try NSDProcess(zone: zone)
        defer { nsd.stop() }
        try nsd.waitUntilAnswering()
        return try body(nsd)
    }

    /// Writes nsd.conf, validates it with nsd-checkconf, and launches `nsd -d -c`.
    init(zone: String) throws {
        let nsd = try PeerTool.require("nsd")
        let checkconf = try PeerTool.require("nsd-checkconf")
        directory = try Fixtures.scratchDirectory("nsd")
        let zonePath = try Fixtures.copy(zone, into: directory)
        port = try LoopbackPort.free()
        let confPath = directory.appendingPathComponent("nsd.conf").path
        try Self.configText(port: port, directory: directory.path, zoneFile: zonePath)
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
