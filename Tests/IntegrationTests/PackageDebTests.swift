import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// scripts/package-deb's package on this machine, end to end: built from the binaries this test
/// run built (`--bindir-from`), checked by lintian (no errors), installed with `dpkg -i`, its
/// configuration accepted by `dnsd --check-config`, dnsd started the way the unit's ExecStart
/// starts it (as user dnsd with CAP_NET_BIND_SERVICE only, `$RUNTIME_DIRECTORY` and
/// `$STATE_DIRECTORY` set) and queried with dig, then `dpkg --purge`d: no file and no user left.
///
/// It installs on the host, so it is part of the serialized scripts/install suite (which also
/// makes the dnsd group) and refuses to run where a dnsd is installed already (a package, or
/// files in /etc/dnsd or /usr/sbin): it never replaces or purges an operator's dnsd. What a
/// source install's user creation or an earlier test run left (the dnsd user and group,
/// /var/lib/dnsd) is set aside first and put back, with the same ids, after the purge.
extension InstallScriptTests {
    static let dpkgAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/dpkg")

    @Test("scripts/package-deb: lintian without errors, dpkg -i, check-config, served, dpkg --purge",
          .enabled(if: dpkgAvailable, "dpkg is absent: not a Debian system"),
          .enabled(if: getuid() == 0, "dpkg -i needs root"),
          .timeLimit(.minutes(10)))
    func packageDebInstallsServesAndPurges() throws {
        let installed = try PeerTool.run("/usr/bin/dpkg-query", ["-W", "-f", "${Status}", "dnsd"])
        try #require(!installed.stdout.contains("installed") && !FileManager.default.fileExists(atPath: "/etc/dnsd")
                     && !FileManager.default.fileExists(atPath: "/usr/sbin/dnsd"),
                     "a dnsd is installed on this machine already (dpkg-query: '\(installed.stdout)', /etc/dnsd or /usr/sbin/dnsd): this test would replace and purge it, so it does not run")

        let previous = try PreviousDnsdAccount.setAside()
        defer { previous.restore() }
        let directory = try Fixtures.scratchDirectory("dnsd-deb")
        chmod(directory.path, 0o755)
        defer { try? FileManager.default.removeItem(at: directory) }
        let binaries = URL(fileURLWithPath: try DnsdProcess.binary()).deletingLastPathComponent().path
        let built = try Self.script("package-deb", ["--output", directory.path, "--bindir-from", binaries], timeout: 300)
        try #require(built.status == 0, "\(built.transcript)")
        let deb = try #require(built.stdout.split(separator: "\n").last.map(String.init))
        #expect(deb.hasSuffix(".deb") && FileManager.default.fileExists(atPath: deb), "\(built.transcript)")

        let lintian = try PeerTool.run(try PeerTool.require("lintian"), ["--no-tag-display-limit", deb], timeout: 300)
        let errors = lintian.stdout.split(separator: "\n").filter { $0.hasPrefix("E: ") }
        #expect(errors.isEmpty, "lintian errors:\n\(lintian.transcript)")
        #expect(lintian.status == 0, "\(lintian.transcript)")

        let dpkg = "/usr/bin/dpkg"
        let install = try PeerTool.run(dpkg, ["-i", deb], timeout: 120)
        // From here on the package is on the host: purge it whatever happens.
        var purged = false
        defer { if !purged { _ = try? PeerTool.run(dpkg, ["--purge", "dnsd"], timeout: 120) } }
        try #require(install.status == 0, "\(install.transcript)")
        for path in ["/usr/sbin/dnsd", "/usr/bin/dnsctl", "/usr/bin/dnsconsole", "/usr/lib/systemd/system/dnsd.service",
                     "/usr/share/man/man8/dnsd.8.gz", "/usr/share/man/man8/dnsctl.8.gz", "/usr/share/man/man1/dnsconsole.1.gz",
                     "/usr/share/man/man5/dnsd.yaml.5.gz", "/usr/share/bash-completion/completions/dnsctl",
                     "/usr/share/zsh/vendor-completions/_dnsctl", "/usr/share/fish/vendor_completions.d/dnsctl.fish",
                     "/usr/share/doc/dnsd/copyright", "/usr/share/doc/dnsd/changelog.Debian.gz", "/etc/dnsd/dnsd.yaml"] {
            #expect(FileManager.default.fileExists(atPath: path), "\(path) not installed")
        }
        let user = try #require(getpwnam("dnsd"), "postinst made no dnsd user").pointee
        #expect(getgrnam("dnsd") != nil, "postinst made no dnsd group")
        var state = stat()
        #expect(stat("/var/lib/dnsd", &state) == 0 && state.st_uid == user.pw_uid, "/var/lib/dnsd is not dnsd's")
        let man = try PeerTool.run("/usr/bin/env", ["MANWIDTH=80", "man", "--warnings", "8", "dnsd"])
        #expect(man.status == 0 && man.stdout.contains("--check-config") && man.stderr.isEmpty, "\(man.transcript)")

        let check = try PeerTool.run("/usr/sbin/dnsd", ["--check-config", "/etc/dnsd/dnsd.yaml"])
        #expect(check.status == 0, "\(check.transcript)")

        try Self.serveAsTheUnitDoes(user: user, directory: directory)

