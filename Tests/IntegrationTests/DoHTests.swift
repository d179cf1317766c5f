import Foundation
import Testing

/// DNS over HTTPS (RFC 8484) with curl (HTTP/2 and HTTP/1.1), kdig +https and dnspython
/// decoding the bodies; the JSON API; HTTP errors; plain HTTP for a reverse proxy.
@Suite("DNS over HTTPS", .serialized)
struct DoHTests {
    /// base64url (no padding) of a dnspython query for www.example.test. A, and a helper that
    /// decodes a DNS body file and prints rcode and answers.
    static func python(_ script: String) throws -> CommandResult {
        try PeerTool.run(try PeerTool.requirePythonWithDNSPython(), ["-c", script], timeout: 30)
    }

    static func makeQuery(_ file: String) throws {
        let result = try python("""
            import dns.message
            q = dns.message.make_query('www.example.test.', 'A'); q.id = 0
            open('\(file)', 'wb').write(q.to_wire())
            """)
        guard result.status == 0 else { throw IntegrationError(result.transcript) }
    }

    static func decode(_ file: String) throws -> String {
        try python("""
            import dns.message, dns.rcode
            m = dns.message.from_wire(open('\(file)', 'rb').read())
            print(dns.rcode.to_text(m.rcode()), ' '.join(str(rrset) for rrset in m.answer))
            """).stdout
    }

