import Foundation
import Testing

/// The command line outside of serving: --check-config, --version, --help.
@Suite("Command line")
struct CommandLineTests {
    @Test("--check-config exits 0 for a good config and does not serve")
    func checkGoodConfig() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-check")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.copy("example.test.zone", into: directory)
        let config = directory.appendingPathComponent("dnsd.yaml").path
        let port = try LoopbackPort.free()
        try DnsdProcess.configText(port: port, zoneFile: "example.test.zone").write(toFile: config, atomically: true, encoding: .utf8)

        let result = try DnsdProcess.runToCompletion(["--check-config", config], timeout: 20)
        #expect(result.status == 0, "\(result.transcript)")
        // It exited, so nothing is listening on the port it would have served.
        let socket = try DNSSocket.udp(port: port, timeout: 0.3)
        try socket.sendMessage(RawDNS.query(id: 9, name: "example.test", type: RawDNS.typeSOA))
        #expect(socket.receiveMessage() == nil)
    }

    @Test("--check-config exits 1 for a missing config file or zone file")
    func checkMissingFiles() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-check")
        defer { try? FileManager.default.removeItem(at: directory) }
        let missingConfig = try DnsdProcess.runToCompletion(["--check-config", directory.appendingPathComponent("absent.yaml").path])
        #expect(missingConfig.status == 1, "\(missingConfig.transcript)")
        #expect(missingConfig.stderr.contains("absent.yaml"), "\(missingConfig.transcript)")

        let config = directory.appendingPathComponent("dnsd.yaml").path
        try DnsdProcess.configText(port: 1, zoneFile: "no-such.zone").write(toFile: config, atomically: true, encoding: .utf8)
        let missingZone = try DnsdProcess.runToCompletion(["--check-config", config])
        #expect(missingZone.status == 1, "\(missingZone.transcript)")
        #expect(missingZone.stderr.contains("no-such.zone"), "\(missingZone.transcript)")
    }

    @Test("--check-config takes an absolute zone path as well as a relative one")
    func absoluteZonePath() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-check")
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("dnsd.yaml").path
        try DnsdProcess.configText(port: 1, zoneFile: try Fixtures.path("example.test.zone"))
            .write(toFile: config, atomically: true, encoding: .utf8)
        let result = try DnsdProcess.runToCompletion(["--check-config", config])
        #expect(result.status == 0, "\(result.transcript)")
    }

    @Test("--version of dnsd, dnsctl and dnsconsole prints the version and the git commit built from")
    func version() throws {
        let binaries = URL(fileURLWithPath: try DnsdProcess.binary()).deletingLastPathComponent()
        // The commit the GitCommit plugin recorded is the checkout's HEAD when this test run was
        // built (a commit made since then without a rebuild would make this fail: rebuild).
        let repository = InstallScriptTests.repository.path
        let head = try PeerTool.run(try PeerTool.require("git"), ["-C", repository, "rev-parse", "--short=12", "HEAD"])
        let commit = head.status == 0 ? head.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : "unknown"
        for product in ["dnsd", "dnsctl", "dnsconsole"] {
            let result = try PeerTool.run(binaries.appendingPathComponent(product).path, ["--version"])
            #expect(result.status == 0, "\(product): \(result.transcript)")
            #expect(result.stdout == "0.1.0 (commit \(commit))\n", "\(product): \(result.transcript)")
        }
    }

    @Test("--help describes --config and --check-config and exits 0")
    func help() throws {
        let result = try DnsdProcess.runToCompletion(["--help"])
        #expect(result.status == 0, "\(result.transcript)")
        let text = result.stdout + result.stderr
        #expect(text.contains("--config"), "\(result.transcript)")
        #expect(text.contains("--check-config"), "\(result.transcript)")
    }
}
