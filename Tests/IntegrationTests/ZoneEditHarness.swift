import Foundation

/// A dnsd serving a copy of Fixtures/example.test.zone from a file it may edit, with a chosen
/// compaction threshold, and helpers to call dnsctl, dig and the control socket against it.
/// Restartable on the same files (for the crash test).
final class ZoneEditHarness {
    let directory: URL
    let port: UInt16
    let configPath: String
    var zonePath: String { directory.appendingPathComponent("example.test.zone").path }
    var socketPath: String { directory.appendingPathComponent("control.sock").path }
    private(set) var dnsd: DnsdProcess?

    /// `zoneSettings`: more keys of the zone plugin (`, key: value` each); `topLevel`: more
    /// top-level configuration lines.
    init(compact: Int, zoneSettings: String = "", topLevel: String = "") throws {
        directory = try Fixtures.scratchDirectory("dnsd-zoneedit")
        try Fixtures.copy("example.test.zone", into: directory)
        port = try LoopbackPort.free()
        configPath = directory.appendingPathComponent("dnsd.yaml").path
        try """
        listen: [udp://127.0.0.1:\(port), tcp://127.0.0.1:\(port)]
        control: {socket: control.sock}
        \(topLevel)
        servers:
          - zones: [example.test.]
            plugins:
              - zone: {file: example.test.zone, compact: \(compact)\(zoneSettings)}

        """.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func start() throws {
        let process = try DnsdProcess(arguments: ["--config", configPath], directory: directory, configPath: configPath, port: port)
        dnsd = process
        try process.waitUntilAnswering()
    }

    /// SIGTERM, expecting exit 0.
    func stop() throws -> Int32 {
        defer { dnsd = nil }
        return try dnsd?.stop() ?? 0
    }

    /// SIGKILL: no chance to flush or clean up anything.
    func kill9() {
        guard let process = dnsd?.process else { return }
        kill(process.processIdentifier, SIGKILL)
        _ = PeerTool.waitForExit(process, timeout: 10)
        dnsd = nil
    }

    var stderr: String { dnsd?.stderr ?? "" }

    func dnsctl(_ arguments: [String]) throws -> CommandResult {
        let binary = URL(fileURLWithPath: try DnsdProcess.binary()).deletingLastPathComponent().appendingPathComponent("dnsctl").path
        return try PeerTool.run(binary, ["--socket", socketPath] + arguments, timeout: 30)
    }

    /// `dig +short` answers for NAME TYPE.
    func dig(_ name: String, _ type: String = "A") throws -> [String] {
        let result = try PeerTool.run(try PeerTool.require("dig"), ["+short", "+tries=1", "+time=2", "@127.0.0.1", "-p", "\(port)", name, type], timeout: 15)
        return result.stdout.split(separator: "\n").map(String.init)
    }

    /// The SOA serial as dig sees it.
    func serial() throws -> UInt32? {
        try dig("example.test.", "SOA").first.flatMap { $0.split(separator: " ").dropFirst(2).first }.flatMap { UInt32($0) }
    }

    /// A JSON-RPC request line.
    static func request(_ id: Int, _ method: String, _ params: [Any]) -> String {
        let object: [String: Any] = ["jsonrpc": "2.0", "id": id, "method": method, "params": params]
        return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }
}
