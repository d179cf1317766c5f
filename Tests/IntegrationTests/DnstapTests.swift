import Foundation
import Testing

/// dnstap end to end with the reference tools: fstrm-bin's `fstrm_capture` is the collector on
/// a Unix socket (the bidirectional Frame Streams handshake), BIND's `dnstap-read` decodes
/// what it wrote. dnsd forwards example.test. to NSD, logging client and forwarder messages
/// for that block only; the ready.test. probes (another block) must not appear.
@Suite("dnstap")
struct DnstapTests {
    static let questions: [(name: String, type: String, tcp: Bool)] = [
        ("www.example.test", "A", false), ("www.example.test", "AAAA", false), ("example.test", "MX", false),
        ("example.test", "TXT", true), ("nothere.example.test", "A", false),
    ]

    @Test("fstrm_capture gets CLIENT and FORWARDER messages; a stopped collector costs drops, not answers; a restarted one gets messages again")
    func collectorSeesQueries() throws {
        let reader = try PeerTool.require("dnstap-read")
        let directory = try Fixtures.scratchDirectory("dnsd-dnstap")
        let socket = directory.appendingPathComponent("tap.sock").path
        var collector = try Collector(socket: socket, output: directory.appendingPathComponent("first.fstrm"))
        defer { collector.stop() }
        try NSDProcess.with { nsd in
            let servers = """
              - zones: [example.test.]
                dnstap: {client: true, forwarder: true}
                plugins:
                  - cache: {}
                  - forward: {to: [udp://127.0.0.1:\(nsd.port)], timeout: 2s}
            """
            let settings = "dnstap: {sink: \"unix:\(socket)\", identity: tap-test, queue_size: 16}"
            try ForwardDnsd.with(servers: servers, settings: settings, directory: directory) { dnsd in
                let control = try ControlSocketClient(path: dnsd.controlSocket)
                #expect(try Self.waitFor(control) { $0["dnstap.connected"] == 1 }, "dnsd never connected to fstrm_capture\n\(dnsd.stderr)")
                for question in Self.questions {
                    let answer = try Dig.query(port: dnsd.port, question.name, question.type, question.tcp ? ["+tcp"] : [])
                    #expect(answer.status == (question.name.hasPrefix("nothere") ? "NXDOMAIN" : "NOERROR"), "\(answer.raw)")
                }
                // Asked again: a packet-cache hit on the UDP worker, logged as a client exchange with no upstream traffic.
                _ = try Dig.query(port: dnsd.port, "www.example.test", "A")
                // Two CLIENT messages per query; one FORWARDER_QUERY and one FORWARDER_RESPONSE per miss.
                #expect(try Self.waitFor(control) { $0["dnstap.sent"] ?? 0 >= 4 * Self.questions.count + 2 }, "\(dnsd.stderr)")
                let first = try Self.decode(collector.stop(), reader: reader)
                let queries = first.filter { $0.contains(" CQ ") }
                let responses = first.filter { $0.contains(" CR ") }
                #expect(queries.count == Self.questions.count + 1, "\(first.joined(separator: "\n"))")
                #expect(responses.count == Self.questions.count + 1, "\(first.joined(separator: "\n"))")
                #expect(queries.filter { $0.hasSuffix(" www.example.test/IN/A") }.count == 2)
                #expect(first.filter { $0.contains(" FQ ") && $0.hasSuffix(" www.example.test/IN/A") }.count == 1, "the hit went upstream")
                for question in Self.questions {
                    let wanted = "\(question.name)/IN/\(question.type)"
                    #expect(queries.contains { $0.hasSuffix(" " + wanted) }, "no CQ for \(wanted):\n\(first.joined(separator: "\n"))")
                    #expect(responses.contains { $0.hasSuffix(" " + wanted) }, "no CR for \(wanted)")
                    #expect(first.contains { $0.contains(" FQ ") && $0.hasSuffix(" " + wanted) }, "no FQ for \(wanted)")
                    #expect(first.contains { $0.contains(" FR ") && $0.hasSuffix(" " + wanted) }, "no FR for \(wanted)")
                }
                #expect(first.contains { $0.contains(" TCP ") && $0.contains(" CQ ") }, "the +tcp query is not marked TCP")
                #expect(!first.contains { $0.contains("ready.test") }, "a block without dnstap: was logged")

                // No collector: answering goes on, the queue (16) fills, the rest is dropped and counted.
                for index in 0..<30 {
                    let answer = try Dig.query(port: dnsd.port, "www.example.test", index.isMultiple(of: 2) ? "A" : "AAAA")
                    #expect(answer.status == "NOERROR")
                }
                #expect(try Self.waitFor(control) { $0["dnstap.dropped"] ?? 0 > 0 }, "no drops counted with the collector gone")

                // A collector back on the same socket is found again (backoff at most 4 s).
                collector = try Collector(socket: socket, output: directory.appendingPathComponent("second.fstrm"))
                #expect(try Self.waitFor(control, timeout: 15) { $0["dnstap.connected"] == 1 }, "no reconnect\n\(dnsd.stderr)")
                // What waited in the queue goes first; then one new query, written when sent grows by two.
                Thread.sleep(forTimeInterval: 0.5)
                let before = try Self.stats(control)["dnstap.sent"] ?? 0
                _ = try Dig.query(port: dnsd.port, "example.test", "SOA")
                #expect(try Self.waitFor(control) { $0["dnstap.sent"] ?? 0 >= before + 2 }, "\(dnsd.stderr)")
                let second = try Self.decode(collector.stop(), reader: reader)
                #expect(second.contains { $0.contains(" CQ ") && $0.hasSuffix(" example.test/IN/SOA") },
                        "the restarted collector did not get the new query:\n\(second.joined(separator: "\n"))")
            }
        }
    }

    @Test("the other sinks: a TCP collector, and a file dnstap-read reads once dnsd has stopped", arguments: ["tcp", "file"])
    func otherSinks(kind: String) throws {
        let reader = try PeerTool.require("dnstap-read")
        let directory = try Fixtures.scratchDirectory("dnsd-dnstap-\(kind)")
        let output = directory.appendingPathComponent("\(kind).fstrm")
        var collector: Collector?
        let sink: String
        if kind == "tcp" {
            let port = try LoopbackPort.free()
            collector = try Collector(tcpPort: port, output: output)
            sink = "tcp:127.0.0.1:\(port)"
        } else {
            sink = "file:\(output.path)"
        }
        defer { collector?.stop() }
        let servers = """
          - zones: [example.]
            dnstap: {client: true}
            plugins:
              - zone:
                  inline: |
                    @ 60 IN SOA ns.example. hostmaster.example. 1 60 60 60 60
                    www 60 IN A 192.0.2.1
        """
        try ForwardDnsd.with(servers: servers, settings: "dnstap: {sink: \"\(sink)\"}", directory: directory) { dnsd in
            let control = try ControlSocketClient(path: dnsd.controlSocket)
            _ = try Dig.query(port: dnsd.port, "www.example", "A")
            _ = try Dig.query(port: dnsd.port, "www.example", "A", ["+tcp"])
            #expect(try Self.waitFor(control) { $0["dnstap.sent"] == 4 }, "\(dnsd.stderr)")
        }
        // dnsd has stopped: its STOP ended the stream (for a file, the file is complete now).
        collector?.stop()
        let lines = try Self.decode(output, reader: reader)
        #expect(lines.filter { $0.contains(" CQ ") && $0.hasSuffix(" www.example/IN/A") }.count == 2, "\(lines)")
        #expect(lines.filter { $0.contains(" CR ") && $0.hasSuffix(" www.example/IN/A") }.count == 2, "\(lines)")
    }

    /// dnstap-read's one line per message.
    static func decode(_ file: URL, reader: String) throws -> [String] {
        let result = try PeerTool.run(reader, [file.path])
        #expect(result.status == 0, "dnstap-read: \(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    static func stats(_ control: ControlSocketClient) throws -> [String: Int] {
        let reply = try control.call(#"{"jsonrpc":"2.0","method":"stats.get","params":{"prefix":"dnstap."},"id":1}"#)
        return (reply["result"] as? [String: Any] ?? [:]).compactMapValues { $0 as? Int }
    }

    /// Polls stats.get until `condition` holds; false after `timeout` seconds.
    static func waitFor(_ control: ControlSocketClient, timeout: Double = 10, _ condition: ([String: Int]) -> Bool) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(try stats(control)) { return true }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return false
    }

    /// fstrm_capture reading dnstap from a Unix socket or a TCP port into a file.
    struct Collector {
        let process: Process
        let output: URL

        init(socket: String, output: URL) throws {
            unlink(socket)
            try self.init(listen: ["-u", socket], output: output)
            let deadline = Date().addingTimeInterval(5)
            while !FileManager.default.fileExists(atPath: socket), Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        }

        init(tcpPort: UInt16, output: URL) throws {
            try self.init(listen: ["-a", "127.0.0.1", "-p", "\(tcpPort)"], output: output)
            // Listening once it says it opened its output file (it binds first).
            let deadline = Date().addingTimeInterval(5)
            let log = output.appendingPathExtension("log")
            while Date() < deadline, !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("opened output file") {
                Thread.sleep(forTimeInterval: 0.05)
            }
        }

        private init(listen: [String], output: URL) throws {
            let capture = try PeerTool.require("fstrm_capture")
            self.output = output
            // The test runner's threads block SIGINT and SIGTERM, and a spawned child inherits
            // that mask: fstrm_capture would never see the signal that makes it close its file.
            // Python unblocks them before it execs the collector.
            let unblock = "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])"
            process = try PeerTool.launch("/usr/bin/python3", ["-c", unblock, capture, "-t", "protobuf:dnstap.Dnstap"] + listen
                                            + ["-w", output.path],
                                          log: output.appendingPathExtension("log"))
        }

        /// Stops it (SIGINT: it closes its file cleanly) and returns the file it wrote.
        @discardableResult
        func stop() -> URL {
            if process.isRunning {
                kill(process.processIdentifier, SIGINT)
                if !PeerTool.waitForExit(process, timeout: 5) { kill(process.processIdentifier, SIGKILL) }
            }
            return output
        }
    }
}
