import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// dnsd started the way dist/dnsd.service starts it, as far as a machine without systemd as
/// PID 1 allows: an unprivileged user (nobody here; `User=dnsd` in the unit) with only
/// CAP_NET_BIND_SERVICE as an ambient capability (setpriv does what `AmbientCapabilities=`
/// does), `$RUNTIME_DIRECTORY` and `$NOTIFY_SOCKET` set. It binds port 53, tells READY, answers
/// over UDP and TCP, puts its control socket in the runtime directory where a flagless
/// `dnsctl status` finds it, and says STOPPING on SIGTERM.
@Suite("Started like the systemd unit", .enabled(if: getuid() == 0, "needs root to start dnsd as another user"))
struct ServiceUnitStartTests {
    @Test("as an unprivileged user with CAP_NET_BIND_SERVICE only")
    func unprivilegedWithOneCapability() throws {
        let nobody = try #require(getpwnam("nobody")).pointee
        let directory = try Fixtures.scratchDirectory("dnsd-unit")
        chmod(directory.path, 0o755)
        let runtime = directory.appendingPathComponent("run"), state = directory.appendingPathComponent("state")
        for made in [runtime, state] {
            try FileManager.default.createDirectory(at: made, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
            chown(made.path, nobody.pw_uid, nobody.pw_gid)
        }
        let zone = try Fixtures.copy("example.test.zone", into: state)
        chown(zone, nobody.pw_uid, nobody.pw_gid)
        let host = try PrivilegeDropTests.freePrivilegedAddress()
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        try """
        listen: [udp://\(host):53, tcp://\(host):53]
        cookies: {secret_file: \(state.path)/cookie.secret}
        servers:
          - zones: [example.test.]
            plugins:
              - zone: {file: \(zone)}

        """.write(toFile: configPath, atomically: true, encoding: .utf8)
        chmod(configPath, 0o644)
        let listener = try NotifyListener(directory.appendingPathComponent("notify.sock").path)
        chown(listener.name, nobody.pw_uid, nobody.pw_gid)
        let setpriv = try PeerTool.require("setpriv")
        let log = directory.appendingPathComponent("dnsd.stderr")
        let process = try PeerTool.launch(setpriv, ["--reuid=\(nobody.pw_uid)", "--regid=\(nobody.pw_gid)", "--clear-groups",
                                                    "--inh-caps=+net_bind_service", "--ambient-caps=+net_bind_service",
                                                    try DnsdProcess.binary(), "--config", configPath],
                                          log: log, in: directory,
                                          environment: ["NOTIFY_SOCKET": listener.name, "RUNTIME_DIRECTORY": runtime.path])
        let stderr = { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        do { _ = try listener.messages(until: "READY=1", timeout: 20) } catch { throw IntegrationError("\(error)\n\(stderr())") }

        let status = try PrivilegeDropTests.status("/proc/\(process.processIdentifier)/status")
        #expect(status["Uid"]?.hasPrefix("\(nobody.pw_uid)\t") == true, "\(status)")
        // CAP_NET_BIND_SERVICE (bit 10) and nothing else, as the unit's bounding set allows.
        #expect(status["CapEff"] == "0000000000000400", "\(status)")
        let dig = try PeerTool.require("dig")
        for transport in ["+notcp", "+tcp"] {
            let answer = try PeerTool.run(dig, ["@\(host)", "-p", "53", "+short", "+tries=1", "+time=3", transport, "www.example.test", "A"])
            #expect(answer.status == 0 && !answer.stdout.isEmpty, "\(transport): \(answer.transcript)\n\(stderr())")
        }
        let dnsctl = URL(fileURLWithPath: try DnsdProcess.binary()).deletingLastPathComponent().appendingPathComponent("dnsctl").path
        let running = try PeerTool.run("/usr/bin/env", ["-u", "DNSD_SOCKET", "RUNTIME_DIRECTORY=\(runtime.path)", dnsctl, "status"])
        #expect(running.status == 0 && running.stdout.contains(runtime.path + "/control.sock"), "\(running.transcript)")

        kill(process.processIdentifier, SIGTERM)
        #expect(PeerTool.waitForExit(process, timeout: 10) && process.terminationStatus == 0, "\(stderr())")
        #expect(listener.messages(for: 0.5).contains { $0.lines.contains("STOPPING=1") })
        if process.terminationStatus == 0 { try? FileManager.default.removeItem(at: directory) }
    }
}