        let purge = try PeerTool.run(dpkg, ["--purge", "dnsd"], timeout: 120)
        purged = true
        #expect(purge.status == 0, "\(purge.transcript)")
        for path in ["/usr/sbin/dnsd", "/usr/bin/dnsctl", "/usr/share/man/man8/dnsd.8.gz", "/usr/lib/systemd/system/dnsd.service",
                     "/etc/dnsd", "/var/lib/dnsd", "/run/dnsd", "/usr/share/doc/dnsd"] {
            #expect(!FileManager.default.fileExists(atPath: path), "\(path) left after dpkg --purge")
        }
        #expect(getpwnam("dnsd") == nil && getgrnam("dnsd") == nil, "user or group dnsd left after dpkg --purge")
    }

    /// `ExecStart=/usr/sbin/dnsd --config /etc/dnsd/dnsd.yaml` with the unit's User=, ambient
    /// capability and directories. Only the listen line of the installed configuration changes:
    /// to a free loopback address, since the host or another test may hold 127.0.0.1:53.
    static func serveAsTheUnitDoes(user: passwd, directory: URL) throws {
        let host = try PrivilegeDropTests.freePrivilegedAddress()
        let config = "/etc/dnsd/dnsd.yaml"
        let shipped = try String(contentsOfFile: config, encoding: .utf8)
        let listen = try #require(shipped.split(separator: "\n").first { $0.hasPrefix("listen:") })
        try shipped.replacingOccurrences(of: listen, with: "listen: [udp://\(host):53, tcp://\(host):53]")
            .write(toFile: config, atomically: true, encoding: .utf8)
        chmod(config, 0o644)

        let listener = try NotifyListener(directory.appendingPathComponent("notify.sock").path)
        chown(listener.name, user.pw_uid, user.pw_gid)
        let log = directory.appendingPathComponent("dnsd.stderr")
        let process = try PeerTool.launch(try PeerTool.require("setpriv"),
                                          ["--reuid=\(user.pw_uid)", "--regid=\(user.pw_gid)", "--init-groups",
                                           "--inh-caps=+net_bind_service", "--ambient-caps=+net_bind_service",
                                           "/usr/sbin/dnsd", "--config", config],
                                          log: log, in: directory,
                                          environment: ["NOTIFY_SOCKET": listener.name, "RUNTIME_DIRECTORY": "/run/dnsd",
                                                        "STATE_DIRECTORY": "/var/lib/dnsd"])
        let stderr = { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL); _ = PeerTool.waitForExit(process, timeout: 10) }
        }
        do { _ = try listener.messages(until: "READY=1", timeout: 20) } catch { throw IntegrationError("\(error)\n\(stderr())") }

        let dig = try PeerTool.require("dig")
        for transport in ["+notcp", "+tcp"] {
            let answer = try PeerTool.run(dig, ["@\(host)", "-p", "53", "+short", "+tries=1", "+time=3", transport, "localhost", "A"])
            #expect(answer.status == 0 && answer.stdout == "127.0.0.1\n", "\(transport): \(answer.transcript)\n\(stderr())")
        }
        // The packaged dnsctl finds the service's socket without flags, as an operator's would.
        let status = try PeerTool.run("/usr/bin/env", ["-u", "DNSD_SOCKET", "-u", "RUNTIME_DIRECTORY", "/usr/bin/dnsctl", "status"])
        #expect(status.status == 0 && status.stdout.contains("/run/dnsd/control.sock"), "\(status.transcript)")

        kill(process.processIdentifier, SIGTERM)
        #expect(PeerTool.waitForExit(process, timeout: 10) && process.terminationStatus == 0, "\(stderr())")
    }
}

/// The dnsd user and group and /var/lib/dnsd as they were before the package test: a purge
/// removes them, so they are put back afterwards (same uid and gid, the directory renamed back).
struct PreviousDnsdAccount {
    static let state = "/var/lib/dnsd", setAsideState = "/var/lib/dnsd.before-PackageDebTests"
    var uid: uid_t?
    var gid: gid_t?
    var stateSetAside = false

    static func setAside() throws -> PreviousDnsdAccount {
        var previous = PreviousDnsdAccount(uid: getpwnam("dnsd")?.pointee.pw_uid, gid: getgrnam("dnsd")?.pointee.gr_gid)
        if FileManager.default.fileExists(atPath: state) {
            try #require(!FileManager.default.fileExists(atPath: setAsideState), "\(setAsideState) exists: an earlier run did not finish")
            try #require(rename(state, setAsideState) == 0, "cannot set \(state) aside: errno \(errno)")
            previous.stateSetAside = true
        }
        return previous
    }

    func restore() {
        if let gid, getgrnam("dnsd") == nil {
            _ = try? PeerTool.run("/usr/sbin/groupadd", ["--system", "--gid", "\(gid)", "dnsd"])
        }
        if let uid, getpwnam("dnsd") == nil {
            _ = try? PeerTool.run("/usr/sbin/useradd", ["--system", "--uid", "\(uid)", "--gid", "\(gid ?? uid)", "--home-dir", Self.state,
                                                        "--no-create-home", "--shell", "/usr/sbin/nologin", "--comment", "dnsd DNS server", "dnsd"])
        }
        if stateSetAside {
            try? FileManager.default.removeItem(atPath: Self.state)
            rename(Self.setAsideState, Self.state)
        }
    }
}
