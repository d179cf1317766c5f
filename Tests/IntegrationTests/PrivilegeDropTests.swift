import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `user:` as the kernel sees it: dnsd started as root binds port 53 on a loopback address,
/// then /proc/PID/status shows nobody's uid and gid and no capability in any thread while dig
/// is answered and `zone.add` still writes its journal into a state directory of nobody's.
@Suite("Privilege drop", .enabled(if: getuid() == 0, "needs root to start dnsd as root"))
struct PrivilegeDropTests {
    /// A 127.x.y.z address whose port 53 is free for UDP and TCP (NSD-based tests take
    /// 127.0.0.x:53, so the address is picked from elsewhere in 127/8).
    static func freePrivilegedAddress() throws -> String {
        for _ in 0..<50 {
            let address = "127.\(Int.random(in: 100...250)).\(Int.random(in: 0...255)).\(Int.random(in: 1...254))"
            if canBind(address, type: LoopbackPort.datagramType), canBind(address, type: LoopbackPort.streamType) { return address }
        }
        throw IntegrationError("no free loopback address with port 53")
    }

    private static func canBind(_ host: String, type: Int32) -> Bool {
        let fd = socket(AF_INET, type, 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(53).bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// `Key:` fields of /proc/PID/status (and of each of its threads' status).
    static func status(_ path: String) throws -> [String: String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n").reduce(into: [:]) { fields, line in
            guard let colon = line.firstIndex(of: ":") else { return }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
    }

    @Test("user: nobody on port 53: nobody's ids, no capabilities, dig answered, zone.add journaled")
    func dropToNobody() throws {
        let nobody = try #require(getpwnam("nobody")).pointee
        let directory = try Fixtures.scratchDirectory("dnsd-privdrop")
        chmod(directory.path, 0o755)
        // The state directory holds the zone and its journal; nobody owns it.
        let state = directory.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        let zone = try Fixtures.copy("example.test.zone", into: state)
        chown(state.path, nobody.pw_uid, nobody.pw_gid)
        chown(zone, nobody.pw_uid, nobody.pw_gid)
        let host = try Self.freePrivilegedAddress()
        let port = try LoopbackPort.free()
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        try """
        listen: [udp://\(host):53, tcp://\(host):53, udp://127.0.0.1:\(port)]
        user: nobody
        control: {socket: run/control.sock}
        cookies: {secret_file: state/cookie.secret}
        servers:
          - zones: [example.test.]
            plugins:
              - zone: {file: state/example.test.zone}

        """.write(toFile: configPath, atomically: true, encoding: .utf8)
        // nobody re-reads it on config.reload.
        chmod(configPath, 0o644)
        let dnsd = try DnsdProcess(arguments: ["--config", configPath], directory: directory, configPath: configPath, port: port)
        defer { _ = try? dnsd.stop() }
        try dnsd.waitUntilAnswering()
        #expect(dnsd.stderr.contains("dropped privileges: running as nobody"), "\(dnsd.stderr)")

        let pid = dnsd.process.processIdentifier
        let process = try Self.status("/proc/\(pid)/status")
        #expect(process["Uid"] == Array(repeating: "\(nobody.pw_uid)", count: 4).joined(separator: "\t"), "\(process)")
        #expect(process["Gid"] == Array(repeating: "\(nobody.pw_gid)", count: 4).joined(separator: "\t"), "\(process)")
        #expect(process["CapEff"] == "0000000000000000" && process["CapPrm"] == "0000000000000000", "\(process)")
        // Capabilities are per thread: every one of them, UDP workers included.
        let threads = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")
        #expect(threads.count > 1)
        for thread in threads {
            let fields = try Self.status("/proc/\(pid)/task/\(thread)/status")
            #expect(fields["CapEff"] == "0000000000000000" && fields["Uid"] == process["Uid"], "thread \(thread): \(fields)")
        }

        let dig = try PeerTool.require("dig")
        for transport in ["+notcp", "+tcp"] {
            let answer = try PeerTool.run(dig, ["@\(host)", "-p", "53", "+short", "+tries=1", "+time=3", transport, "www.example.test", "A"])
            #expect(answer.status == 0 && !answer.stdout.isEmpty, "\(transport): \(answer.transcript)")
        }

        let socket = directory.appendingPathComponent("run/control.sock").path
        let add = try ControlPlaneTests.dnsctl(socket, ["zone.add", "example.test.", "dropped 300 IN A 192.0.2.99"])
        #expect(add.status == 0, "\(add.transcript)\n\(dnsd.stderr)")
        // The cookie secret dnsd made as root is nobody's, so that cookie.rotate can rewrite it.
        let secret = state.appendingPathComponent("cookie.secret").path
        #expect((try FileManager.default.attributesOfItem(atPath: secret)[.ownerAccountID] as? NSNumber)?.uint32Value == nobody.pw_uid)
        let before = try String(contentsOfFile: secret, encoding: .utf8)
        let rotate = try ControlPlaneTests.dnsctl(socket, ["cookie.rotate"])
        #expect(rotate.status == 0, "\(rotate.transcript)")
        #expect(try String(contentsOfFile: secret, encoding: .utf8) != before)
        let journal = try FileManager.default.attributesOfItem(atPath: zone + ".journal")
        #expect((journal[.ownerAccountID] as? NSNumber)?.uint32Value == nobody.pw_uid, "\(journal)")
        let added = try PeerTool.run(dig, ["@\(host)", "-p", "53", "+short", "+tries=1", "+time=3", "dropped.example.test", "A"])
        #expect(added.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "192.0.2.99", "\(added.transcript)")

        // A reload that asks for another privileged port says that only a restart binds it.
        let other = try Self.freePrivilegedAddress()
        let config = try String(contentsOfFile: configPath, encoding: .utf8)
        try config.replacingOccurrences(of: "udp://127.0.0.1:\(port)]", with: "udp://127.0.0.1:\(port), udp://\(other):53]")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        chmod(configPath, 0o644)
        let reload = try ControlPlaneTests.dnsctl(socket, ["--json", "config.reload"])
        #expect(reload.status == 0, "\(reload.transcript)")
        #expect(reload.stdout.contains(#""needs_restart":["listen"]"#), "\(reload.transcript)")
        #expect(reload.stdout.contains("udp://\(other):53 needs a privileged port"), "\(reload.transcript)")

        let status = try dnsd.stop()
        #expect(status == 0, "\(dnsd.stderr)")
        // nobody owns the socket's directory, so it could remove the socket on the way out.
        #expect(!FileManager.default.fileExists(atPath: socket))
        if status == 0 { try? FileManager.default.removeItem(at: directory) }
    }

    @Test("a journal nobody cannot write stops the start with file:line")
    func unwritableJournal() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-privdrop")
        defer { try? FileManager.default.removeItem(at: directory) }
        chmod(directory.path, 0o755)
        try Fixtures.copy("example.test.zone", into: directory)
        let port = try LoopbackPort.free()
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        let config = "user: nobody\n" + DnsdProcess.configText(port: port).replacingOccurrences(of: "control.sock", with: "run/control.sock")
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let result = try DnsdProcess.runToCompletion(["--config", configPath])
        #expect(result.status == 1, "\(result.transcript)")
        let line = try #require(config.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("zone: {file:") }) + 1
        #expect(result.stderr.contains("dnsd.yaml:\(line):"), "\(result.transcript)")
        #expect(result.stderr.contains("user nobody cannot write to \(directory.path)"), "\(result.transcript)")
        #expect(result.stderr.contains("example.test.zone.journal"), "\(result.transcript)")
    }

    @Test("unknown users and groups are configuration errors")
    func unknownAccount() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-privdrop")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.copy("example.test.zone", into: directory)
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        for (settings, message) in [("user: no-such-user-dnsd\n", "user: unknown user 'no-such-user-dnsd'"),
                                    ("user: nobody\ngroup: no-such-group-dnsd\n", "group: unknown group 'no-such-group-dnsd'"),
                                    ("group: nogroup\n", "'group' needs 'user' too"),
                                    ("user: root\n", "leave 'user' out to run as root")] {
            try (settings + DnsdProcess.configText(port: 1)).write(toFile: configPath, atomically: true, encoding: .utf8)
            let result = try DnsdProcess.runToCompletion(["--check-config", configPath])
            #expect(result.status == 1 && result.stderr.contains(message) && result.stderr.contains("dnsd.yaml:"), "\(settings): \(result.transcript)")
        }
    }
}
