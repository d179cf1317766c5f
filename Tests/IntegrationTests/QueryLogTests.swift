import Foundation
import Testing

/// The query log end to end: dnsd on loopback with `query_log:`, queries from dig (and a raw
/// UDP burst), and the file's JSON lines read back. Every line count is checked against
/// `stats.get`'s `queries.total`, which includes the readiness probes dnsd answered first.
@Suite("query log")
struct QueryLogTests {
    @Test("each answer is one line with its fields: a forwarded miss, its packet-cache hit, TCP, NXDOMAIN, a blocked name")
    func linesMatchQueries() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-querylog")
        try "ads.example.test\n".write(to: directory.appendingPathComponent("ads.txt"), atomically: true, encoding: .utf8)
        let settings = """
            query_log: {file: queries.jsonl}
            blocklists:
              lists: [{name: ads, file: ads.txt}]
            """
        try NSDProcess.with { nsd in
            let servers = """
              - zones: [example.test.]
                plugins:
                  - cache: {}
                  - forward: {to: [udp://127.0.0.1:\(nsd.port)], timeout: 2s}
            """
            try ForwardDnsd.with(servers: servers, settings: settings, directory: directory) { dnsd in
                let control = try ControlSocketClient(path: dnsd.controlSocket)
                let base = try Self.settled(control)
                let asked: [(name: String, type: String, options: [String], rcode: String, transport: String, source: String)] = [
                    ("www.example.test", "A", [], "NOERROR", "udp", "upstream:"),
                    ("www.example.test", "A", [], "NOERROR", "udp", "cache"),
                    ("example.test", "MX", ["+tcp"], "NOERROR", "tcp", "upstream:"),
                    ("nothere.example.test", "A", [], "NXDOMAIN", "udp", "upstream:"),
                    ("ads.example.test", "A", [], "NXDOMAIN", "udp", "policy:ads"),
                ]
                for question in asked { _ = try Dig.query(port: dnsd.port, question.name, question.type, question.options) }
                let caughtUp = try Self.waitFor(control) { $0["query_log.written"] == base + asked.count }
                let counters = try Self.stats(control)
                #expect(caughtUp, "\(counters)")
                let path = directory.appendingPathComponent("queries.jsonl").path
                let lines = try Self.lines(path)
                #expect(lines.count == base + asked.count)
                let now = Date().timeIntervalSince1970
                for (line, question) in zip(lines.suffix(asked.count), asked) {
                    #expect(line["name"] as? String == question.name + ".", "\(line)")
                    #expect(line["type"] as? String == question.type)
                    #expect(line["rcode"] as? String == question.rcode, "\(line)")
                    #expect(line["transport"] as? String == question.transport)
                    #expect((line["source"] as? String ?? "").hasPrefix(question.source), "\(line)")
                    #expect(line["client"] as? String == "127.0.0.1")
                    #expect((line["size"] as? Int ?? 0) > 12)
                    #expect(line["latency_us"] is Int && line["tc"] as? Bool == false && line["do"] as? Bool == false)
                    #expect(abs((line["time"] as? Double ?? 0) - now) < 60, "\(line)")
                }
                let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
                #expect(mode == 0o640)
            }
        }
    }

    @Test("rotation by size: no line lost while the files fit in keep; never more than keep rotated files, each at most max_size")
    func rotationBySize() throws {
        try DnsdProcess.with(settings: "query_log: {file: q.jsonl, max_size: 4KiB, keep: 3}\n") { dnsd in
            let control = try ControlSocketClient(path: dnsd.controlSocket)
            let path = dnsd.directory.appendingPathComponent("q.jsonl").path
            try Self.ask(port: dnsd.port, count: 40)
            let total = try Self.settled(control)
            #expect(total >= 40)
            let files = [path, path + ".1", path + ".2", path + ".3"].filter { FileManager.default.fileExists(atPath: $0) }
            #expect(files.count >= 2, "40 lines of ~190 bytes did not rotate a 4KiB file")
            #expect(try files.map { try Self.lines($0).count }.reduce(0, +) == total, "lines lost in rotation")
            try Self.ask(port: dnsd.port, count: 150)
            _ = try Self.settled(control)
            #expect(FileManager.default.fileExists(atPath: path + ".3"))
            #expect(!FileManager.default.fileExists(atPath: path + ".4"), "more than keep: 3 rotated files")
            for file in [path, path + ".1", path + ".2", path + ".3"] {
                let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int ?? 0
                #expect(size <= 4096, "\(file) is \(size) bytes")
            }
        }
    }

    @Test("log.reopen after an external mv (as logrotate does): the moved file and the new one hold every line")
    func reopenAfterMove() throws {
        try DnsdProcess.with(settings: "query_log: {file: q.jsonl}\n") { dnsd in
            let control = try ControlSocketClient(path: dnsd.controlSocket)
            let path = dnsd.directory.appendingPathComponent("q.jsonl").path
            try Self.ask(port: dnsd.port, count: 10)
            _ = try Self.settled(control)
            try FileManager.default.moveItem(atPath: path, toPath: path + ".rotated")
            // Still written to the moved file (the open descriptor) until the reopen.
            try Self.ask(port: dnsd.port, count: 10)
            let reply = try control.call(#"{"jsonrpc":"2.0","method":"log.reopen","id":2}"#)
            #expect((reply["result"] as? [String: Any])?["reopened"] as? Bool == true, "\(reply)")
            try Self.ask(port: dnsd.port, count: 10)
            let total = try Self.settled(control)
            let moved = try Self.lines(path + ".rotated").count
            let fresh = try Self.lines(path).count
            #expect(moved + fresh == total, "moved \(moved) + new \(fresh) != \(total)")
            #expect(fresh >= 10)
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o640)
        }
    }

    @Test("sample: 10 logs one answer in ten")
    func sampling() throws {
        try DnsdProcess.with(settings: "query_log: {file: q.jsonl, sample: 10}\n") { dnsd in
            let control = try ControlSocketClient(path: dnsd.controlSocket)
            try Self.ask(port: dnsd.port, count: 200)
            Thread.sleep(forTimeInterval: 0.3)
            let stats = try Self.stats(control)
            let total = stats["queries.total"] ?? 0
            let lines = try Self.lines(dnsd.directory.appendingPathComponent("q.jsonl").path).count
            #expect(abs(lines - total / 10) <= 1, "\(lines) lines for \(total) queries")
            #expect(stats["query_log.dropped"] == 0)
        }
    }

    @Test("a full queue (queue_size: 1) under a UDP burst: drops counted, every answer sent, written + dropped = queries")
    func fullQueueDrops() throws {
        try DnsdProcess.with(settings: "query_log: {file: q.jsonl, queue_size: 1}\n") { dnsd in
            let control = try ControlSocketClient(path: dnsd.controlSocket)
            // Some of the burst may overflow the socket's buffer before dnsd reads it; what it reads, it answers.
            let answered = try Self.burst(port: dnsd.port, count: 2000)
            #expect(answered >= 100, "only \(answered) of 2000 answered")
            #expect(try Dig.query(port: dnsd.port, "www.example.test", "A").status == "NOERROR")
            let total = try Self.settled(control, accountingDrops: true)
            let stats = try Self.stats(control)
            #expect((stats["query_log.dropped"] ?? 0) > 0, "\(stats)")
            #expect((stats["query_log.written"] ?? 0) + (stats["query_log.dropped"] ?? 0) == total)
            #expect(try Self.lines(dnsd.directory.appendingPathComponent("q.jsonl").path).count == stats["query_log.written"])
        }
    }

    // MARK: - Helpers

    /// `count` queries in one dig run (www/mail/ns1 in turn, A), each answered before the next.
    static func ask(port: UInt16, count: Int) throws {
        let dig = try PeerTool.require("dig")
        let names = ["www.example.test", "mail.example.test", "ns1.example.test"]
        var arguments = ["@127.0.0.1", "-p", String(port), "+time=3", "+tries=1", "+short"]
        for index in 0..<count { arguments += [names[index % names.count], "A"] }
        let result = try PeerTool.run(dig, arguments, timeout: 60)
        guard result.status == 0 else { throw IntegrationError("dig failed\n\(result.transcript)") }
    }

    /// Sends `count` UDP queries for www.example.test. A as fast as a socket takes them, then
    /// counts the answers that came back within two seconds.
    static func burst(port: UInt16, count: Int) throws -> Int {
        let script = """
            import socket, struct, sys, time
            port, count = int(sys.argv[1]), int(sys.argv[2])
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            qname = b"".join(bytes([len(p)]) + p for p in b"www.example.test".split(b".")) + b"\\0"
            for i in range(count):
                s.sendto(struct.pack(">HHHHHH", i, 0x0100, 1, 0, 0, 0) + qname + struct.pack(">HH", 1, 1), ("127.0.0.1", port))
            s.settimeout(2)
            seen = set()
            try:
                while len(seen) < count:
                    data = s.recv(4096)
                    seen.add(struct.unpack(">H", data[:2])[0])
            except socket.timeout:
                pass
            print(len(seen))
            """
        let result = try PeerTool.run("/usr/bin/python3", ["-c", script, String(port), String(count)], timeout: 60)
        guard result.status == 0, let answered = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw IntegrationError("the burst failed\n\(result.transcript)")
        }
        return answered
    }

    /// Waits until every query dnsd counted is in the log (or, with `accountingDrops`, written
    /// or dropped) and returns that count.
    static func settled(_ control: ControlSocketClient, accountingDrops: Bool = false) throws -> Int {
        var total = 0
        let done = try waitFor(control) { stats in
            total = stats["queries.total"] ?? -1
            return (stats["query_log.written"] ?? 0) + (accountingDrops ? stats["query_log.dropped"] ?? 0 : 0) == total
        }
        guard done else { throw IntegrationError("the query log never caught up: \(try stats(control))") }
        return total
    }

    static func stats(_ control: ControlSocketClient) throws -> [String: Int] {
        let reply = try control.call(#"{"jsonrpc":"2.0","method":"stats.get","id":1}"#)
        return (reply["result"] as? [String: Any] ?? [:]).compactMapValues { $0 as? Int }
    }

    static func waitFor(_ control: ControlSocketClient, timeout: Double = 10, _ condition: ([String: Int]) -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(try stats(control)) { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    /// The file's lines, each parsed as a JSON object (a line that is not one fails the test).
    static func lines(_ path: String) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw IntegrationError("not a JSON object: \(line)")
            }
            return object
        }
    }
}
