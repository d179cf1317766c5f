import Testing
@testable import DNSProto

@Suite("DNSName")
struct DNSNameTests {
    @Test func parsesAndPrintsAbsoluteNames() throws {
        let name = try DNSName("www.Example.COM.")
        #expect(name.labelCount == 3)
        #expect(name.description == "www.Example.COM.")
        #expect(name.wire == [3, 119, 119, 119, 7, 69, 120, 97, 109, 112, 108, 101, 3, 67, 79, 77, 0])
    }

    @Test func comparesAndHashesWithoutCaseButKeepsIt() throws {
        let upper = try DNSName("WWW.EXAMPLE.COM.")
        let lower = try DNSName("www.example.com.")
        #expect(upper == lower)
        #expect(Set([upper, lower]).count == 1)
        #expect(upper.description == "WWW.EXAMPLE.COM.")
    }

    @Test func relativeNamesNeedAnOrigin() throws {
        let origin = try DNSName("example.")
        #expect(try DNSName("www", origin: origin) == DNSName("www.example."))
        #expect(try DNSName("@", origin: origin) == origin)
        #expect(throws: DNSNameError.relativeWithoutOrigin("www")) { try DNSName("www") }
    }

    @Test func escapesRoundTrip() throws {
        let name = try DNSName("a\\.b.c\\032d.\\\\.example.")
        #expect(name.labelCount == 4)
        #expect(Array(name.labels[0]) == Array("a.b".utf8))
        #expect(Array(name.labels[1]) == Array("c d".utf8))
        #expect(name.description == "a\\.b.c\\032d.\\\\.example.")
        #expect(try DNSName(name.description) == name)
        #expect(throws: DNSNameError.self) { try DNSName("a\\25.example.") }
        #expect(throws: DNSNameError.self) { try DNSName("a\\256.example.") }
    }

    @Test func enforcesLengthLimits() throws {
        let label63 = String(repeating: "a", count: 63)
        #expect(throws: Never.self) { try DNSName("\(label63).") }
        #expect(throws: DNSNameError.labelTooLong) { try DNSName("\(label63)a.") }
        // 4 labels of 63 = 4*64 + 1 = 257 octets > 255.
        #expect(throws: DNSNameError.nameTooLong) { try DNSName([label63, label63, label63, label63].joined(separator: ".") + ".") }
        let fits = [label63, label63, label63, String(repeating: "b", count: 61)].joined(separator: ".") + "."
        #expect(try DNSName(fits).wire.count == 255)
        #expect(throws: DNSNameError.emptyLabel) { try DNSName("a..b.") }
    }

    @Test func subdomainChecksRespectLabelBoundaries() throws {
        let zone = try DNSName("example.com.")
        #expect(try DNSName("www.EXAMPLE.com.").isSubdomain(of: zone))
        #expect(zone.isSubdomain(of: zone))
        #expect(try !DNSName("wwwexample.com.").isSubdomain(of: zone))
        #expect(try DNSName("x.").isSubdomain(of: .root))
        #expect(try DNSName("a.b.example.com.").dropping(labels: 2) == zone)
        #expect(try DNSName("a.example.com.").relative(to: zone) == "a")
    }

    /// The example list of RFC 4034 §6.1, which is in canonical order.
    @Test func canonicalOrderMatchesRFC4034() throws {
        let ordered = ["example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.", "zABC.a.EXAMPLE.",
                       "z.example.", "\\001.z.example.", "*.z.example.", "\\200.z.example."]
        let names = try ordered.map { try DNSName($0) }
        #expect(names.shuffled().sorted() == names)
        for index in 1..<names.count { #expect(names[index - 1] < names[index]) }
    }
}
