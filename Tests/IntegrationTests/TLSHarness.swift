import Foundation
import Testing

/// A test PKI made by the openssl CLI (Fixtures/tls_make_certs.sh) and a dnsd serving DoT and
/// DoH with it, plus the peers that look at what is served (`openssl s_client`, dnsctl, the
/// Python client in Fixtures/tls_client.py).
///
/// dnsd runs with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped from its bounding set
/// (`setpriv`): the tests run as root, and without that a `chmod 000` key would still be
/// readable, so the EACCES case could not be tested.
final class TLSHarness {
    let directory: URL
    /// Where the certificates are made; `serve/` holds the files dnsd is configured with.
    let pki: URL
    let dnsPort: UInt16, dotPort: UInt16, dohPort: UInt16, httpPort: UInt16
    let socket: String
    let process: Process
    private let stderrURL: URL

    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }
    var pid: Int32 { process.processIdentifier }

    /// Makes the PKI: `a1`, `a2`, `a3` (dns.test, dot.test), `b1` (other.test, *.wild.test),
    /// `expired`, `future` (dns.test), then starts dnsd with `main` = a1 and `other` = b1.
    /// `tls` replaces the default `tls:` section (paths relative to the scratch directory).
    /// `settings`: top-level YAML added to the config (e.g. `tcp: {query_timeout: 2s}`).
    init(tls: String? = nil, settings: String = "", prepare: ((URL) throws -> Void)? = nil) throws {
        directory = try Fixtures.scratchDirectory("dnsd-tls")
        pki = directory.appendingPathComponent("pki")
        try Self.makePKI(in: pki, ["expired:dns.test:DNS:dns.test:-60:-1", "future:dns.test:DNS:dns.test:+5:+90"])
        let serve = directory.appendingPathComponent("serve")
        try FileManager.default.createDirectory(at: serve, withIntermediateDirectories: true)
        try Self.copy(pki.appendingPathComponent("a1.fullchain.pem"), serve.appendingPathComponent("main.pem"))
        try Self.copy(pki.appendingPathComponent("a1.key"), serve.appendingPathComponent("main.key"))
        try Self.copy(pki.appendingPathComponent("b1.fullchain.pem"), serve.appendingPathComponent("other.pem"))
        try Self.copy(pki.appendingPathComponent("b1.key"), serve.appendingPathComponent("other.key"))
        try prepare?(directory)
        try Fixtures.copy("example.test.zone", into: directory)
        dnsPort = try LoopbackPort.free()
        dotPort = try LoopbackPort.free()
        dohPort = try LoopbackPort.free()
        httpPort = try LoopbackPort.free()
        let config = """
            listen: [udp://127.0.0.1:\(dnsPort), tcp://127.0.0.1:\(dnsPort), tls://127.0.0.1:\(dotPort), \
            https://127.0.0.1:\(dohPort)/dns-query, http://127.0.0.1:\(httpPort)/dns-query]
            control: {socket: control.sock}
            tls:
            \(tls ?? """
                  - {name: main, cert: serve/main.pem, key: serve/main.key}
                  - {name: other, cert: serve/other.pem, key: serve/other.key}
                """)
            \(settings)
            servers:
              - zones: [example.test.]
                plugins:
                  - zone: {file: example.test.zone}

            """
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        socket = directory.appendingPathComponent("control.sock").path
        stderrURL = directory.appendingPathComponent("dnsd.stderr")
        process = try PeerTool.launch(try PeerTool.require("setpriv"),
                                      ["--bounding-set=-dac_override,-dac_read_search", try DnsdProcess.binary(), "--config", configPath],
                                      log: stderrURL, in: directory)
        try waitUntilServing()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Makes the test certificates in `pki` with Fixtures/tls_make_certs.sh: `a1`, `a2`, `a3`
    /// (dns.test, dot.test), `b1` (other.test, *.wild.test), then `more` (NAME:CN:SANS:FROM:TO).
    static func makePKI(in pki: URL, _ more: [String] = []) throws {
        try FileManager.default.createDirectory(at: pki, withIntermediateDirectories: true)
        let made = try PeerTool.run("/bin/sh", [try Fixtures.path("tls_make_certs.sh"), pki.path,
            "a1:dns.test:DNS:dns.test,DNS:dot.test:now:+90", "a2:dns.test:DNS:dns.test,DNS:dot.test:now:+90",
            "a3:dns.test:DNS:dns.test,DNS:dot.test:now:+90", "b1:other.test:DNS:other.test,DNS:*.wild.test:now:+60"] + more, timeout: 120)
        guard made.status == 0 else { throw IntegrationError("making the test PKI failed\n\(made.transcript)") }
    }

    static func copy(_ from: URL, _ to: URL) throws {
        try? FileManager.default.removeItem(at: to)
        try FileManager.default.copyItem(at: from, to: to)
    }

    /// Puts `pki/NAME.fullchain.pem` (or `.crt` with `leafOnly`) and `pki/KEY.key` in place of
    /// the `main` certificate's files.
    func install(cert name: String, key: String? = nil, leafOnly: Bool = false) throws {
        let serve = directory.appendingPathComponent("serve")
        try Self.copy(pki.appendingPathComponent(leafOnly ? "\(name).crt" : "\(name).fullchain.pem"), serve.appendingPathComponent("main.pem"))
        try Self.copy(pki.appendingPathComponent("\(key ?? name).key"), serve.appendingPathComponent("main.key"))
    }

    func path(_ relative: String) -> String { directory.appendingPathComponent(relative).path }

    /// The serial of pki/NAME.crt as openssl prints it.
    func serial(of name: String) throws -> String { try Self.serial(of: name, in: pki) }

    static func serial(of name: String, in pki: URL) throws -> String {
        let result = try PeerTool.run(try PeerTool.require("openssl"), ["x509", "-noout", "-serial", "-in", pki.appendingPathComponent("\(name).crt").path])
        guard result.status == 0, let line = result.stdout.split(separator: "\n").first, line.hasPrefix("serial=") else {
            throw IntegrationError("openssl x509 -serial failed\n\(result.transcript)")
        }
        return String(line.dropFirst("serial=".count))
    }

    /// The serial `openssl s_client` is served on `port` with SNI `name` (nil: no SNI).
    func servedSerial(port: UInt16? = nil, sni: String?, alpn: String? = nil) throws -> String {
        do { return try Self.servedSerial(port: port ?? dotPort, sni: sni, alpn: alpn) } catch {
            throw IntegrationError("\(error)\n\(stderr)")
        }
    }

    static func servedSerial(port: UInt16, sni: String?, alpn: String? = nil) throws -> String {
        var client = "openssl s_client -connect 127.0.0.1:\(port)"
        client += sni.map { " -servername \($0)" } ?? " -noservername"
        if let alpn { client += " -alpn \(alpn)" }
        let result = try PeerTool.run("/bin/sh", ["-c", "\(client) </dev/null 2>/dev/null | openssl x509 -noout -serial"], timeout: 20)
        guard let line = result.stdout.split(separator: "\n").first(where: { $0.hasPrefix("serial=") }) else {
            throw IntegrationError("no certificate from \(client)\n\(result.transcript)")
        }
        return String(line.dropFirst("serial=".count))
    }

    func dnsctl(_ arguments: [String]) throws -> CommandResult {
        let binary = URL(fileURLWithPath: try DnsdProcess.binary()).deletingLastPathComponent().appendingPathComponent("dnsctl").path
        return try PeerTool.run(binary, ["--socket", socket] + arguments)
    }

    /// Resident memory of dnsd in KiB (/proc/PID/status VmRSS).
    func residentKiB() throws -> Int { try ProcessStatus.residentKiB(pid: pid) }

    /// Polls until `body` is true or `timeout` seconds pass.
    static func eventually(timeout: Double, _ body: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try body() { return true }
            usleep(200_000)
        }
        return try body()
    }

    private func waitUntilServing(timeout: Double = 15) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard process.isRunning else { throw IntegrationError("dnsd exited with status \(process.terminationStatus)\n\(stderr)") }
            if stderr.contains("dnsd ready") { return }
            usleep(100_000)
        }
        throw IntegrationError("dnsd did not start within \(timeout) s\n\(stderr)")
    }

    /// SIGTERM and wait; the exit status (0 expected). The scratch directory is removed after a clean exit.
    @discardableResult
    func stop() throws -> Int32 {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        guard PeerTool.waitForExit(process, timeout: 10) else {
            kill(process.processIdentifier, SIGKILL)
            throw IntegrationError("dnsd did not exit on SIGTERM\n\(stderr)")
        }
        let status = process.terminationStatus
        if status == 0 { try? FileManager.default.removeItem(at: directory) }
        return status
    }

    /// Starts a Fixtures/tls_client.py client in the background (mode hold or storm); returns
    /// the process, its stdout file and the stop file that ends it.
    func startClient(mode: String, sni: String) throws -> (Process, URL, URL) {
        let python = try PeerTool.requirePythonWithDNSPython()
        let output = directory.appendingPathComponent("client-\(mode)-\(UUID().uuidString).out")
        let stop = directory.appendingPathComponent("client-\(mode)-\(UUID().uuidString).stop")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        let client = Process()
        client.executableURL = URL(fileURLWithPath: python)
        client.arguments = [try Fixtures.path("tls_client.py"), mode, "127.0.0.1", "\(dotPort)", sni, stop.path]
        client.standardOutput = handle
        client.standardError = handle
        client.standardInput = FileHandle.nullDevice
        try client.run()
        return (client, output, stop)
    }

    /// Creates the stop file, waits for the client and returns its output.
    func finishClient(_ client: (Process, URL, URL)) throws -> String {
        _ = FileManager.default.createFile(atPath: client.2.path, contents: nil)
        guard PeerTool.waitForExit(client.0, timeout: 30) else {
            kill(client.0.processIdentifier, SIGKILL)
            throw IntegrationError("the TLS client did not finish")
        }
        return (try? String(contentsOf: client.1, encoding: .utf8)) ?? ""
    }
}