    @Test func curlGetAndPostOverHTTP2AndHTTP11() throws {
        let tls = try TLSHarness()
        defer { #expect((try? tls.stop()) == 0, "\(tls.stderr)") }
        let curl = try PeerTool.require("curl")
        let query = tls.path("query.bin")
        try Self.makeQuery(query)
        let encoded = try Data(contentsOf: URL(fileURLWithPath: query)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let url = "https://127.0.0.1:\(tls.dohPort)/dns-query"
        for version in ["--http2", "--http1.1"] {
            for post in [false, true] {
                let body = tls.path("answer-\(version)-\(post).bin")
                var arguments = ["-sk", version, "-o", body, "-D", "-", "-w", "version=%{http_version}\n"]
                arguments += post ? ["-H", "content-type: application/dns-message", "--data-binary", "@\(query)", url] : ["\(url)?dns=\(encoded)"]
                let result = try PeerTool.run(curl, arguments)
                #expect(result.status == 0 && result.stdout.contains(version == "--http2" ? "version=2" : "version=1.1"), "\(result.transcript)")
                #expect(result.stdout.lowercased().contains("content-type: application/dns-message"), "\(result.transcript)")
                #expect(result.stdout.lowercased().contains("cache-control: max-age=600"), "smallest TTL of the answer: \(result.transcript)")
                let decoded = try Self.decode(body)
                #expect(decoded.hasPrefix("NOERROR") && decoded.contains("192.0.2.80"), "\(version) post=\(post): \(decoded)")
            }
        }
        // Negative answer: max-age from the SOA in the authority section.
        let negative = try PeerTool.run(curl, ["-sk", "--http2", "-D", "-", "-o", "/dev/null",
                                               "https://127.0.0.1:\(tls.dohPort)/resolve?name=nothing.example.test&type=A"])
        #expect(negative.stdout.lowercased().contains("cache-control: max-age="), "\(negative.transcript)")
    }

    @Test func kdigOverHTTPS() throws {
        let tls = try TLSHarness()
        defer { #expect((try? tls.stop()) == 0, "\(tls.stderr)") }
        let kdig = try PeerTool.require("kdig")
        for method in [[], ["+https-get"]] {
            let result = try PeerTool.run(kdig, ["+https=/dns-query", "@127.0.0.1", "-p", "\(tls.dohPort)", "www.example.test.", "A", "+short", "+timeout=5"] + method)
            #expect(result.status == 0 && result.stdout.contains("192.0.2.80"), "\(result.transcript)")
        }
    }

    @Test func badRequestsGetClearHTTPErrors() throws {
        let tls = try TLSHarness()
        defer { #expect((try? tls.stop()) == 0, "\(tls.stderr)") }
        let curl = try PeerTool.require("curl")
        let base = "https://127.0.0.1:\(tls.dohPort)"
        let big = tls.path("big.bin")
        try Data(count: 70_000).write(to: URL(fileURLWithPath: big))
        let cases: [(String, [String], String)] = [
            ("400", ["\(base)/dns-query"], "missing the dns parameter"),
            ("400", ["\(base)/dns-query?dns=%%%"], "not base64url"),
            ("400", ["\(base)/dns-query?dns=AAAA"], "not a DNS query"),
            ("400", ["\(base)/resolve?type=A"], "missing the name parameter"),
            ("400", ["\(base)/resolve?name=example.test&type=BOGUS"], "unknown record type"),
            ("404", ["\(base)/elsewhere"], "no DNS service"),
            ("405", ["-X", "PUT", "\(base)/dns-query"], "GET and POST"),
            ("405", ["-X", "POST", "-H", "content-type: application/dns-message", "--data-binary", "x", "\(base)/resolve?name=x"], "GET only"),
            ("415", ["-H", "content-type: text/plain", "--data-binary", "abc", "\(base)/dns-query"], "application/dns-message"),
            ("413", ["-H", "content-type: application/dns-message", "--data-binary", "@\(big)", "\(base)/dns-query"], "over 65535"),
        ]
        for version in ["--http2", "--http1.1"] {
            for (status, arguments, reason) in cases {
                let result = try PeerTool.run(curl, ["-sk", version, "-w", "\nstatus=%{http_code}"] + arguments)
                #expect(result.stdout.contains("status=\(status)") && result.stdout.contains(reason), "\(version) \(arguments): \(result.transcript)")
            }
        }
        // The server is still fine afterwards.
        let ok = try PeerTool.run(curl, ["-sk", "\(base)/resolve?name=www.example.test&type=A"])
        #expect(ok.stdout.contains("192.0.2.80"), "\(ok.transcript)")
    }

    @Test func jsonAPIAndPlainHTTPBehindAProxy() throws {
        let tls = try TLSHarness()
        defer { #expect((try? tls.stop()) == 0, "\(tls.stderr)") }
        let curl = try PeerTool.require("curl")
        let json = try PeerTool.run(curl, ["-sk", "--http2", "-D", "-", "https://127.0.0.1:\(tls.dohPort)/resolve?name=www.example.test&type=AAAA"])
        #expect(json.stdout.lowercased().contains("content-type: application/dns-json"), "\(json.transcript)")
        let body = String(json.stdout.split(separator: "\r\n\r\n", maxSplits: 1).last ?? "")
        let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        #expect(object?["Status"] as? Int == 0, "\(body)")
        let answers = object?["Answer"] as? [[String: Any]] ?? []
        #expect(answers.first?["data"] as? String == "2001:db8::80" && answers.first?["type"] as? Int == 28, "\(body)")
        let nx = try PeerTool.run(curl, ["-sk", "https://127.0.0.1:\(tls.dohPort)/resolve?name=nothing.example.test&type=1"])
        #expect(nx.stdout.contains(#""Status":3"#) && nx.stdout.contains(#""Authority""#), "\(nx.transcript)")
        // Plain HTTP/1.1 (a reverse proxy terminates TLS).
        let plain = try PeerTool.run(curl, ["-s", "http://127.0.0.1:\(tls.httpPort)/resolve?name=www.example.test&type=A"])
        #expect(plain.stdout.contains("192.0.2.80"), "\(plain.transcript)")
        let kdig = try PeerTool.require("kdig")
        let dot = try PeerTool.run(kdig, ["+tls", "@127.0.0.1", "-p", "\(tls.dotPort)", "www.example.test.", "+short", "+timeout=5"])
        #expect(dot.stdout.contains("192.0.2.80"), "\(dot.transcript)")
    }
}
