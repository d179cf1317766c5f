import Foundation
import Testing

/// Two server blocks forward to two different upstreams: the longest zone wins
/// (`corp.test.` -> A, `.` -> B), as an operator would split an internal domain.
@Suite("Split routing")
struct SplitRoutingTests {
    @Test("corp.test. goes to upstream A, everything else to upstream B")
    func twoZonesTwoUpstreams() throws {
        let corp = try FaultyUpstream(mode: "answer", address: "10.1.1.1")
        let world = try FaultyUpstream(mode: "answer", address: "10.2.2.2")
        let servers = """
          - zones: [corp.test.]
            plugins:
              - forward: {to: [\(corp.url())], timeout: 1s}
          - zones: [.]
            plugins:
              - forward: {to: [\(world.url("tcp"))], timeout: 1s}
        """
        try ForwardDnsd.with(servers: servers) { dnsd in
            for name in ["www.corp.test", "deep.name.in.corp.test", "corp.test"] {
                let answer = try Dig.query(port: dnsd.port, name, "A")
                #expect(answer.answers("A") == ["10.1.1.1"], "\(name):\n\(answer.raw)")
            }
            for name in ["www.example.org", "notcorp.test", "corp.test.example.net"] {
                let answer = try Dig.query(port: dnsd.port, name, "A")
                #expect(answer.answers("A") == ["10.2.2.2"], "\(name):\n\(answer.raw)")
            }
            #expect(Set(corp.queries) == ["udp www.corp.test.", "udp deep.name.in.corp.test.", "udp corp.test."], "\(corp.queries)")
            #expect(Set(world.queries) == ["tcp www.example.org.", "tcp notcorp.test.", "tcp corp.test.example.net."], "\(world.queries)")
        }
    }
}
