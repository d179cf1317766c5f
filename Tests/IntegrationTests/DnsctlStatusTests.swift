import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `dnsctl status` against a real dnsd, a stopped one, a stale socket and a socket this user
/// may not open: 0, 3, 3 and 1, as `unbound-control status` answers.
@Suite("dnsctl status")
struct DnsctlStatusTests {
    @Test("0 while dnsd answers, 3 once it has stopped")
    func runningThenStopped() throws {
        let (dnsd, socket) = try ControlPlaneTests.start()
        defer { _ = try? dnsd.stop() }
        let running = try ControlPlaneTests.dnsctl(socket, ["status"])
        #expect(running.status == 0, "\(running.transcript)")
        #expect(running.stdout.hasPrefix("dnsd 0.") && running.stdout.contains("is running (up "), "\(running.transcript)")
        #expect(try dnsd.stop() == 0)
        let stopped = try ControlPlaneTests.dnsctl(socket, ["status"])
        #expect(stopped.status == 3, "\(stopped.transcript)")
        #expect(stopped.stdout.contains("dnsd is not running"), "\(stopped.transcript)")
    }

    @Test("3 for a stale socket nobody listens on")
    func staleSocket() throws {
        let directory = try Fixtures.scratchDirectory("dnsctl-status")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("control.sock").path
        // A socket file left by a daemon that died: bound once, never listening now.
        let fd = socket(AF_UNIX, LoopbackPort.streamType, 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        close(fd)
        try #require(bound == 0)
        let result = try ControlPlaneTests.dnsctl(path, ["status"])
        #expect(result.status == 3, "\(result.transcript)")
    }

    @Test("1 when the socket is there but this user may not open it", .enabled(if: getuid() == 0, "needs root to switch users"))
    func permissionDenied() throws {
        let (dnsd, socket) = try ControlPlaneTests.start(control: "{socket: control.sock, mode: \"0600\"}")
        defer { _ = try? dnsd.stop() }
        // The scratch directory must let nobody reach the socket file, to be refused by its mode.
        chmod(dnsd.directory.path, 0o755)
        let result = try ControlPlaneTests.dnsctl(socket, ["status"], as: "65534")
        #expect(result.status == 1, "\(result.transcript)")
        #expect(result.stderr.contains("cannot tell"), "\(result.transcript)")
    }

    @Test("without --socket, dnsd and dnsctl both use $RUNTIME_DIRECTORY/control.sock")
    func runtimeDirectory() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-runtime")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.copy("example.test.zone", into: directory)
        let runtime = directory.appendingPathComponent("run")
        try FileManager.default.createDirectory(at: runtime, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let port = try LoopbackPort.free()
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        let config = DnsdProcess.configText(port: port).replacingOccurrences(of: "control: {socket: control.sock}\n", with: "")
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let dnsd = try DnsdProcess(arguments: ["--config", configPath], directory: directory, configPath: configPath, port: port,
                                   environment: ["RUNTIME_DIRECTORY": runtime.path])
        defer { _ = try? dnsd.stop() }
        try dnsd.waitUntilAnswering()
        let socket = runtime.appendingPathComponent("control.sock").path
        #expect(dnsd.stderr.contains("control socket at \(socket)"), "\(dnsd.stderr)")
        let dnsctl = URL(fileURLWithPath: try DnsdProcess.binary()).deletingLastPathComponent().appendingPathComponent("dnsctl").path
        let result = try PeerTool.run("/usr/bin/env", ["-u", "DNSD_SOCKET", "RUNTIME_DIRECTORY=\(runtime.path)", dnsctl, "status"])
        #expect(result.status == 0 && result.stdout.contains(socket), "\(result.transcript)")
    }

    @Test("without --config, dnsd reads $DNSD_CONFIG")
    func configFromEnvironment() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-default-config")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.copy("example.test.zone", into: directory)
        let port = try LoopbackPort.free()
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        try DnsdProcess.configText(port: port).write(toFile: configPath, atomically: true, encoding: .utf8)
        let dnsd = try DnsdProcess(arguments: [], directory: directory, configPath: configPath, port: port,
                                   environment: ["DNSD_CONFIG": configPath])
        defer { _ = try? dnsd.stop() }
        try dnsd.waitUntilAnswering()
        #expect(dnsd.stderr.contains("config=\(configPath)"), "\(dnsd.stderr)")
        #expect(try Dig.query(port: port, "www.example.test", "A").status == "NOERROR")
        // config.reload re-reads that file, not the built-in configuration.
        let reload = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["config.reload"])
        #expect(reload.status == 0 && reload.stdout.contains("example.test."), "\(reload.transcript)")
    }
}
