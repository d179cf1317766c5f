import Foundation
import Testing

/// Upstream UDP source ports and DNS 0x20 in the real dnsd (RFC 5452 §4 and §9.1, issue 23):
/// forwarded misses leave from ports spread across the ephemeral range on the UDP relay
/// (`[forward]`, `[cache, forward]`) and on the full path (a forward with `except`, which
/// needs the plugin chain); with `case_randomization` the relay
/// sends the name in random case, gives the client its own spelling back, and drops a reply
/// that does not echo the case sent. The upstream is the faulty-upstream fixture, which logs
/// every query's source port and spelling.
@Suite("Upstream source ports and 0x20", .serialized)
struct SourcePortTests {
    static let queries = 1000

    /// Server blocks for `ports.test.`, by path: `relay` and `relay-cache` are relayed by the
    /// UDP workers, `full-path` goes through the plugin chain and the event loops' sockets.
    static func block(_ shape: String, _ upstream: FaultyUpstream) -> String {
        let cache = shape == "relay" ? "" : "\n      - cache: {}"
        let except = shape == "full-path" ? ", except: [other.ports.test.]" : ""
        return """
              - zones: [ports.test.]
                plugins:\(cache)
                  - forward: {to: [\(upstream.url())], timeout: 2s\(except)}
            """
    }

    @Test("1,000 forwarded misses leave from more than 500 source ports", arguments: ["relay", "relay-cache", "full-path"])
    func distinctSourcePorts(shape: String) throws {
        let upstream = try FaultyUpstream(mode: "answer", address: "192.0.2.30")
        try ForwardDnsd.with(servers: Self.block(shape, upstream)) { dnsd in
            let relayed = dnsd.stderr.contains("udp_relay=ports.test.")
            #expect(relayed == (shape != "full-path"), "\(shape): the start-up line names the relayed zones:\n\(dnsd.stderr)")
            let socket = try DNSSocket.udp(port: dnsd.port, timeout: 2)
            var answered = 0
            for index in 0..<Self.queries {
                let id = UInt16(index)
                try socket.sendMessage(RawDNS.query(id: id, name: "n\(index).ports.test", type: RawDNS.typeA))
                if let reply = socket.receiveMessage(), let header = RawHeader(reply), header.id == id, header.ancount == 1 { answered += 1 }
            }
            let ports = upstream.udpSources.filter { $0.name.lowercased().hasSuffix(".ports.test.") }.map(\.port)
            let distinct = Set(ports)
            #expect(answered == Self.queries && ports.count == Self.queries, "\(shape): \(answered) answered, \(ports.count) reached the upstream")
            #expect(distinct.count > 500, "\(shape): \(ports.count) queries from \(distinct.count) ports")
            // Across the ephemeral range (32768-60999 by default), not a narrow band of it.
            if let low = distinct.min(), let high = distinct.max() {
                #expect(high - low > 10_000, "\(shape): ports \(low)...\(high)")
            }
            print("source ports, \(shape): \(ports.count) queries from \(distinct.count) ports, \(distinct.min() ?? 0)...\(distinct.max() ?? 0)")
        }
    }

    @Test("0x20 on the relay: mixed case upstream, the client's own spelling back, a reply in another case dropped")
    func caseRandomizationOnTheRelay() throws {
        // Each query first gets a forged reply with every letter's case flipped (6.6.6.6), then
        // the genuine one.
        let upstream = try FaultyUpstream(mode: "spoof-case", address: "192.0.2.20")
        let servers = """
              - zones: [case.test.]
                plugins:
                  - forward: {to: [\(upstream.url())], timeout: 2s, case_randomization: true}
            """
        try ForwardDnsd.with(servers: servers) { dnsd in
            #expect(dnsd.stderr.contains("udp_relay=case.test."), "a 0x20 block is relayed:\n\(dnsd.stderr)")
            let spellings = (0..<20).map { "WwW\($0).CaSe.TeSt." }
            for spelling in spellings {
                let answer = try Dig.query(port: dnsd.port, spelling, "A")
                #expect(answer.status == "NOERROR" && answer.answers("A") == ["192.0.2.20"], "the forged reply was taken:\n\(answer.raw)")
                #expect(answer.raw.contains(";\(spelling)\t"), "the question comes back as the client spelled it:\n\(answer.raw)")
                // (DigOutput lower-cases owners: read dig's own line.)
                #expect(answer.raw.contains("\n\(spelling)\t"), "the owner name comes back as the client spelled it:\n\(answer.raw)")
            }
            let sent = upstream.udpSources.map(\.name).filter { $0.lowercased().hasSuffix("case.test.") }
            #expect(sent.count == spellings.count, "\(sent)")
            // 10 letters a name: all-lowercase or the client's spelling by chance once in 1,024.
            let mixed = sent.filter { $0 != $0.lowercased() && $0 != $0.uppercased() && !spellings.contains($0) }
            #expect(mixed.count >= spellings.count - 2, "the names sent upstream: \(sent)")
            let listed = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["--json", "upstream.list"])
            let upstreams = try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]]
            let mismatched = upstreams?.first { ($0["name"] as? String) == upstream.url() }?["mismatched"] as? Int
            #expect(mismatched == spellings.count, "each forged reply is counted: \(listed.stdout)")
        }
    }
}
