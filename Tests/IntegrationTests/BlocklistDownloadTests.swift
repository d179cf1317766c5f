import Foundation
import Testing

/// Lists with a `url`, downloaded from Python's http.server on loopback: the first download
/// starts blocking, a changed list is picked up at the next refresh, a failed download (404,
/// no server) keeps the list in force and says why, and a restart with the server gone serves
/// the copy kept on disk.
@Suite("Blocklist downloads", .serialized)
struct BlocklistDownloadTests {
    /// python3 -m http.server serving `directory` on a free loopback port.
    final class HTTPServer {
        let port: UInt16
        private let process: Process

        init(serving directory: URL) throws {
            port = try LoopbackPort.free()
            process = try PeerTool.launch(try PeerTool.requirePythonWithDNSPython(),
                                          ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", directory.path],
                                          log: directory.appendingPathComponent("http.log"))
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                if (try? DNSSocket.tcp(port: port, timeout: 0.2)) != nil { return }
                usleep(100_000)
            }
            stop()
            throw IntegrationError("python3 -m http.server did not listen on 127.0.0.1:\(port)")
        }

        deinit { stop() }

        func stop() {
            guard process.isRunning else { return }
            kill(process.processIdentifier, SIGTERM)
            _ = PeerTool.waitForExit(process, timeout: 5)
        }
    }

    /// Polls `name` until it gets `status` (10 s).
    static func eventually(_ port: UInt16, _ name: String, _ status: String) throws -> Bool {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if try BlocklistTests.dig(port, name).status == status { return true }
            usleep(200_000)
        }
        return false
    }

    static func feed(_ dnsd: DnsdProcess) throws -> [String: Any] {
        let lists = try BlocklistTests.ctl(dnsd, ["policy.lists"])
        return try #require((lists["lists"] as? [[String: Any]])?.first { $0["name"] as? String == "feed" }, "\(lists)")
    }

    @Test func downloadedListsRefreshAndSurviveFailures() throws {
        let upstream = try FaultyUpstream(mode: "answer")
        let served = try Fixtures.scratchDirectory("blocklist-http")
        let list = served.appendingPathComponent("feed.txt")
        try "0.0.0.0 first.example\n".write(to: list, atomically: true, encoding: .utf8)
        let server = try HTTPServer(serving: served)
        let directory = try Fixtures.scratchDirectory("dnsd-blocklist-download")
        let settings = """
            blocklists:
              lists:
                - {name: feed, url: "http://127.0.0.1:\(server.port)/feed.txt", file: feed-copy.txt, refresh: 1s}
            """
        let servers = BlocklistTests.servers(upstream)
        try ForwardDnsd.with(servers: servers, settings: settings, directory: directory) { dnsd in
            #expect(try Self.eventually(dnsd.port, "first.example.", "NXDOMAIN"), "the first download never blocked\n\(dnsd.stderr)")
            let copy = try String(contentsOf: directory.appendingPathComponent("feed-copy.txt"), encoding: .utf8)
            #expect(copy == "0.0.0.0 first.example\n")
            // The list changes upstream: the next refresh swaps it in.
            try "second.example\n".write(to: list, atomically: true, encoding: .utf8)
            #expect(try Self.eventually(dnsd.port, "second.example.", "NXDOMAIN"))
            #expect(try Self.eventually(dnsd.port, "first.example.", "NOERROR"))
            // A 404 keeps the list in force and says so.
            try FileManager.default.removeItem(at: list)
            Thread.sleep(forTimeInterval: 3)
            let failed = try Self.feed(dnsd)
            #expect((failed["last_error"] as? String ?? "").contains("404"), "\(failed)")
            #expect(failed["rules"] as? Int == 1 && failed["url"] as? String != nil, "\(failed)")
            #expect(try BlocklistTests.dig(dnsd.port, "second.example.").status == "NXDOMAIN")
            // No server at all: the same.
            server.stop()
            Thread.sleep(forTimeInterval: 2)
            #expect(try BlocklistTests.dig(dnsd.port, "second.example.").status == "NXDOMAIN")
            #expect(dnsd.stderr.contains("blocklist download failed"), "\(dnsd.stderr)")
        }
        // A restart with the server gone serves the copy kept on disk at once.
        try ForwardDnsd.with(servers: servers, settings: settings, directory: directory) { dnsd in
            let status = try BlocklistTests.dig(dnsd.port, "second.example.").status
            #expect(status == "NXDOMAIN")
        }
    }
}
