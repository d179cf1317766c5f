import Foundation
import Testing

/// RFC 7766 §6.2: the TCP listener caps its connections and closes idle ones.
@Suite("TCP connection limits", .serialized)
struct TCPLimitsTests {
    static func start(tcp: String) throws -> DnsdProcess {
        let directory = try Fixtures.scratchDirectory("dnsd-tcp")
        try Fixtures.copy("example.test.zone", into: directory)
        let port = try LoopbackPort.free()
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        try (DnsdProcess.configText(port: port) + "tcp: \(tcp)\n").write(toFile: configPath, atomically: true, encoding: .utf8)
        let dnsd = try DnsdProcess(arguments: ["--config", configPath], directory: directory, configPath: configPath, port: port)
        try dnsd.waitUntilAnswering()
        return dnsd
    }

    static func answers(_ socket: DNSSocket, id: UInt16) throws -> Bool {
        try socket.sendMessage(RawDNS.query(id: id, name: "www.example.test", type: RawDNS.typeA))
        guard let reply = socket.receiveMessage(), let header = RawHeader(reply) else { return false }
        return header.id == id
    }

    @Test func connectionsOverTheCapAreClosedAndSlotsComeBack() throws {
        let dnsd = try Self.start(tcp: "{max_connections: 2, idle_timeout: 30s}")
        defer { #expect((try? dnsd.stop()) == 0) }
        let first = try DNSSocket.tcp(port: dnsd.port)
        let second = try DNSSocket.tcp(port: dnsd.port)
        #expect(try Self.answers(first, id: 1))
        #expect(try Self.answers(second, id: 2))
        let third = try DNSSocket.tcp(port: dnsd.port, timeout: 3)
        #expect(third.peerClosed(), "a third connection over max_connections 2 must be closed")
        // Closing one gives its slot back (the release happens when dnsd sees the close).
        first.shutdownBoth()
        var reopened = false
        for attempt in 0..<20 where !reopened {
            let socket = try DNSSocket.tcp(port: dnsd.port, timeout: 1)
            reopened = (try? Self.answers(socket, id: UInt16(10 + attempt))) ?? false
            if !reopened { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(reopened)
        #expect(try Self.answers(second, id: 3), "the connection holding a slot keeps working")
    }

    @Test func idleConnectionsAreClosed() throws {
        let dnsd = try Self.start(tcp: "{idle_timeout: 1s}")
        defer { #expect((try? dnsd.stop()) == 0) }
        let busy = try DNSSocket.tcp(port: dnsd.port, timeout: 10)
        // The idle clock starts when dnsd reads the query, which is after this moment however
        // slowly a loaded machine answers; timing from the answer instead made the bound flaky.
        let sent = Date()
        #expect(try Self.answers(busy, id: 7))
        #expect(busy.peerClosed(), "dnsd must close a connection idle for longer than idle_timeout")
        let waited = Date().timeIntervalSince(sent)
        #expect(waited >= 0.9, "closed \(waited) s after the query: too early for a 1 s idle timeout")
    }
}
