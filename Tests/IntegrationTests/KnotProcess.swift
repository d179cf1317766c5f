import Foundation

/// Debian's Knot DNS (`knotd`) in the foreground as a secondary of a dnsd primary: its config,
/// control socket, database and journal all in a scratch directory, its log on stderr.
final class KnotProcess {
    let port: UInt16
    let directory: URL
    let process: Process
    private let logURL: URL

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// knot.conf for `zone`, transferred from `primaryPort` on 127.0.0.1 with TSIG key
    /// `keyName`, which may also send it NOTIFY.
    static func configText(port: UInt16, directory: String, zone: String, primaryPort: UInt16, keyName: String, secret: String) -> String {
        """
        server:
            listen: 127.0.0.1@\(port)
            rundir: "\(directory)"
        log:
          - target: stderr
            any: info
        database:
            storage: "\(directory)"
        key:
          - id: \(keyName)
            algorithm: hmac-sha256
            secret: \(secret)
        remote:
          - id: primary
            address: 127.0.0.1@\(primaryPort)
            key: \(keyName)
        acl:
          - id: notify_from_primary
            address: 127.0.0.1
            key: \(keyName)
            action: notify
        template:
          - id: default
            storage: "\(directory)"
            zonefile-sync: -1
            zonefile-load: none
            journal-content: none
        zone:
          - domain: \(zone)
            master: primary
            acl: notify_from_primary

        """
    }

    init(port: UInt16, zone: String, primaryPort: UInt16, keyName: String, secret: String) throws {
        let knotd = try PeerTool.require("knotd")
        directory = try Fixtures.scratchDirectory("knot")
        self.port = port
        let confPath = directory.appendingPathComponent("knot.conf").path
        try Self.configText(port: port, directory: directory.path, zone: zone, primaryPort: primaryPort, keyName: keyName, secret: secret)
            .write(toFile: confPath, atomically: true, encoding: .utf8)
        logURL = directory.appendingPathComponent("knot.log")
        let socket = directory.appendingPathComponent("knot.sock").path
        process = try PeerTool.launch(knotd, ["-c", confPath, "-s", socket], log: logURL)
    }

    deinit { stop() }

    /// Polls with a UDP SOA query for `zone` until Knot answers NOERROR (it has the zone).
    func waitUntilServing(_ zone: String, timeout: Double = 15) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var id: UInt16 = 0x3000
        while Date() < deadline {
            guard process.isRunning else {
                throw IntegrationError("knotd exited with status \(process.terminationStatus)\n\(log)")
            }
            id &+= 1
            if let socket = try? DNSSocket.udp(port: port, timeout: 0.2) {
                try? socket.sendMessage(RawDNS.query(id: id, name: zone, type: RawDNS.typeSOA))
                if let reply = socket.receiveMessage(), let header = RawHeader(reply), header.id == id, header.rcode == RawRcode.noError {
                    return
                }
            }
            usleep(100_000)
        }
        throw IntegrationError("knotd did not serve \(zone) on 127.0.0.1:\(port) within \(timeout) s\n\(log)")
    }

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
