import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// scripts/install staged into a scratch directory (`--destdir`) from the binaries this test
/// run built (`--bindir-from`, so no release build is needed): every file where it belongs,
/// with its mode (man pages and completions included, and the pages render cleanly); the unit accepted by `systemd-analyze verify` without a word; the sysusers
/// and tmpfiles snippets applied by systemd's own tools to the staged root; the shipped
/// configuration passing `dnsd --check-config`.
@Suite("scripts/install", .serialized)
struct InstallScriptTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func install(_ arguments: [String]) throws -> CommandResult {
        let binaries = URL(fileURLWithPath: try DnsdProcess.binary()).deletingLastPathComponent().path
        return try script("install", arguments + ["--bindir-from", binaries], timeout: 120)
    }

    /// One of scripts/, told not to run `swift build`: under `swift test` it would wait forever
    /// for SwiftPM's lock. generate-manual must be built already (scripts/test does that).
    static func script(_ name: String, _ arguments: [String], timeout: Double) throws -> CommandResult {
        try PeerTool.run("/usr/bin/env", ["DNSD_NO_SWIFT_BUILD=1", repository.appendingPathComponent("scripts/" + name).path] + arguments,
                         timeout: timeout)
    }

    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o7777 : nil
    }

    @Test("--destdir with the default prefix: binaries, unit, snippets, config and docs")
    func stagedInstall() throws {
        let destdir = try Fixtures.scratchDirectory("dnsd-install")
        defer { try? FileManager.default.removeItem(at: destdir) }
        let result = try Self.install(["--destdir", destdir.path])
        #expect(result.status == 0, "\(result.transcript)")
        let root = destdir.path
        let expected: [(String, mode_t)] = [
            ("/usr/local/sbin/dnsd", 0o755), ("/usr/local/bin/dnsctl", 0o755), ("/usr/local/bin/dnsconsole", 0o755),
            ("/usr/local/lib/systemd/system/dnsd.service", 0o644), ("/usr/local/lib/sysusers.d/dnsd.conf", 0o644),
            ("/usr/local/lib/tmpfiles.d/dnsd.conf", 0o644), ("/etc/dnsd/dnsd.yaml", 0o644),
            ("/usr/local/share/doc/dnsd/operations.md", 0o644), ("/usr/local/share/doc/dnsd/configuration.md", 0o644),
            ("/usr/local/share/man/man8/dnsd.8", 0o644), ("/usr/local/share/man/man8/dnsctl.8", 0o644),
            ("/usr/local/share/man/man1/dnsconsole.1", 0o644), ("/usr/local/share/man/man5/dnsd.yaml.5", 0o644),
        ] + ["dnsd", "dnsctl", "dnsconsole"].flatMap { product -> [(String, mode_t)] in
            [("/usr/local/share/bash-completion/completions/\(product)", 0o644), ("/usr/local/share/zsh/site-functions/_\(product)", 0o644),
             ("/usr/local/share/fish/vendor_completions.d/\(product).fish", 0o644)]
        }
        for (path, mode) in expected {
            #expect(Self.mode(root + path) == mode, "\(path): mode \(Self.mode(root + path).map { String($0, radix: 8) } ?? "missing")")
        }
        // The man pages render without a warning from groff and describe the real flags.
        for (page, flag) in [("man8/dnsd.8", "--check-config"), ("man8/dnsctl.8", "--socket"), ("man1/dnsconsole.1", "--refresh"),
                             ("man5/dnsd.yaml.5", "edns_udp_size")] {
            let man = try PeerTool.run("/usr/bin/env", ["MANWIDTH=80", "man", "--warnings", "-l", root + "/usr/local/share/man/" + page])
            #expect(man.status == 0 && man.stdout.contains(flag) && man.stderr.isEmpty, "\(page): \(man.transcript)")
        }
        let version = try PeerTool.run(root + "/usr/local/sbin/dnsd", ["--version"])
        #expect(version.status == 0, "\(version.transcript)")
        let status = try PeerTool.run(root + "/usr/local/bin/dnsctl", ["--socket", root + "/nowhere.sock", "status"])
        #expect(status.status == 3, "\(status.transcript)")

        let unit = try String(contentsOfFile: root + "/usr/local/lib/systemd/system/dnsd.service", encoding: .utf8)
        for line in ["Type=notify", "ExecStart=/usr/local/sbin/dnsd --config /etc/dnsd/dnsd.yaml",
                     "ExecReload=/usr/local/bin/dnsctl config.reload", "User=dnsd", "ProtectSystem=strict", "PrivateTmp=yes",
                     "NoNewPrivileges=yes", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE", "AmbientCapabilities=CAP_NET_BIND_SERVICE",
                     "RuntimeDirectory=dnsd", "StateDirectory=dnsd", "WatchdogSec=30s"] {
            #expect(unit.split(separator: "\n").contains { $0 == line }, "unit lacks \(line)")
        }
        #expect(!unit.contains("@"), "an unfilled placeholder in the unit:\n\(unit)")

        // systemd-analyze checks that the commands exist: verify a copy whose paths point into
        // the staged tree. It exits 0 even for unknown keys, so it must also say nothing.
        let analyze = try PeerTool.require("systemd-analyze")
        let copy = destdir.appendingPathComponent("dnsd.service")
        try unit.replacingOccurrences(of: "=/usr/local/", with: "=\(root)/usr/local/").write(to: copy, atomically: true, encoding: .utf8)
        let verify = try PeerTool.run(analyze, ["verify", "--man=no", copy.path], timeout: 60)
        #expect(verify.status == 0 && verify.stdout.isEmpty && verify.stderr.isEmpty, "\(verify.transcript)")

        // The snippets, applied by systemd's tools to the staged root (the host is untouched).
        let sysusers = try PeerTool.run(try PeerTool.require("systemd-sysusers"), ["--root=\(root)", root + "/usr/local/lib/sysusers.d/dnsd.conf"])
        #expect(sysusers.status == 0, "\(sysusers.transcript)")
        let passwd = try String(contentsOfFile: root + "/etc/passwd", encoding: .utf8)
        #expect(passwd.contains("dnsd:x:") && passwd.contains(":/var/lib/dnsd:"), "\(passwd)")
        #expect(try String(contentsOfFile: root + "/etc/group", encoding: .utf8).contains("dnsd:x:"))
        let tmpfiles = try PeerTool.run(try PeerTool.require("systemd-tmpfiles"),
                                        ["--root=\(root)", "--create", root + "/usr/local/lib/tmpfiles.d/dnsd.conf"])
        #expect(tmpfiles.status == 0, "\(tmpfiles.transcript)")
        #expect(Self.mode(root + "/run/dnsd") == 0o750 && Self.mode(root + "/var/lib/dnsd") == 0o750)
    }

    @Test("the shipped dnsd.yaml passes --check-config", .enabled(if: getuid() == 0, "makes the dnsd group the configuration names"))
    func shippedConfigChecks() throws {
        // control.group names dnsd: make the system user and group the way the installer does
        // on a real system, with the shipped sysusers snippet (a no-op when they exist).
        if getgrnam("dnsd") == nil {
            let made = try PeerTool.run(try PeerTool.require("systemd-sysusers"),
                                        [Self.repository.appendingPathComponent("dist/sysusers.d/dnsd.conf").path])
            #expect(made.status == 0, "\(made.transcript)")
        }
        let check = try DnsdProcess.runToCompletion(["--check-config", Self.repository.appendingPathComponent("dist/dnsd.yaml").path])
        #expect(check.status == 0, "\(check.transcript)")
    }

    @Test("--prefix /usr, and a second install keeps an edited dnsd.yaml")
    func prefixAndKeptConfig() throws {
        let destdir = try Fixtures.scratchDirectory("dnsd-install")
        defer { try? FileManager.default.removeItem(at: destdir) }
        #expect(try Self.install(["--prefix", "/usr", "--destdir", destdir.path]).status == 0)
        let root = destdir.path
        #expect(Self.mode(root + "/usr/sbin/dnsd") == 0o755 && Self.mode(root + "/usr/lib/systemd/system/dnsd.service") == 0o644)
        // Debian's zsh reads packaged completions from vendor-completions.
        #expect(Self.mode(root + "/usr/share/zsh/vendor-completions/_dnsctl") == 0o644)
        let unit = try String(contentsOfFile: root + "/usr/lib/systemd/system/dnsd.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/sbin/dnsd --config /etc/dnsd/dnsd.yaml\n") && unit.contains("ExecReload=/usr/bin/dnsctl config.reload\n"))
        let config = root + "/etc/dnsd/dnsd.yaml"
        try "# edited by the operator\n".write(toFile: config, atomically: true, encoding: .utf8)
        let again = try Self.install(["--prefix", "/usr", "--destdir", destdir.path])
        #expect(again.status == 0 && again.stderr.contains("kept /etc/dnsd/dnsd.yaml"), "\(again.transcript)")
        #expect(try String(contentsOfFile: config, encoding: .utf8) == "# edited by the operator\n")
        #expect(FileManager.default.fileExists(atPath: config + ".dist"))
        let bad = try PeerTool.run(Self.repository.appendingPathComponent("scripts/install").path, ["--prefix", "relative"])
        #expect(bad.status == 2, "\(bad.transcript)")
    }
}
