import Foundation

/// The result of running a command to completion.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String

    /// Both streams, labelled, for failure messages.
    var transcript: String {
        "exit status \(status)\n--- stdout ---\n\(stdout)\n--- stderr ---\n\(stderr)"
    }
}

/// The real DNS software the tests talk to (dig, kdig, nsd, python3 with dnspython), found on
/// PATH. A missing tool fails the test: scripts/test installs all of them.
enum PeerTool {
    /// Debian package that provides each tool, for the failure message.
    private static let packages: [String: String] = [
        "dig": "bind9-dnsutils",
        "kdig": "knot-dnsutils",
        "ldns-keygen": "ldnsutils",
        "ldns-signzone": "ldnsutils",
        "nsd": "nsd",
        "nsd-checkconf": "nsd",
        "knotd": "knot",
        "unbound": "unbound",
        "unbound-checkconf": "unbound",
        "curl": "curl",
        "openssl": "openssl",
        "tmux": "tmux",
        "fstrm_capture": "fstrm-bin",
        "dnstap-read": "bind9-dnsutils",
        "setpriv": "util-linux",
        "ss": "iproute2",
        "ip": "iproute2",
        "systemd-analyze": "systemd",
        "systemd-sysusers": "systemd",
        "systemd-tmpfiles": "systemd",
    ]

    /// The absolute path of `name`, or a thrown error saying how to install it.
    static func require(_ name: String) throws -> String {
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? ""
        // nsd lives in sbin, which a non-root PATH often lacks.
        let directories = searchPath.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin"]
        for directory in directories where !directory.isEmpty {
            let candidate = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        let package = packages[name] ?? name
        throw IntegrationError("\(name) is not installed (Debian package \(package)); run scripts/test, which installs it")
    }

    /// /usr/bin/python3 after checking that it can import dnspython.
    static func requirePythonWithDNSPython() throws -> String {
        let python = "/usr/bin/python3"
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw IntegrationError("\(python) is missing; run scripts/test, which installs python3-dnspython")
        }
        let check = try run(python, ["-c", "import dns.message, dns.query"], timeout: 30)
        guard check.status == 0 else {
            throw IntegrationError("\(python) cannot import dnspython (\(check.stderr)); run scripts/test, which installs python3-dnspython")
        }
        return python
    }

    /// Runs `executable` with `arguments`, waits at most `timeout` seconds, and returns its
    /// exit status and output. Output goes through files, not pipes, so a chatty child can
    /// never block on a full pipe while we wait for it.
    static func run(_ executable: String, _ arguments: [String], timeout: Double = 60) throws -> CommandResult {
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("dnsd-cmd-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        defer {
            try? outHandle.close()
            try? errHandle.close()
        }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outHandle
        process.standardError = errHandle
        try process.run()
        let exited = waitForExit(process, timeout: timeout)
        if !exited {
            kill(process.processIdentifier, SIGKILL)
            _ = waitForExit(process, timeout: 5)
        }
        let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        guard exited else {
            throw IntegrationError("\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout) s\n\(stdout)\n\(stderr)")
        }
        return CommandResult(status: process.terminationStatus, stdout: stdout, stderr: stderr)
    }

    /// Starts a server a test runs and stops itself: stdin from /dev/null, stdout and stderr
    /// into `log` (created empty), working directory `directory` when given, `environment` added
    /// to (or replacing entries of) this process's environment.
    static func launch(_ executable: String, _ arguments: [String], log: URL, in directory: URL? = nil,
                       environment: [String: String] = [:]) throws -> Process {
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }  // the child holds its own copy of the descriptor
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// Polls until `process` exits; true when it did within `timeout` seconds.
    static func waitForExit(_ process: Process, timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning {
            if Date() > deadline { return false }
            usleep(20_000)
        }
        return true
    }
}

extension PeerTool {
    /// Waits up to 10 s for the Unbound `process` to answer `version.server CH TXT` on
    /// 127.0.0.1:`port`; throws with its log when it exits first or stays silent. The caller
    /// stops it on a throw.
    static func waitForUnbound(_ process: Process, port: UInt16, log: URL) throws {
        let dig = try require("dig")
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            guard process.isRunning else {
                throw IntegrationError("unbound exited\n\((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
            }
            let probe = try run(dig, ["@127.0.0.1", "-p", String(port), "version.server", "CH", "TXT", "+time=1", "+tries=1"])
            if probe.status == 0 { return }
            usleep(100_000)
        }
        throw IntegrationError("unbound did not answer on 127.0.0.1:\(port)")
    }
}
