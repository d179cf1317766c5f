import Foundation
import Testing

/// Per-client limits against a real dnsd: a client holding all its waiting slots against a
/// black-holed upstream is refused above them, on the relay and on the full path, while
/// another client still resolves; and the per-second query limit.
@Suite("Client limits", .serialized)
struct ClientLimitTests {
    static func servers(dead: FaultyUpstream, live: FaultyUpstream) -> String {
        """
          - zones: [dead.test.]
            plugins:
              - forward: {to: [\(dead.url())], timeout: 5s}
          - zones: [deadfull.test.]
            plugins:
              - cache: {}
              - forward: {to: [\(dead.url())], timeout: 5s}
          - zones: [live.test.]
            plugins:
              - forward: {to: [\(live.url())]}
        """
    }

    /// Sends `count` queries for distinct names under `zone` from `source` without waiting,
    /// then reads for `seconds`: how many answers came, by rcode.
    static func burst(_ port: UInt16, from source: String, zone: String, count: Int, seconds: Double) throws -> [UInt16: Int] {
        let socket = try DNSSocket.udp(port: port, timeout: 0.2, source: source)
        for index in 0..<count {
            try socket.sendRaw(RawDNS.query(id: UInt16(index), name: "n\(index).\(zone)", type: RawDNS.typeA))
        }
        var rcodes: [UInt16: Int] = [:]
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            guard let reply = socket.receiveMessage(), reply.count >= 4 else { continue }
            rcodes[UInt16(reply[3] & 0x0F), default: 0] += 1
        }
        return rcodes
    }

    @Test func aClientOverItsWaitingLimitIsRefusedWhileAnotherResolves() throws {
        let dead = try FaultyUpstream(mode: "drop")
        let live = try FaultyUpstream(mode: "answer")
        let settings = "limits: {waiting_per_client: 5, action: refuse, exempt: []}"
        try ForwardDnsd.with(servers: Self.servers(dead: dead, live: live), settings: settings) { dnsd in
            // Relay path: 5 wait on the dead upstream, the other 15 are refused at once.
            let relayed = try Self.burst(dnsd.port, from: "127.0.0.2", zone: "dead.test.", count: 20, seconds: 1)
            #expect(relayed[RawRcode.refused] == 15, "\(relayed)")
            // Full path, from another client: the same.
            let full = try Self.burst(dnsd.port, from: "127.0.0.4", zone: "deadfull.test.", count: 20, seconds: 1)
            #expect(full[RawRcode.refused] == 15, "\(full)")
            // Meanwhile a third client resolves.
            let other = try #require(try AccessControlTests.dig(dnsd.port, from: "127.0.0.3", "www.live.test."))
            #expect(other.status == "NOERROR" && other.answer.count == 1, "\(other.raw)")
            // The first client still holds its slots until its queries time out.
            let stillFull = try #require(try AccessControlTests.dig(dnsd.port, from: "127.0.0.2", "www.live.test."))
            #expect(stillFull.status == "REFUSED", "\(stillFull.raw)")
            let waiting = try ResponseRateLimitTests.counter(dnsd.controlSocket, "limits.waiting")
            #expect(waiting == 31, "\(waiting)")
        }
    }

    @Test func theQueryRateLimitDropsTheExcess() throws {
        let dead = try FaultyUpstream(mode: "drop")
        let live = try FaultyUpstream(mode: "answer")
        let settings = "limits: {queries_per_second: 50, exempt: []}\nrrl: {responses_per_second: 0}"
        try ForwardDnsd.with(servers: Self.servers(dead: dead, live: live), settings: settings) { dnsd in
            #expect(try #require(try AccessControlTests.dig(dnsd.port, from: "127.0.0.9", "warm.live.test.")).status == "NOERROR")
            let flood = try ResponseRateLimitTests.flood(dnsd.port, from: "127.0.0.2", "warm.live.test.", count: 1000, seconds: 0.3)
            #expect((45...60).contains(flood.answered) && flood.truncated == 0, "\(flood)")
            let other = try ResponseRateLimitTests.flood(dnsd.port, from: "127.0.0.3", "warm.live.test.", count: 40, seconds: 0.2)
            #expect(other.answered == 40, "\(other)")
        }
    }
}
