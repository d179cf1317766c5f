import Foundation
import Testing

/// The packet cache in the real dnsd, seen by dig: a repeated question is answered without
/// reaching the cache plugin (its hit count says so), the answer is the plugin's own apart from
/// ID and TTL, and `cache.flush` and `zone.add` take effect at once.
@Suite("Packet cache in dnsd", .serialized)
struct PacketCacheIntegrationTests {
    /// The records of a dig answer without their TTLs.
    static func records(_ output: DigOutput) -> [String] {
        (output.answer + output.authority).map { "\($0.owner) \($0.recordClass) \($0.type) \($0.rdata)" }
    }

    static func hits(_ socket: String) throws -> String {
        let stats = try ControlPlaneTests.dnsctl(socket, ["--json", "cache.stats"])
        return stats.stdout
    }

    @Test func repeatedQuestionsAndFlushes() throws {
        try NSDProcess.with { nsd in
            let servers = """
              - zones: [example.test.]
                plugins:
                  - cache: {prefetch: false}
                  - forward: {to: [udp://127.0.0.1:\(nsd.port)], timeout: 1s}
            """
            try ForwardDnsd.with(servers: servers) { dnsd in
                let socket = dnsd.controlSocket
                let first = try Dig.query(port: dnsd.port, "www.example.test", "A")
                let second = try Dig.query(port: dnsd.port, "www.example.test", "A")
                let third = try Dig.query(port: dnsd.port, "www.example.test", "A")
                #expect(first.status == "NOERROR" && !first.answer.isEmpty, "\(first.raw)")
                // The first went upstream and was filed as the cache plugin stored it; the second
                // and third never reached the plugin (no plugin hit, two packet hits).
                let stats = try Self.hits(socket)
                #expect(stats.contains(#""hits":0"#) && stats.contains(#""hits":2"#), "\(stats)")
                #expect(!second.authoritative, "a cache is no authority: \(second.raw)")
                #expect(Self.records(third) == Self.records(second), "\(second.raw)\n\(third.raw)")
                #expect(third.status == second.status && third.flags == second.flags && third.ednsUDPSize == second.ednsUDPSize)
                #expect(zip(third.answer, second.answer).allSatisfy { $0.ttl <= $1.ttl })

                // cache.flush: the next query reaches the plugin again (a miss, then a new entry).
                #expect(try ControlPlaneTests.dnsctl(socket, ["cache.flush"]).status == 0)
                #expect(try ControlPlaneTests.dnsctl(socket, ["--json", "cache.lookup", "www.example.test."]).stdout == "[]\n")
                let afterFlush = try Dig.query(port: dnsd.port, "www.example.test", "A")
                #expect(Self.records(afterFlush) == Self.records(first))
                let lookup = try ControlPlaneTests.dnsctl(socket, ["--json", "cache.lookup", "www.example.test."])
                #expect(lookup.stdout.contains("www.example.test."), "served without going through the plugin: \(lookup.transcript)")
            }
        }
    }

    @Test func zoneEditsAreServedAtOnce() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-packet-zone")
        try Fixtures.copy("example.test.zone", into: directory)
        let servers = """
          - zones: [example.test.]
            plugins:
              - cache: {prefetch: false}
              - zone: {file: example.test.zone}
        """
        try ForwardDnsd.with(servers: servers, directory: directory) { dnsd in
            let socket = dnsd.controlSocket
            for _ in 0..<3 {
                let answer = try Dig.query(port: dnsd.port, "fresh.example.test", "A")
                #expect(answer.status == "NXDOMAIN", "\(answer.raw)")
            }
            let added = try ControlPlaneTests.dnsctl(socket, ["zone.add", "example.test.", "fresh 300 IN A 192.0.2.77"])
            #expect(added.status == 0, "\(added.transcript)")
            for _ in 0..<2 {
                let after = try Dig.query(port: dnsd.port, "fresh.example.test", "A")
                #expect(after.status == "NOERROR" && after.answer.map(\.rdata) == ["192.0.2.77"], "stale answer served:\n\(after.raw)")
            }
        }
    }
}
