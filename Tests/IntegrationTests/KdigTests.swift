import Testing

/// Knot's kdig as a second, independent client: several queries on one kept-open TCP
/// connection (+keepopen), answered in order (RFC 7766 section 6.2.1).
@Suite("kdig over a kept-open TCP connection")
struct KdigTests {
    /// One response block of kdig's default output.
    struct KdigResponse {
        var status: String
        var flags: Set<String>
        var records: [String]
    }

    /// Splits kdig output at each `->>HEADER<<-` line; kdig separates fields with semicolons.
    static func parse(_ text: String) -> [KdigResponse] {
        var responses: [KdigResponse] = []
        for line in text.split(separator: "\n").map(String.init) {
            if line.contains("->>HEADER<<-"), let range = line.range(of: "status: ") {
                let status = String(line[range.upperBound...].prefix { $0 != ";" && $0 != "," })
                responses.append(KdigResponse(status: status, flags: [], records: []))
            } else if line.hasPrefix(";; Flags:"), !responses.isEmpty {
                let flagText = line.dropFirst(";; Flags:".count).prefix { $0 != ";" }
                responses[responses.count - 1].flags = Set(flagText.split(separator: " ").map(String.init))
            } else if !line.hasPrefix(";"), !line.trimmingCharacters(in: .whitespaces).isEmpty, !responses.isEmpty {
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
                responses[responses.count - 1].records.append(fields.map(String.init).joined(separator: " "))
            }
        }
        return responses
    }

    @Test("three queries on one kept-open TCP connection")
    func keepOpen() throws {
        let kdig = try PeerTool.require("kdig")
        try DnsdProcess.with { dnsd in
            let result = try PeerTool.run(kdig, [
                "@127.0.0.1", "-p", String(dnsd.port), "+tcp", "+keepopen", "+timeout=3", "+retry=0",
                "www.example.test", "A", "nope.example.test", "A", "alias.example.test", "A",
            ])
            #expect(result.status == 0, "\(result.transcript)")
            let responses = Self.parse(result.stdout)
            try #require(responses.count == 3, "expected 3 responses\n\(result.transcript)")
            #expect(responses.map(\.status) == ["NOERROR", "NXDOMAIN", "NOERROR"], "\(result.stdout)")
            #expect(responses.allSatisfy { $0.flags.contains("aa") }, "\(result.stdout)")
            #expect(responses[0].records == ["www.example.test. 600 IN A 192.0.2.80"], "\(result.stdout)")
            #expect(responses[1].records.count == 1 && responses[1].records[0].hasPrefix("example.test. 300 IN SOA"), "\(result.stdout)")
            #expect(responses[2].records == [
                "alias.example.test. 3600 IN CNAME alias2.example.test.",
                "alias2.example.test. 120 IN CNAME www.example.test.",
                "www.example.test. 600 IN A 192.0.2.80",
            ], "\(result.stdout)")
        }
    }
}
