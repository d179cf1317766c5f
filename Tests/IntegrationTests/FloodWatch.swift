import Foundation

/// What a flood does to a running dnsd, sampled every 0.2 s while the flood's process runs: the
/// highest reading of an in-flight gauge of stats.get, dnsd's peak RSS and open files, and how a
/// name already in the cache (`www.cached.test`, asked from 127.0.0.3) is answered meanwhile.
struct FloodWatch {
    var baselineRSS = 0, peakRSS = 0, baselineFiles = 0, peakFiles = 0
    var mostInFlight = 0
    /// The cached name: its slowest answer (seconds), and how many times it got none.
    var slowest = 0.0, unanswered = 0

    /// Call before the flood starts, once the cached name has been asked.
    init(_ dnsd: DnsdProcess) throws {
        baselineRSS = try ProcessStatus.residentKiB(pid: dnsd.process.processIdentifier)
        baselineFiles = try ProcessStatus.openFiles(pid: dnsd.process.processIdentifier)
        peakRSS = baselineRSS
        peakFiles = baselineFiles
    }

    /// Samples until `flood` exits.
    mutating func watch(_ flood: Process, dnsd: DnsdProcess, control: ControlSocketClient, gauge: String) throws {
        let pid = dnsd.process.processIdentifier
        var id: UInt16 = 100
        while flood.isRunning {
            mostInFlight = max(mostInFlight, try control.stats(gauge)[gauge] ?? 0)
            peakRSS = max(peakRSS, try ProcessStatus.residentKiB(pid: pid))
            peakFiles = max(peakFiles, try ProcessStatus.openFiles(pid: pid))
            id &+= 1
            if let seconds = try Self.cachedAnswer(dnsd, id: id) { slowest = max(slowest, seconds) } else { unanswered += 1 }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    /// How long www.cached.test A took to be answered with one record, or nil when it was not.
    static func cachedAnswer(_ dnsd: DnsdProcess, id: UInt16) throws -> Double? {
        let socket = try DNSSocket.udp(port: dnsd.port, timeout: 2, source: "127.0.0.3")
        let started = Date()
        try socket.sendMessage(RawDNS.query(id: id, name: "www.cached.test", type: RawDNS.typeA))
        guard let reply = socket.receiveMessage(), let header = RawHeader(reply), header.id == id, header.ancount == 1 else { return nil }
        return Date().timeIntervalSince(started)
    }

    /// Fixtures/unique_flood.py from 127.0.0.2 in the background (`same`: every query asks
    /// `name` itself); its JSON result goes to `output`.
    static func flood(_ dnsd: DnsdProcess, name: String, count: Int, seconds: Int, wait: Int,
                      same: Bool = false) throws -> (process: Process, output: URL) {
        let output = dnsd.directory.appendingPathComponent("flood-\(UUID().uuidString).json")
        let arguments = [try Fixtures.path("unique_flood.py"), "\(dnsd.port)", "127.0.0.2", name, "\(count)", "\(seconds)", "\(wait)"]
        return (try PeerTool.launch(try PeerTool.requirePythonWithDNSPython(), arguments + (same ? ["--same"] : []), log: output), output)
    }

    /// The flood's counts once it has finished (`over` flattened to `over:CAP` keys).
    static func counts(of flood: (process: Process, output: URL)) throws -> [String: Int] {
        guard PeerTool.waitForExit(flood.process, timeout: 60) else {
            kill(flood.process.processIdentifier, SIGKILL)
            throw IntegrationError("the flood did not finish")
        }
        let text = (try? String(contentsOf: flood.output, encoding: .utf8)) ?? ""
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            throw IntegrationError("the flood printed no result: \(text)")
        }
        var counts = object.compactMapValues { $0 as? Int }
        for (cap, count) in object["over"] as? [String: Int] ?? [:] { counts["over:\(cap)"] = count }
        return counts
    }

    var summary: String {
        "RSS \(baselineRSS) -> \(peakRSS) KiB; files \(baselineFiles) -> \(peakFiles); cached name slowest \(slowest) s, unanswered \(unanswered)"
    }
}
