import Foundation
import Testing

/// Response rate limiting against a real dnsd: a flood of identical queries from one source
/// is answered at the configured rate, every slip-th limited answer goes out truncated, and a
/// source in another network, an exempt network or a client with a valid server cookie are
/// not limited.
@Suite("Response rate limiting", .serialized)
struct ResponseRateLimitTests {
    struct Flood: Decodable {
        var sent = 0
        var answered = 0
        var truncated = 0
        var other = 0
    }

    static func flood(_ port: UInt16, from source: String, _ name: String, count: Int = 10_000, seconds: Double = 0.6,
                      cookie: Bool = false) throws -> Flood {
        let python = try PeerTool.requirePythonWithDNSPython()
        let script = try Fixtures.path("udp_flood.py")
        let result = try PeerTool.run(python, [script, String(port), source, name, String(count), String(seconds)] + (cookie ? ["cookie"] : []))
        guard result.status == 0, let data = result.stdout.data(using: .utf8) else { throw IntegrationError("udp_flood.py failed\n\(result.transcript)") }
        return try JSONDecoder().decode(Flood.self, from: data)
    }

    static func counter(_ socket: String, _ name: String) throws -> Int {
        let result = try ControlPlaneTests.dnsctl(socket, ["stats.get", name])
        guard let line = result.stdout.split(separator: "\n").first(where: { $0.hasPrefix("\(name) = ") }),
              let value = Int(line.split(separator: "=").last!.trimmingCharacters(in: .whitespaces)) else {
            throw IntegrationError("no \(name) in stats.get\n\(result.transcript)")
        }
        return value
    }

    static let settings = """
        rrl: {responses_per_second: 100, slip: 2, window: 5s, exempt: [127.0.2.0/24]}
        """

    static func servers(_ upstream: FaultyUpstream) -> String {
        """
          - zones: [flood.test.]
            plugins:
              - cache: {serve_stale: 0, prefetch: false}
              - forward: {to: [\(upstream.url())]}
          - zones: [zone.test.]
            plugins:
              - zone:
                  inline: |
                    @ 60 IN SOA ns hostmaster 1 60 60 60 60
                    @ 60 IN NS ns
                    ns 60 IN A 192.0.2.53
        """
    }

    @Test func aFloodIsAnsweredAtTheRateAndSlipsEverySecondLimitedAnswer() throws {
        let upstream = try FaultyUpstream(mode: "answer")
        try ForwardDnsd.with(servers: Self.servers(upstream), settings: Self.settings) { dnsd in
            // Fill the packet cache first, from a network the flood does not touch.
            #expect(try #require(try AccessControlTests.dig(dnsd.port, from: "127.0.9.1", "www.flood.test.")).status == "NOERROR")
            let flood = try Self.flood(dnsd.port, from: "127.0.0.2", "www.flood.test.")
            // 100/s with a second's burst; the flood lasts 0.6 s and every limited answer
            // pushes the account on, so about 100 full answers (±10%).
            #expect((90...110).contains(flood.answered), "\(flood)")
            let slipped = try Self.counter(dnsd.controlSocket, "rrl.slipped")
            let dropped = try Self.counter(dnsd.controlSocket, "rrl.dropped")
            #expect(slipped + dropped + flood.answered >= flood.sent * 9 / 10, "dnsd saw most of the flood: \(flood) \(slipped) \(dropped)")
            #expect(abs(slipped - dropped) <= 1, "slip 2: every second limited answer is truncated (\(slipped) vs \(dropped))")
            #expect(flood.truncated >= slipped * 9 / 10 && flood.truncated <= slipped, "\(flood) slipped \(slipped)")
            // The same /24 is limited; another network is not.
            let neighbour = try Self.flood(dnsd.port, from: "127.0.0.3", "www.flood.test.", count: 200, seconds: 0.2)
            #expect(neighbour.answered <= 5, "127.0.0.3 shares 127.0.0.0/24's account: \(neighbour)")
            let other = try Self.flood(dnsd.port, from: "127.0.1.5", "www.flood.test.", count: 80, seconds: 0.2)
            #expect(other.answered == 80, "\(other)")
            // The full path (an authoritative zone) is limited the same way.
            let zone = try Self.flood(dnsd.port, from: "127.0.4.2", "ns.zone.test.", count: 1000, seconds: 0.4)
            #expect((90...110).contains(zone.answered), "\(zone)")
            // rrl.list names the limited networks.
            let list = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["--json", "rrl.list"])
            #expect(list.stdout.contains(#""network":"127.0.0.0/24""#) && list.stdout.contains(#""network":"127.0.4.0/24""#), "\(list.transcript)")
            // dig and dnspython set different flags (AD), so each filled its own packet-cache entry.
            #expect(upstream.queries.count <= 2, "the flood was answered from the packet cache: \(upstream.queries.count) upstream queries")
        }
    }

    @Test func exemptNetworksAndCookieClientsAreNotLimited() throws {
        let upstream = try FaultyUpstream(mode: "answer")
        try ForwardDnsd.with(servers: Self.servers(upstream), settings: Self.settings) { dnsd in
            #expect(try #require(try AccessControlTests.dig(dnsd.port, from: "127.0.9.1", "www.flood.test.")).status == "NOERROR")
            let exempt = try Self.flood(dnsd.port, from: "127.0.2.2", "www.flood.test.", count: 2000, seconds: 0.5)
            #expect(exempt.answered >= exempt.sent * 95 / 100 && exempt.truncated == 0, "\(exempt)")
            let withCookie = try Self.flood(dnsd.port, from: "127.0.3.2", "www.flood.test.", count: 2000, seconds: 0.5, cookie: true)
            #expect(withCookie.answered >= withCookie.sent * 95 / 100 && withCookie.truncated == 0, "\(withCookie)")
            #expect(try Self.counter(dnsd.controlSocket, "rrl.slipped") == 0)
        }
    }
}
