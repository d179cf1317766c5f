import Testing
@testable import DNSProto

/// DNSProto's location type; `SourceLocation` alone is ambiguous beside Testing's.
private typealias Location = DNSProto.SourceLocation

private struct FileNotFound: Error, CustomStringConvertible {
    var description: String { "no such file" }
}

private func name(_ text: String) throws -> DNSName { try DNSName(text) }

private func ipv4(_ text: String) throws -> RData { .a(try #require(IPv4Address(text))) }

private func record(_ owner: String, _ ttl: UInt32, _ rdata: RData, type: RecordType? = nil) throws -> ResourceRecord {
    ResourceRecord(name: try name(owner), type: try #require(type ?? rdata.type), ttl: ttl, rdata: rdata)
}

/// Parses `text` as zone `origin` from file `file`.
private func parse(
    _ text: String,
    file: String = "t.zone",
    origin: String = "example.com.",
    defaultTTL: UInt32? = nil,
    include: ((String) throws -> String)? = nil
) throws -> ZoneFile {
    try ZoneFileParser.parse(text: text, file: file, origin: try name(origin), defaultTTL: defaultTTL, include: include)
}

/// Asserts that parsing `text` (as `file`) fails with exactly `message` at `line`:`column` of
/// `errorFile` (by default `file` itself).
private func expectError(
    _ text: String,
    _ message: String,
    line: Int,
    column: Int,
    file: String = "t.zone",
    errorFile: String? = nil,
    origin: String = "example.com.",
    include: ((String) throws -> String)? = nil,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) {
    do {
        let zone = try parse(text, file: file, origin: origin, include: include)
        Issue.record("parsed \(zone.records.count) records, expected: \(message)", sourceLocation: sourceLocation)
    } catch let error as PresentationError {
        #expect(error == PresentationError(message, at: Location(file: errorFile ?? file, line: line, column: column)), sourceLocation: sourceLocation)
    } catch {
        Issue.record("not a PresentationError: \(error)", sourceLocation: sourceLocation)
    }
}

/// The error parsing `text` throws, for checks on messages owned by the RDATA parsers.
private func parseError(_ text: String, file: String = "t.zone") -> PresentationError? {
    do { _ = try parse(text, file: file) } catch let error as PresentationError { return error } catch { return nil }
    return nil
}

/// `→` stands for a tab so that the test zones stay readable.
private func tabs(_ text: String) -> String { String(text.map { $0 == "→" ? "\t" : $0 }) }

@Suite("Zone files")
struct ZoneFileTests {
    static let realistic = tabs(##"""
    ; example.com, as an operator would write it
    $ORIGIN example.com.
    $TTL 1h
    @→IN→SOA→ns1 hostmaster.example.com. (  ; primary, contact
    →→2024010101 ; serial
    →→2h         ; refresh
    →→30m        ; retry
    →→2w         ; expire
    →→300 )      ; negative caching TTL (RFC 2308)
    →IN→NS→ns1
    →IN→NS→ns2.example.net.
    →IN→MX→10 mail
    @→300→IN→A→192.0.2.1
    →IN→AAAA→2001:db8::1
    →TXT→"v=spf1 mx -all" "say \"hi\"; not a comment" semi\;colon caf\195\169
    mail→IN→A→192.0.2.2 ; mail server
    ns1→A→192.0.2.3
    www→CNAME→@
    *.wild→IN 600→A→192.0.2.4
    sub→IN→NS→ns.sub        ; delegation
    ns.sub→IN→A→192.0.2.5     ; glue
    _sip._tcp  3600 IN SRV 10 60 5060 sip
    @ CAA 0 issue "letsencrypt.org"
    opaque TYPE65280 \# 4 0A000001
    blob TXT \# 6 05 68656C6C6F
    """##)

    static func realisticRecords() throws -> [ResourceRecord] {
        let soa = SOA(mname: try name("ns1.example.com."), rname: try name("hostmaster.example.com."),
                      serial: 2024010101, refresh: 7200, retry: 1800, expire: 1_209_600, minimum: 300)
        let txt = try TXT(strings: [Array("v=spf1 mx -all".utf8), Array(#"say "hi"; not a comment"#.utf8),
                                    Array("semi;colon".utf8), Array("caf".utf8) + [0xC3, 0xA9]])
        return [
            try record("example.com.", 3600, .soa(soa)),
            try record("example.com.", 3600, .ns(try name("ns1.example.com."))),
            try record("example.com.", 3600, .ns(try name("ns2.example.net."))),
            try record("example.com.", 3600, .mx(MX(preference: 10, exchange: try name("mail.example.com.")))),
            try record("example.com.", 300, try ipv4("192.0.2.1")),
            try record("example.com.", 3600, .aaaa(try #require(IPv6Address("2001:db8::1")))),
            try record("example.com.", 3600, .txt(txt)),
            try record("mail.example.com.", 3600, try ipv4("192.0.2.2")),
            try record("ns1.example.com.", 3600, try ipv4("192.0.2.3")),
            try record("www.example.com.", 3600, .cname(try name("example.com."))),
            try record("*.wild.example.com.", 600, try ipv4("192.0.2.4")),
            try record("sub.example.com.", 3600, .ns(try name("ns.sub.example.com."))),
            try record("ns.sub.example.com.", 3600, try ipv4("192.0.2.5")),
            try record("_sip._tcp.example.com.", 3600, .srv(SRV(priority: 10, weight: 60, port: 5060, target: try name("sip.example.com.")))),
            try record("example.com.", 3600, .caa(try CAA(flags: 0, tag: "issue", value: Array("letsencrypt.org".utf8)))),
            try record("opaque.example.com.", 3600, .unknown([0x0A, 0, 0, 1]), type: RecordType(rawValue: 65280)),
            try record("blob.example.com.", 3600, .txt(try TXT(strings: [Array("hello".utf8)]))),
        ]
    }

    // MARK: - A whole zone

    @Test func realisticZoneParsesToTheExpectedRecords() throws {
        let zone = try parse(Self.realistic, file: "zones/example.com.zone")
        let expected = try Self.realisticRecords()
        #expect(zone.origin == (try name("example.com.")))
        #expect(zone.records.count == expected.count)
        for (got, want) in zip(zone.records, expected) { #expect(got == want) }
        #expect(zone.records.allSatisfy { $0.recordClass == .in })
        #expect(zone.records[10].name.isWildcard)
    }

    @Test func realisticZoneRecordsWhereEachRecordStarts() throws {
        let zone = try parse(Self.realistic, file: "zones/example.com.zone")
        let starts = zone.locations.map { [$0.line, $0.column] }
        #expect(starts == [[4, 1], [10, 2], [11, 2], [12, 2], [13, 1], [14, 2], [15, 2], [16, 1], [17, 1],
                           [18, 1], [19, 1], [20, 1], [21, 1], [22, 1], [23, 1], [24, 1], [25, 1]])
        #expect(zone.locations.allSatisfy { $0.file == "zones/example.com.zone" })
        #expect(zone.location(ofRecordAt: 3) == Location(file: "zones/example.com.zone", line: 12, column: 2))
        #expect(zone.location(ofRecordAt: 17) == nil)
    }

    @Test func crlfTabsAndAMissingFinalNewline() throws {
        let zone = try parse("$ORIGIN example.com.\r\n$TTL 60\r\n\r\nwww\tIN\tA\t192.0.2.1\r\n\tAAAA\t::1")
        #expect(zone.records == [
            try record("www.example.com.", 60, try ipv4("192.0.2.1")),
            try record("www.example.com.", 60, .aaaa(try #require(IPv6Address("::1")))),
        ])
        #expect(zone.locations.map(\.line) == [4, 5])
        #expect(zone.locations.map(\.column) == [1, 2])
    }

    @Test func emptyAndCommentOnlyFilesHaveNoRecords() throws {
        #expect(try parse("").records.isEmpty)
        #expect(try parse("; nothing here\n\n   \n").records.isEmpty)
    }

    // MARK: - Directives

    @Test func originIsRelativeToTheCurrentOrigin() throws {
        let zone = try parse("""
            $TTL 60
            $ORIGIN sub
            www A 192.0.2.1
            $origin example.com.
            @ A 192.0.2.2
            $ORIGIN deep.sub.example.com. ; absolute
            x A 192.0.2.3
            y CNAME z
            """)
        #expect(zone.records.map(\.name) == [
            try name("www.sub.example.com."), try name("example.com."),
            try name("x.deep.sub.example.com."), try name("y.deep.sub.example.com."),
        ])
        // Relative names inside RDATA follow $ORIGIN too.
        #expect(zone.records.last?.rdata == .cname(try name("z.deep.sub.example.com.")))
    }

    @Test func ttlDirectiveTakesUnits() throws {
        let zone = try parse("$TTL 1h30m\na A 192.0.2.1\n$TTL 2D\nb A 192.0.2.2\n$TTL 1w\nc A 192.0.2.3\n$TTL 0\nd A 192.0.2.4")
        #expect(zone.records.map(\.ttl) == [5400, 172_800, 604_800, 0])
    }

    @Test func includeIsResolvedBesideTheIncludingFileAndRestoresOriginAndOwner() throws {
        let files = ["zones/hosts.zone": "$ORIGIN other.example.com.\nhost A 192.0.2.10\n  AAAA ::1\n"]
        var requested: [String] = []
        let zone = try parse(
            "$TTL 60\nbefore A 192.0.2.1\n$INCLUDE hosts.zone ; the hosts\n  A 192.0.2.2\nafter A 192.0.2.3\n",
            file: "zones/main.zone"
        ) { path in
            requested.append(path)
            guard let text = files[path] else { throw FileNotFound() }
            return text
        }
        #expect(requested == ["zones/hosts.zone"])
        #expect(zone.records.map(\.name) == [
            try name("before.example.com."), try name("host.other.example.com."), try name("host.other.example.com."),
            try name("before.example.com."), try name("after.example.com."),
        ])
        #expect(zone.locations == [
            Location(file: "zones/main.zone", line: 2, column: 1),
            Location(file: "zones/hosts.zone", line: 2, column: 1),
            Location(file: "zones/hosts.zone", line: 3, column: 3),
            Location(file: "zones/main.zone", line: 4, column: 3),
            Location(file: "zones/main.zone", line: 5, column: 1),
        ])
    }

    @Test func includeWithAnOriginArgumentAndAnAbsolutePath() throws {
        let files = [
            "zones/sub.zone": "@ A 192.0.2.7\nwww A 192.0.2.8\n",
            "/etc/dnsd/common.zone": "common TXT \"shared\"\n",
        ]
        let zone = try parse(
            "$TTL 60\n$INCLUDE sub.zone sub\nx A 192.0.2.9\n$INCLUDE \"/etc/dnsd/common.zone\"\n",
            file: "zones/main.zone"
        ) { path in
            guard let text = files[path] else { throw FileNotFound() }
            return text
        }
        #expect(zone.records.map(\.name) == [
            try name("sub.example.com."), try name("www.sub.example.com."), try name("x.example.com."),
            try name("common.example.com."),
        ])
        #expect(zone.locations.map(\.file) == ["zones/sub.zone", "zones/sub.zone", "zones/main.zone", "/etc/dnsd/common.zone"])
    }

    @Test func includeSharesTTLState() throws {
        // $TTL is not scoped like $ORIGIN: BIND carries it out of an included file too.
        let zone = try parse("$INCLUDE ttl.zone\nb A 192.0.2.2\n", file: "main.zone") { path in
            guard path == "ttl.zone" else { throw FileNotFound() }
            return "$TTL 120\na A 192.0.2.1\n"
        }
        #expect(zone.records.map(\.ttl) == [120, 120])
    }

    @Test func includeLoopsAreDetected() {
        let files = ["zones/a.zone": "$INCLUDE b.zone\n", "zones/b.zone": "x A 192.0.2.1\n$INCLUDE ./a.zone\n"]
        let load: (String) throws -> String = { path in
            guard let text = files[path] else { throw FileNotFound() }
            return text
        }
        // Starting from a.zone the loop is found in b.zone, and the error points there.
        expectError("$TTL 1\n$INCLUDE b.zone\n", "$INCLUDE loop: 'zones/./a.zone' is already being read",
                    line: 2, column: 10, file: "zones/a.zone", errorFile: "zones/b.zone", include: load)
        expectError("$INCLUDE self.zone\n", "$INCLUDE loop: 'zones/self.zone' is already being read",
                    line: 1, column: 10, file: "zones/self.zone", include: load)
    }

    /// A chain `zones/f0` includes `f1`, ... up to `f<last>`, which holds a record.
    private func chain(last: Int) -> (String) throws -> String {
        { path in
            guard path.hasPrefix("zones/f"), let number = Int(path.dropFirst("zones/f".count)) else { throw FileNotFound() }
            return number < last ? "$INCLUDE f\(number + 1)\n" : "deep A 192.0.2.1\n"
        }
    }

    @Test func includeDepthIsLimitedToSixteen() throws {
        let zone = try parse("$TTL 1\n$INCLUDE f1\n", file: "zones/f0", include: chain(last: 16))
        #expect(zone.locations == [Location(file: "zones/f16", line: 1, column: 1)])
        expectError("$TTL 1\n$INCLUDE f1\n", "$INCLUDE depth over 16", line: 1, column: 1, file: "zones/f0",
                    errorFile: "zones/f16", include: chain(last: 17))
    }

    @Test func unreadableIncludeIsAnErrorAtTheIncludeLine() {
        expectError("$TTL 1\n$INCLUDE  missing.zone\n", "cannot read $INCLUDE file 'zones/missing.zone': no such file",
                    line: 2, column: 11, file: "zones/main.zone", include: { _ in throw FileNotFound() })
        expectError("$INCLUDE x.zone\n", "$INCLUDE is not allowed here", line: 1, column: 1)
        expectError("$INCLUDE\n", "expected a file name after $INCLUDE", line: 1, column: 9, include: { _ in "" })
        expectError("$INCLUDE a b c\n", "unexpected 'c' after $INCLUDE", line: 1, column: 14, include: { _ in "" })
    }

    @Test func directiveErrors() {
        expectError("; fine\n$FOO bar\n", "unknown directive $FOO", line: 2, column: 1)
        expectError("a 1 A 192.0.2.1\n  $GENERATE 1-2 x A 192.0.2.$\n", "unknown directive $GENERATE", line: 2, column: 3)
        expectError("$TTL\n", "expected a TTL after $TTL", line: 1, column: 5)
        expectError("$TTL 1h30\n", "expected a TTL (seconds up to 2147483647, or units like 1h30m), found '1h30'", line: 1, column: 6)
        expectError("$TTL 60 120\n", "unexpected '120' after $TTL", line: 1, column: 9)
        expectError("$ORIGIN ; none\n", "expected a domain name after $ORIGIN", line: 1, column: 8)
        expectError("$ORIGIN a..b\n", "bad origin 'a..b': empty label in name", line: 1, column: 9)
    }

    // MARK: - Owner, TTL and class omission

    @Test func ownerOmittedRepeatsThePreviousOwner() throws {
        let zone = try parse("$TTL 5\nwww A 192.0.2.1\n\tAAAA ::1\n$ORIGIN other.example.com.\n  TXT x\nWWW.Other A 192.0.2.2\n ( TXT y )")
        #expect(zone.records.map(\.name.description) == [
            "www.example.com.", "www.example.com.", "www.example.com.", "WWW.Other.other.example.com.",
            "WWW.Other.other.example.com.",
        ])
    }

    @Test func ttlAndClassInEitherOrderOrOmitted() throws {
        let zone = try parse("""
            a 100 IN A 192.0.2.1
            b IN A 192.0.2.2
            c IN 200 A 192.0.2.3
            d A 192.0.2.4
            e CLASS1 2m A 192.0.2.5
            $TTL 300
            f A 192.0.2.6
            g 50 A 192.0.2.7
            h A 192.0.2.8
            """)
        // Without $TTL an omitted TTL repeats the last explicit one (RFC 1035 §5.1); once
        // $TTL is set it wins (RFC 2308 §4).
        #expect(zone.records.map(\.ttl) == [100, 100, 200, 200, 120, 300, 50, 300])
        #expect(zone.records.allSatisfy { $0.recordClass == .in && $0.type == .a })
    }

    @Test func defaultTTLActsAsAnInitialTTLDirective() throws {
        let zone = try parse("a A 192.0.2.1\nb 9 A 192.0.2.2\nc A 192.0.2.3\n$TTL 8\nd A 192.0.2.4", defaultTTL: 77)
        #expect(zone.records.map(\.ttl) == [77, 9, 77, 8])
    }

    @Test func classDefaultsToTheFirstRecordsClass() throws {
        let zone = try parse("$TTL 1\nversion CH TXT \"dnsd\"\n  TXT second\nother TXT third\n", origin: ".")
        #expect(zone.records.map(\.recordClass) == [.chaos, .chaos, .chaos])
        expectError("$TTL 1\nversion CH TXT a\nother IN TXT b\n", "class IN differs from the zone's class CH",
                    line: 3, column: 7, origin: ".")
        expectError("$TTL 1\na A 192.0.2.1\nb 60 CH TXT x\n", "class CH differs from the zone's class IN", line: 3, column: 6)
        expectError("$TTL 1\nwww ANY A 192.0.2.1\n", "class ANY is for queries and updates, not zone data", line: 2, column: 5)
        expectError("$TTL 1\nwww 60 NONE A 192.0.2.1\n", "class NONE is for queries and updates, not zone data", line: 2, column: 8)
    }

    @Test func ownerOmittedWithoutAPreviousOwnerIsAnError() {
        expectError("$TTL 1\n  A 192.0.2.1\n", "no owner name: the line starts with a blank but no record comes before it",
                    line: 2, column: 3)
    }

    @Test func noTTLAnywhereIsAnError() {
        expectError("; a comment\n\nwww IN A 192.0.2.1\n", "no TTL for record and no $TTL", line: 3, column: 1)
    }

    // MARK: - Errors with their exact place

    @Test func rdataErrorsPointAtTheField() throws {
        let lines = Array(repeating: "; filler", count: 11) + ["www 3600 IN A   1.2.3"]
        let error = try #require(parseError(lines.joined(separator: "\n"), file: "zones/a.zone"))
        #expect(error.location == Location(file: "zones/a.zone", line: 12, column: 17))
        #expect(error.message.contains("IPv4 address"))
        #expect(error.message.contains("'1.2.3'"))
        #expect(error.description.hasPrefix("zones/a.zone:12:17: expected"))

        let missing = try #require(parseError("$TTL 1\nwww IN A ; nothing\n"))
        #expect(missing.location == Location(file: "t.zone", line: 2, column: 9))
        #expect(missing.message.contains("IPv4 address"))

        let badName = try #require(parseError("$TTL 1\nwww CNAME a..b\n"))
        #expect(badName.location == Location(file: "t.zone", line: 2, column: 11))

        expectError("$TTL 1\nwww A 192.0.2.1 extra\n", "unexpected 'extra' after the RDATA", line: 2, column: 17)
        expectError("$TTL 1\nx TYPE65280 \\# 3 0A00\n", "\\# says 3 octets but the hex holds 2", line: 2, column: 16)
    }

    @Test func recordErrors() {
        expectError("$TTL 1\nwww IN AAA ::1\n", "unknown type 'AAA'", line: 2, column: 8)
        expectError("$TTL 1\nwww 300 IN\n", "expected a record type", line: 2, column: 11)
        expectError("$TTL 1\nwww 99999999999 A 192.0.2.1\n",
                    "expected a TTL (seconds up to 2147483647, or units like 1h30m), found '99999999999'", line: 2, column: 5)
        expectError("$TTL 1\nwww \"A\" 192.0.2.1\n", "unknown type 'A'", line: 2, column: 5)
        expectError("$TTL 1\na..b A 192.0.2.1\n", "bad owner name 'a..b': empty label in name", line: 2, column: 1)
        expectError("$TTL 1\nwww IN ANY 1\n", "type ANY is a query-only type and cannot be zone data", line: 2, column: 8)
        expectError("$TTL 1\nwww AXFR\n", "type AXFR is a query-only type and cannot be zone data", line: 2, column: 5)
        expectError("$TTL 1\nwww 60 OPT \\# 0\n", "type OPT is a query-only type and cannot be zone data", line: 2, column: 8)
    }

    @Test func ownersOutsideTheZoneAreRefused() {
        expectError("$TTL 1\nx.other. A 192.0.2.1\n", "owner 'x.other.' is outside zone 'example.'", line: 2, column: 1, origin: "example.")
        expectError("$TTL 1\n$ORIGIN other.\nx A 192.0.2.1\n", "owner 'x.other.' is outside zone 'example.'", line: 3, column: 1, origin: "example.")
        expectError("$TTL 1\n$ORIGIN com.\n\n  ; indented comment\nx A 192.0.2.1\n", "owner 'x.com.' is outside zone 'example.'", line: 5, column: 1, origin: "example.")
    }

    @Test func lexicalErrorsCarryTheirLines() {
        expectError("$TTL 1\nwww TXT \"abc\n", "unterminated quoted string", line: 2, column: 9)
        expectError("$TTL 1\na A 192.0.2.1\nb A 192.0.2.2 )\n", "unbalanced ')'", line: 3, column: 15)
        expectError("$TTL 1\na A 192.0.2.1\nb A 192.0.2.2\n@ SOA ns1 host ( 1 2 3\n 4 5\n",
                    "unterminated '(' opened at line 4", line: 4, column: 16)
        expectError("$TTL 1\n@ SOA ns1 host ( 1 2 ( 3 ) 4 5 )\n", "nested '(' inside the '(' opened at line 2:16", line: 2, column: 22)
    }

    // MARK: - Printing

    @Test func printThenParseGivesTheSameRecords() throws {
        let zone = try parse(Self.realistic)
        let text = ZoneFilePrinter.print(zone.records, origin: zone.origin)
        let again = try parse(text, file: "printed.zone")
        #expect(again.records.count == zone.records.count)
        #expect(Set(again.records) == Set(zone.records))
    }

    @Test func printedZoneStartsWithOriginTTLAndSOA() throws {
        let zone = try parse(Self.realistic)
        let text = ZoneFilePrinter.print(zone.records, origin: zone.origin)
        #expect(text.hasPrefix("$ORIGIN example.com.\n$TTL 3600\n@\tIN\tSOA\tns1.example.com. hostmaster.example.com. "))
        // The one record with a TTL other than the most common one keeps it.
        #expect(text.contains("\n\t300\tIN\tA\t192.0.2.1\n"))
        #expect(text.contains("\n*.wild\t600\tIN\tA\t192.0.2.4\n"))
        #expect(text.contains("\nns.sub\tIN\tA\t192.0.2.5\n"))
        #expect(text.hasSuffix("\n"))
    }

    @Test func printOrderIsCanonicalAndIndependentOfInputOrder() throws {
        let zone = try parse(Self.realistic)
        let text = ZoneFilePrinter.print(zone.records, origin: zone.origin)
        #expect(ZoneFilePrinter.print(Array(zone.records.reversed()), origin: zone.origin) == text)
        let printed = try parse(text).records
        #expect(printed.map(\.name.description) == [
            "example.com.", "example.com.", "example.com.", "example.com.", "example.com.", "example.com.",
            "example.com.", "example.com.", "_sip._tcp.example.com.", "blob.example.com.", "mail.example.com.",
            "ns1.example.com.", "opaque.example.com.", "sub.example.com.", "ns.sub.example.com.",
            "*.wild.example.com.", "www.example.com.",
        ])
        #expect(printed.prefix(8).map(\.type) == [.soa, .a, .ns, .ns, .mx, .txt, .aaaa, .caa])
        #expect(printed[2].rdata == .ns(try name("ns1.example.com.")))
    }

    @Test func printSortKeyAgreesWithCanonicalNameOrder() throws {
        let names = try ["example.", "a.example.", "Z.a.example.", "z.example.", "\\001.z.example.", "*.z.example.",
                         "\\000.example.", "\\000\\000.example.", "ab.example.", "a\\000.example.", "yljkjljk.a.example.",
                         "zabc.a.example.", ".", "com.", "\\255.example.", "A.example."].map(name)
        for left in names {
            for right in names {
                let byKey = ZoneFilePrinter.canonicalKey(left).lexicographicallyPrecedes(ZoneFilePrinter.canonicalKey(right))
                #expect(byKey == (left < right), "\(left) < \(right)")
            }
        }
    }

    @Test func printEscapesAwkwardOwnersAndKeepsTheirCase() throws {
        let records = [
            try record("a\\.b.example.com.", 60, try ipv4("192.0.2.1")),
            try record("sp\\032ace.example.com.", 60, try ipv4("192.0.2.2")),
            try record("\\@.example.com.", 60, try ipv4("192.0.2.3")),
            try record("\\$x.example.com.", 60, try ipv4("192.0.2.4")),
            try record("semi\\;colon\\(.example.com.", 60, try ipv4("192.0.2.5")),
            try record("MiXeD.example.com.", 60, try ipv4("192.0.2.6")),
            try record("mixed.example.com.", 60, try ipv4("192.0.2.7")),
        ]
        let text = ZoneFilePrinter.print(records, origin: try name("example.com."))
        let again = try parse(text).records
        #expect(Set(again) == Set(records))
        #expect(again.map(\.name.wire).sorted { $0.lexicographicallyPrecedes($1) }
                == records.map(\.name.wire).sorted { $0.lexicographicallyPrecedes($1) })
        #expect(text.contains("\nMiXeD\t"))
        #expect(text.contains("\nmixed\t"))
    }

    @Test func printChoosesTheMostCommonTTL() throws {
        let records = [
            try record("a.example.", 30, try ipv4("192.0.2.1")),
            try record("b.example.", 90, try ipv4("192.0.2.2")),
            try record("c.example.", 90, try ipv4("192.0.2.3")),
        ]
        let text = ZoneFilePrinter.print(records, origin: try name("example."))
        #expect(text == "$ORIGIN example.\n$TTL 90\na\t30\tIN\tA\t192.0.2.1\nb\tIN\tA\t192.0.2.2\nc\tIN\tA\t192.0.2.3\n")
        #expect(ZoneFilePrinter.print([], origin: try name("example.")) == "$ORIGIN example.\n")
    }

    @Test func printWritesNamesOutsideTheOriginAbsolute() throws {
        let records = [try record("x.other.", 60, try ipv4("192.0.2.1"))]
        let text = ZoneFilePrinter.print(records, origin: try name("example."))
        #expect(text == "$ORIGIN example.\n$TTL 60\nx.other.\tIN\tA\t192.0.2.1\n")
        #expect(try parse(text, origin: ".").records == records)
    }
}
