import Foundation
import Testing

/// dnsd forwarding to Debian's NSD (serving Fixtures/example.test.zone) over plain UDP and
/// TCP: what dig gets from dnsd must be what NSD itself answers.
@Suite("Forward to NSD")
struct ForwardNSDTests {
    static let cases: [(name: String, type: String)] = [
        ("www.example.test", "A"), ("www.example.test", "AAAA"), ("example.test", "MX"),
        ("example.test", "TXT"), ("nothere.example.test", "A"), ("www.example.test", "MX"),
    ]

    @Test("answers match NSD's", arguments: ["udp", "tcp", "udp+0x20"])
    func matchesNSD(mode: String) throws {
        try NSDProcess.with { nsd in
            let scheme = mode.hasPrefix("tcp") ? "tcp" : "udp"
            let servers = """
              - zones: [example.test.]
                plugins:
                  - forward: {to: [\(scheme)://127.0.0.1:\(nsd.port)], timeout: 2s, case_randomization: \(mode.hasSuffix("0x20"))}
            """
            try ForwardDnsd.with(servers: servers) { dnsd in
                for (name, type) in Self.cases {
                    let direct = try Dig.query(port: nsd.port, name, type)
                    let forwarded = try Dig.query(port: dnsd.port, name, type)
                    #expect(forwarded.status == direct.status, "\(name) \(type):\n\(forwarded.raw)")
                    #expect(forwarded.answer == direct.answer, "\(name) \(type):\n\(forwarded.raw)\nNSD:\n\(direct.raw)")
                    #expect(forwarded.authority == direct.authority, "\(name) \(type):\n\(forwarded.raw)")
                    // dnsd is not authoritative for what it forwards, but passes the flag on as NSD set it.
                    #expect(forwarded.flags.contains("aa") == direct.flags.contains("aa"))
                }
                // The question comes back in the case the client asked, whatever went upstream.
                let mixed = try Dig.query(port: dnsd.port, "WwW.ExAmPle.TeSt", "A")
                #expect(mixed.raw.contains(";WwW.ExAmPle.TeSt."), "\(mixed.raw)")
                #expect(mixed.answers("A") == ["192.0.2.80"])
            }
        }
    }
}
