import Foundation
import Testing
@testable import Daemon

/// ClientSocketWatch.swift in a real dnsd: a UDP worker's client socket is in its epoll set
/// only while relayed queries wait, as the kernel lists epoll sets in /proc/PID/fdinfo ("tfd:"
/// lines). Not after start-up, yes while a query waits on an upstream that never answers, and
/// out again once the worker has served `lingerBursts` bursts with nothing waiting.
@Suite("UDP worker epoll watch", .serialized)
struct ClientSocketWatchTests {
    /// dnsd's UDP sockets on `port` (one per worker), by descriptor: the inodes from
    /// /proc/PID/net/udp matched against the fd links.
    static func udpDescriptors(pid: Int32, port: UInt16) throws -> Set<Int> {
        let table = try procText("/proc/\(pid)/net/udp")
        let local = String(format: ":%04X", port)
        var inodes: Set<String> = []
        // Fields: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            if fields.count > 9, fields[1].hasSuffix(local) { inodes.insert("socket:[\(fields[9])]") }
        }
        let descriptors = try links(pid: pid).filter { inodes.contains($0.value) }.keys
        guard !descriptors.isEmpty else { throw IntegrationError("no UDP socket on port \(port) among dnsd's descriptors") }
        return Set(descriptors)
    }

    /// Every descriptor that one of dnsd's epoll sets watches.
    static func watched(pid: Int32) throws -> Set<Int> {
        var watched: Set<Int> = []
        for (fd, target) in try links(pid: pid) where target == "anon_inode:[eventpoll]" {
            guard let info = try? procText("/proc/\(pid)/fdinfo/\(fd)") else { continue }
            for line in info.split(separator: "\n") where line.hasPrefix("tfd:") {
                if let number = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) { watched.insert(number) }
            }
        }
        return watched
    }

    /// A /proc file read to its end. Not String(contentsOfFile:): for a file that reports size 0
    /// it returns only the first read, one page (about 30 sockets of /proc/net/udp), so under a
    /// full test run dnsd's socket was often missing from the table.
    static func procText(_ path: String) throws -> String {
        guard let file = FileHandle(forReadingAtPath: path) else { throw IntegrationError("cannot open \(path)") }
        defer { try? file.close() }
        return String(decoding: try file.readToEnd() ?? Data(), as: UTF8.self)
    }

    private static func links(pid: Int32) throws -> [Int: String] {
        let directory = "/proc/\(pid)/fd"
        var links: [Int: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            if let fd = Int(name), let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\(name)") {
                links[fd] = target
            }
        }
        return links
    }

    @Test("watched only while a relayed query waits, and no longer than lingerBursts bursts after")
    func watchedWhileRelayWaits() throws {
        let silent = try FaultyUpstream(mode: "drop")
        let servers = """
          - zones: [.]
            plugins:
              - cache: {serve_stale: 0, prefetch: false}
              - forward: {to: [\(silent.url())], timeout: 2s}
        """
        try ForwardDnsd.with(servers: servers) { dnsd in
            let pid = dnsd.process.processIdentifier
            let clients = try Self.udpDescriptors(pid: pid, port: dnsd.port)
            #expect(try Self.watched(pid: pid).isDisjoint(with: clients), "watched before any relayed query")

            // One client socket throughout: SO_REUSEPORT keeps its datagrams on one worker.
            let socket = try DNSSocket.udp(port: dnsd.port, timeout: 5)
            try socket.sendMessage(RawDNS.query(id: 1, name: "silent.example", type: RawDNS.typeA))
            var watchedWhileWaiting = false
            for _ in 0..<100 where !watchedWhileWaiting {
                let watched = try Self.watched(pid: pid)
                watchedWhileWaiting = !watched.isDisjoint(with: clients)
                if !watchedWhileWaiting { Thread.sleep(forTimeInterval: 0.01) }
            }
            #expect(watchedWhileWaiting, "the client socket never joined the epoll set while the query waited")
            let failed = try #require(socket.receiveMessage(), "no answer after the upstream timed out")
            #expect(failed[3] & 0x0F == 2, "SERVFAIL expected when the only upstream is silent")

            // Each answered query below is a burst of its own for that worker.
            for id in 0..<UInt16(ClientSocketWatch.lingerBursts + 16) {
                try socket.sendMessage(RawDNS.query(id: id, name: "ready.test", type: RawDNS.typeSOA))
                _ = try #require(socket.receiveMessage(), "ready.test SOA unanswered")
            }
            #expect(try Self.watched(pid: pid).isDisjoint(with: clients), "still watched after the linger")
            #expect(silent.queries.count >= 1, "the query never reached the upstream: \(silent.queries)")
        }
    }
}
