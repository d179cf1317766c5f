import Testing
@testable import DNSProto

/// One record's RDATA in text, how we print it, and its uncompressed wire form in hex.
struct RDataSample: Sendable, CustomTestStringConvertible {
    var type: RecordType
    var text: String
    var presentation: String
    var wireHex: String
    var testDescription: String { "\(type) \(text)" }
}

private let origin = (try? DNSName("example.com.")) ?? .root

private func parse(_ type: RecordType, _ text: String, origin: DNSName = origin) throws -> RData {
    try RDataTestSupport.parse(type, text, origin: origin)
}

private func hex(_ text: String) -> [UInt8] { RDataTestSupport.hex(text) }

private func name(_ text: String) -> DNSName { RDataTestSupport.name(text) }

private func readWire(_ type: RecordType, _ bytes: [UInt8]) throws -> RData { try RDataTestSupport.readWire(type, bytes) }

/// Whether `body` throws `DNSWireError.badRData` (and nothing else).
private func throwsBadRData(_ body: () throws -> Void) -> Bool {
    do {
        try body()
        return false
    } catch let error as DNSWireError {
        if case .badRData = error { return true }
        return false
    } catch {
        return false
    }
}

@Suite("Typed RDATA: A to TLSA")
struct RDataTypesTests {
    static let samples: [RDataSample] = [
        RDataSample(type: .a, text: "192.0.2.1", presentation: "192.0.2.1", wireHex: "C0000201"),
        RDataSample(type: .a, text: "0.0.0.0", presentation: "0.0.0.0", wireHex: "00000000"),
        RDataSample(type: .a, text: "255.255.255.255", presentation: "255.255.255.255", wireHex: "FFFFFFFF"),
        RDataSample(type: .aaaa, text: "2001:DB8::1", presentation: "2001:db8::1",
                    wireHex: "20010DB8000000000000000000000001"),
        RDataSample(type: .aaaa, text: "::ffff:192.0.2.1", presentation: "::ffff:192.0.2.1",
                    wireHex: "00000000000000000000FFFFC0000201"),
        RDataSample(type: .soa, text: "ns1 hostmaster 2024010101 1h 15m 2w 300",
                    presentation: "ns1.example.com. hostmaster.example.com. 2024010101 3600 900 1209600 300",
                    wireHex: "036E7331076578616D706C6503636F6D00" + "0A686F73746D6173746572076578616D706C6503636F6D00"
                        + "78A3F175" + "00000E10" + "00000384" + "00127500" + "0000012C"),
        RDataSample(type: .soa, text: ". . 4294967295 4294967295 0 1 2",
                    presentation: ". . 4294967295 4294967295 0 1 2",
                    wireHex: "0000" + "FFFFFFFF" + "FFFFFFFF" + "00000000" + "00000001" + "00000002"),
        RDataSample(type: .mx, text: "10 mail", presentation: "10 mail.example.com.",
                    wireHex: "000A046D61696C076578616D706C6503636F6D00"),
        RDataSample(type: .mx, text: "0 .", presentation: "0 .", wireHex: "000000"),
        RDataSample(type: .txt, text: "\"hello world\"", presentation: "\"hello world\"",
                    wireHex: "0B68656C6C6F20776F726C64"),
        RDataSample(type: .txt, text: "a \"\" \"q\\\"b\" \\255\\009", presentation: "\"a\" \"\" \"q\\\"b\" \"\\255\\009\"",
                    wireHex: "0161" + "00" + "03712262" + "02FF09"),
        RDataSample(type: .txt, text: "\"\"", presentation: "\"\"", wireHex: "00"),
        RDataSample(type: .hinfo, text: "\"PDP-11\" UNIX", presentation: "\"PDP-11\" \"UNIX\"",
                    wireHex: "065044502D313104554E4958"),
        RDataSample(type: .hinfo, text: "RFC8482 \"\"", presentation: "\"RFC8482\" \"\"",
                    wireHex: "07" + "52464338343832" + "00"),
        RDataSample(type: .srv, text: "10 5 5060 sip.example.com.", presentation: "10 5 5060 sip.example.com.",
                    wireHex: "000A000513C4" + "03736970076578616D706C6503636F6D00"),
        RDataSample(type: .naptr, text: "100 10 S SIP+D2U \"\" _sip._udp",
                    presentation: "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com.",
                    wireHex: "0064000A" + "0153" + "075349502B443255" + "00"
                        + "045F736970045F756470076578616D706C6503636F6D00"),
        RDataSample(type: .naptr, text: "1 2 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .",
                    presentation: "1 2 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.com!\" .",
                    wireHex: "00010002" + "0155" + "07" + "4532552B736970"
                        + "1B" + "215E2E2A24217369703A696E666F406578616D706C652E636F6D21" + "00"),
        RDataSample(type: .caa, text: "0 issue \"ca.example.net\"", presentation: "0 issue \"ca.example.net\"",
                    wireHex: "00056973737565" + "63612E6578616D706C652E6E6574"),
        RDataSample(type: .caa, text: "128 tbs Unknown", presentation: "128 tbs \"Unknown\"",
                    wireHex: "8003746273556E6B6E6F776E"),
        RDataSample(type: .caa, text: "0 issue \"\"", presentation: "0 issue \"\"", wireHex: "00056973737565"),
        RDataSample(type: .sshfp, text: "4 2 0123456789abcdef 0123456789ABCDEF",
                    presentation: "4 2 0123456789ABCDEF0123456789ABCDEF",
                    wireHex: "0402" + "0123456789ABCDEF0123456789ABCDEF"),
        RDataSample(type: .tlsa, text: "3 1 1 d2abde240d7cd3ee6b4b28c54df034b9 7983a1d16e8a410e4561cb106618e971",
                    presentation: "3 1 1 D2ABDE240D7CD3EE6B4B28C54DF034B97983A1D16E8A410E4561CB106618E971",
                    wireHex: "030101" + "D2ABDE240D7CD3EE6B4B28C54DF034B97983A1D16E8A410E4561CB106618E971"),
    ]

    @Test("text -> wire -> text round trips", arguments: RDataTypesTests.samples)
    func roundTrip(_ sample: RDataSample) throws {
        let rdata = try parse(sample.type, sample.text)
        #expect(rdata.type == sample.type)

        // Text to wire gives exactly the expected octets, and they read back to the same value.
        let wire = rdata.uncompressedWire
        #expect(HexEncoding.encode(wire) == sample.wireHex)
        let decoded = try readWire(sample.type, wire)
        #expect(decoded == rdata)

        // Byte-for-byte: reading then writing gives back the same octets.
        var writer = WireWriter()
        try decoded.write(to: &writer, compress: false)
        #expect(writer.bytes == wire)
        // Compressed (SOA's RNAME may point into its MNAME), it still reads back the same.
        var compressed = WireWriter()
        try decoded.write(to: &compressed, compress: true)
        #expect(compressed.count <= wire.count)
        #expect(try readWire(sample.type, compressed.bytes) == rdata)

        // Presentation is what we expect and parses back (with no origin needed) to the value.
        let printed = rdata.presentation(type: sample.type)
        #expect(printed == sample.presentation)
        let reparsed = try parse(sample.type, printed, origin: .root)
        #expect(reparsed == rdata)
        #expect(reparsed.presentation(type: sample.type) == printed)

        // The RFC 3597 generic form of the same octets decodes to the typed value.
        let generic = try parse(sample.type, "\\# \(wire.count) \(HexEncoding.encode(wire))")
        #expect(generic == rdata)
    }

    @Test("RFC 3597 \\# 4 C0000201 is the A record 192.0.2.1")
    func genericA() throws {
        let expected = try #require(IPv4Address("192.0.2.1"))
        #expect(try parse(.a, "\\# 4 C0000201") == .a(expected))
        #expect(try parse(.a, "\\# 4 C0 00 02 01") == .a(expected))
        // The same without the lexer, from tokens made by hand.
        let location = SourceLocation(file: "t", line: 1, column: 1)
        let tokens = ["\\#", "4", "C0000201"].map { PresentationToken(text: $0, location: location) }
        var reader = RDataTextReader(tokens: tokens, origin: .root, endLocation: location)
        #expect(try RData(type: .a, text: &reader) == .a(expected))
        // Lengths that do not fit the typed layout are errors, not crashes.
        #expect(throws: PresentationError.self) { try parse(.a, "\\# 3 C00002") }
        #expect(throws: PresentationError.self) { try parse(.a, "\\# 5 C000020100") }
        #expect(throws: PresentationError.self) { try parse(.aaaa, "\\# 4 C0000201") }
        #expect(throws: PresentationError.self) { try parse(.caa, "\\# 2 0000") }
    }

    // MARK: - Addresses

    @Test("IPv4 text is a strict dotted quad")
    func ipv4Text() throws {
        #expect(IPv4Address("10.0.0.1")?.bytes == [10, 0, 0, 1])
        #expect(IPv4Address("10.0.0.1")?.value == 0x0A00_0001)
        #expect(IPv4Address("255.255.255.255")?.description == "255.255.255.255")
        for bad in ["", "01.2.3.4", "1.2.3.00", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "1.2.3.4 ",
                    " 1.2.3.4", "a.b.c.d", "+1.2.3.4", "1.2.3.-4", "0x1.2.3.4", "1234.1.1.1", "1.2.3.", ".1.2.3",
                    "１.2.3.4", "1.2.3.4/24"] {
            #expect(IPv4Address(bad) == nil, "accepted \(bad)")
        }
        #expect(IPv4Address(bytes: [1, 2, 3]) == nil)
        #expect(IPv4Address(bytes: [1, 2, 3, 4, 5]) == nil)
        #expect(IPv4Address(bytes: [192, 0, 2, 1]) == IPv4Address("192.0.2.1"))
        #expect(throws: PresentationError.self) { try parse(.a, "192.0.2.256") }
        #expect(throws: PresentationError.self) { try parse(.a, "192.0.2.1 192.0.2.2") }
        #expect(throws: PresentationError.self) { try parse(.a, "") }
    }

    @Test("IPv6 text forms and RFC 5952 output", arguments: [
        ("2001:db8:0:0:0:0:2:1", "2001:db8::2:1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:DB8::ABCD", "2001:db8::abcd"),
        // §4.2.2: a single zero group is not shortened.
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:db8::1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
        ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
        // §4.2.3: the longest run, and the first of equal runs.
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("0:0:1:0:0:1:0:0", "::1:0:0:1:0:0"),
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("0:0:0:0:0:0:0:0", "::"),
        ("fe80::", "fe80::"),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        // Embedded IPv4; §5 prints IPv4-mapped addresses in mixed form, others in hex.
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("::FFFF:c000:0201", "::ffff:192.0.2.1"),
        ("0:0:0:0:0:ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
        ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"),
        ("::0.0.0.1", "::1"),
    ])
    func ipv6Text(_ input: String, _ expected: String) throws {
        let address = try #require(IPv6Address(input))
        #expect(address.description == expected)
        #expect(IPv6Address(expected) == address)
        #expect(IPv6Address(bytes: address.bytes) == address)
        #expect(address.bytes.count == 16)
    }

    @Test("IPv6 text that is not an address")
    func ipv6Invalid() {
        for bad in ["", ":", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "12345::", "g::",
                    ":1::", "1::2:", ":1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:", "::1.2.3", "::1.2.3.04",
                    "1.2.3.4::", "::1.2.3.4:1", "fe80::1%eth0", "2001:db8::/32", "1:2:3:4:5:6:7:8::",
                    "::1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:1.2.3.4", " ::1", "::1 ", "1.2.3.4", "::-1",
                    "0x1::", "1:2:3:4:5:6:7:8:1.2.3.4", String(repeating: "0", count: 50) + "::"] {
            #expect(IPv6Address(bad) == nil, "accepted \(bad)")
        }
        #expect(IPv6Address(bytes: Array(repeating: 0, count: 15)) == nil)
        #expect(IPv6Address(bytes: Array(repeating: 0, count: 17)) == nil)
        #expect(IPv6Address(groups: [1, 2, 3]) == nil)
    }

    @Test("Addresses hash by value")
    func addressesHash() throws {
        let set: Set<IPv6Address> = [try #require(IPv6Address("2001:db8::1")), try #require(IPv6Address("2001:DB8:0::0:1"))]
        #expect(set.count == 1)
        let v4: Set<IPv4Address> = [try #require(IPv4Address("1.2.3.4")), IPv4Address(value: 0x0102_0304)]
        #expect(v4.count == 1)
    }

    // MARK: - Text details

    @Test("SOA timers take TTL units, the serial does not")
    func soaText() throws {
        guard case .soa(let soa) = try parse(.soa, "ns1.example.net. admin.example.net. 7 1H 1h30m 1w 1d") else {
            Issue.record("not an SOA")
            return
        }
        #expect(soa.mname == name("ns1.example.net."))
        #expect(soa.rname == name("admin.example.net."))
        #expect([soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] == [7, 3600, 5400, 604_800, 86_400])
        #expect(throws: PresentationError.self) { try parse(.soa, "a. b. 1h 1 1 1 1") }
        #expect(throws: PresentationError.self) { try parse(.soa, "a. b. 1 1 1 1") }
        #expect(throws: PresentationError.self) { try parse(.soa, "a. b. 1 1 1 1 1 1") }
        #expect(throws: PresentationError.self) { try parse(.soa, "a. b. 1 1 1 1 1x") }
        #expect(throws: PresentationError.self) { try parse(.soa, "a. b. 4294967296 1 1 1 1") }
        #expect(throws: PresentationError.self) { try parse(.soa, "a.. b. 1 1 1 1 1") }
    }

    @Test("TXT strings: limits and the empty cases")
    func txtLimits() throws {
        let long = String(repeating: "x", count: 255)
        guard case .txt(let txt) = try parse(.txt, "\"\(long)\" y") else {
            Issue.record("not a TXT")
            return
        }
        #expect(txt.strings == [Array(long.utf8), [UInt8(ascii: "y")]])
        #expect(throws: PresentationError.self) { try parse(.txt, "\"\(long)x\"") }
        #expect(throws: PresentationError.self) { try parse(.txt, "") }
        #expect(throws: PresentationError.self) { try parse(.txt, "\"bad \\256\"") }
        #expect(throws: DNSWireError.self) { try TXT(strings: []) }
        #expect(throws: DNSWireError.self) { try TXT(strings: [Array(repeating: 0, count: 256)]) }
        #expect(try TXT(strings: [[]]).presentation == "\"\"")

        // Splitting long data keeps every string within 255 octets and loses nothing.
        let data = (0..<600).map { UInt8(truncatingIfNeeded: $0) }
        let split = TXT(splitting: data)
        #expect(split.strings.map(\.count) == [255, 255, 90])
        #expect(Array(split.strings.joined()) == data)
        #expect(TXT(splitting: []).strings == [[]])
        #expect(TXT("v=spf1 -all").strings == [Array("v=spf1 -all".utf8)])

        // No strings at all is not TXT RDATA (RFC 1035 §3.3.14).
        #expect(throwsBadRData { var reader = WireReader([]); _ = try TXT.read(from: &reader) })
    }

    @Test("CAA tags and values")
    func caaText() throws {
        for bad in ["0 is-sue \"x\"", "0 abcdefghijklmnop \"x\"", "0 \"issue\" \"x\"", "256 issue \"x\"", "0 issue",
                    "0 iss\\101 \"x\"", "0 issue \"a\" \"b\"", "0 issue \"\\999\""] {
            #expect(throws: PresentationError.self, "accepted \(bad)") { try parse(.caa, bad) }
        }
        #expect(throws: DNSWireError.self) { try CAA(flags: 0, tag: "", value: []) }
        #expect(throws: DNSWireError.self) { try CAA(flags: 0, tag: "issue wild", value: []) }
        #expect(throws: DNSWireError.self) { try CAA(flags: 0, tag: "é", value: []) }
        let critical = try CAA(flags: 128, tag: "abcdefghijklmno", value: Array("x".utf8))
        #expect(critical.isCritical)
        #expect(critical.presentation == "128 abcdefghijklmno \"x\"")

        // The value is the raw rest of the RDATA, so it may be longer than a character-string.
        let long = String(repeating: "v", count: 300)
        guard case .caa(let caa) = try parse(.caa, "0 iodef \"\(long)\"") else {
            Issue.record("not a CAA")
            return
        }
        #expect(caa.value.count == 300)
        let wire = RData.caa(caa).uncompressedWire
        #expect(wire.count == 1 + 1 + 5 + 300)
        #expect(try readWire(.caa, wire) == .caa(caa))

        // Quotes, backslashes and non-printables are escaped and come back the same.
        let odd = try CAA(flags: 0, tag: "issue", value: [0x22, 0x5C, 0x00, 0xFF, 0x3B, 0x20])
        #expect(odd.presentation == "0 issue \"\\\"\\\\\\000\\255; \"")
        #expect(try parse(.caa, odd.presentation) == .caa(odd))

        // Bad tags on the wire.
        #expect(throwsBadRData { _ = try readWire(.caa, hex("0000")) })
        #expect(throwsBadRData { _ = try readWire(.caa, hex("0003" + "692D73")) })
        #expect(throwsBadRData { _ = try readWire(.caa, hex("0010" + String(repeating: "61", count: 16))) })
    }

    @Test("SSHFP and TLSA need their hex data")
    func hexData() throws {
        for bad in ["1 1", "1 1 XYZ", "1 1 ABC", "256 1 AB", "1 1 \"\""] {
            #expect(throws: PresentationError.self, "accepted \(bad)") { try parse(.sshfp, bad) }
        }
        for bad in ["3 1 1", "3 1 1 G0", "3 1 256 AB", "3 1"] {
            #expect(throws: PresentationError.self, "accepted \(bad)") { try parse(.tlsa, bad) }
        }
        #expect(throws: DNSWireError.self) { try SSHFP(algorithm: 1, fingerprintType: 1, fingerprint: []) }
        #expect(throws: DNSWireError.self) { try TLSA(usage: 3, selector: 1, matchingType: 1, data: []) }
        #expect(throwsBadRData { _ = try readWire(.sshfp, hex("0101")) })
        #expect(throwsBadRData { _ = try readWire(.tlsa, hex("030101")) })
    }

    @Test("Names and integers in the text are checked")
    func names() throws {
        // With the root as origin a bare name is simply below the root.
        #expect(try parse(.mx, "10 mail", origin: .root) == .mx(MX(preference: 10, exchange: name("mail."))))
        #expect(try parse(.mx, "10 @") == .mx(MX(preference: 10, exchange: origin)))
        #expect(throws: PresentationError.self) { try parse(.mx, "65536 mail.") }
        #expect(throws: PresentationError.self) { try parse(.mx, "-1 mail.") }
        #expect(throws: PresentationError.self) { try parse(.mx, "\"10\" mail.") }
        #expect(throws: PresentationError.self) { try parse(.srv, "1 2 3") }
        #expect(throws: PresentationError.self) { try parse(.srv, "1 2 3 \(String(repeating: "a", count: 64)).") }
        #expect(throws: PresentationError.self) { try parse(.naptr, "1 2 S SIP \"\" a. extra") }
        #expect(throws: PresentationError.self) { try parse(.naptr, "1 2 \"\(String(repeating: "r", count: 256))\" S \"\" .") }
        #expect(throws: PresentationError.self) { try parse(.hinfo, "onlyone") }
    }

    // MARK: - Wire errors

    @Test("Truncated RDATA is an error for every type", arguments: RDataTypesTests.samples)
    func truncated(_ sample: RDataSample) throws {
        let wire = hex(sample.wireHex)
        // Every prefix either decodes (TXT strings, CAA values and hex data may legitimately
        // be shorter) or throws badRData; none crashes.
        for length in 0..<wire.count {
            var reader = WireReader(Array(wire[0..<length]))
            if let value = try? RData.read(type: sample.type, recordClass: .in, from: &reader) {
                #expect(reader.isAtEnd)
                // A shorter prefix that decodes must decode to something else.
                #expect(value != (try parse(sample.type, sample.text)) || length == 0)
            }
        }
        // Cutting the last octet breaks every layout except ones ending in opaque data.
        guard ![.caa, .sshfp, .tlsa].contains(sample.type) else { return }
        if sample.type == .txt, sample.text == "\"\"" { return }  // one byte: its prefix is empty RDATA
        #expect(throwsBadRData { _ = try readWire(sample.type, Array(wire.dropLast())) })
    }

    @Test("Trailing bytes after the fields are an error")
    func trailing() throws {
        for sample in Self.samples where ![RecordType.caa, .sshfp, .tlsa].contains(sample.type) {
            // For TXT a trailing zero octet would be one more (empty) string, so use a length
            // octet that promises more than there is.
            let extra: [UInt8] = sample.type == .txt ? [5] : [0]
            let wire = hex(sample.wireHex) + extra
            #expect(throwsBadRData { _ = try readWire(sample.type, wire) }, "\(sample.type) accepted trailing bytes")
            // Each type's own reader checks too, without RData in front of it.
            var reader = WireReader(wire)
            #expect(throws: DNSWireError.self) {
                switch sample.type {
                case .a: _ = try IPv4Address.read(from: &reader)
                case .aaaa: _ = try IPv6Address.read(from: &reader)
                case .soa: _ = try SOA.read(from: &reader)
                case .mx: _ = try MX.read(from: &reader)
                case .txt: _ = try TXT.read(from: &reader)
                case .hinfo: _ = try HINFO.read(from: &reader)
                case .srv: _ = try SRV.read(from: &reader)
                case .naptr: _ = try NAPTR.read(from: &reader)
                default: Issue.record("no reader for \(sample.type)")
                }
            }
        }
    }

    @Test("The reader's limit ends the RDATA inside a larger message")
    func limit() throws {
        // An A record's RDATA followed by unrelated bytes: only the first four are read.
        var reader = WireReader(hex("C0000201DEADBEEF"))
        reader.limit = 4
        #expect(try RData.read(type: .a, recordClass: .in, from: &reader) == .a(try #require(IPv4Address("192.0.2.1"))))
        #expect(reader.position == 4)
        // CAA's value runs to the limit, not to the end of the message.
        var caaReader = WireReader(hex("0005697373756561626364") + [0xFF])
        caaReader.limit = 11
        guard case .caa(let caa) = try RData.read(type: .caa, recordClass: .in, from: &caaReader) else {
            Issue.record("not a CAA")
            return
        }
        #expect(caa.value == Array("abcd".utf8))
        // A TXT string whose length runs past the limit is an error even if the message goes on.
        var txtReader = WireReader(hex("05616263") + Array("defgh".utf8))
        txtReader.limit = 4
        #expect(throwsBadRData { _ = try RData.read(type: .txt, recordClass: .in, from: &txtReader) })
    }

    @Test("Malformed names inside RDATA are badRData")
    func badNames() {
        // MX with a label length byte using the reserved 0x40 form.
        #expect(throwsBadRData { _ = try readWire(.mx, hex("000A4000")) })
        // MX whose compression pointer points forward (at itself).
        #expect(throwsBadRData { _ = try readWire(.mx, hex("000AC002")) })
        // SRV with a name that never ends.
        #expect(throwsBadRData { _ = try readWire(.srv, hex("000100020003" + "03616263")) })
        // NAPTR with a character-string longer than what is left.
        #expect(throwsBadRData { _ = try readWire(.naptr, hex("00010002" + "0953")) })
    }

    // MARK: - Compression

    @Test("SOA and MX names are compressed when written twice, and read back")
    func compression() throws {
        let soa = SOA(mname: name("ns1.example.com."), rname: name("hostmaster.example.com."), serial: 1,
                      refresh: 2, retry: 3, expire: 4, minimum: 5)
        let mx = MX(preference: 10, exchange: name("mail.example.com."))
        var writer = WireWriter()
        try soa.write(to: &writer, compress: true)
        let firstEnd = writer.count
        try soa.write(to: &writer, compress: true)
        let secondEnd = writer.count
        try mx.write(to: &writer, compress: true)
        let mxEnd = writer.count

        // The first SOA has nothing to point at; RNAME shares "example.com." with MNAME.
        #expect(firstEnd == 17 + 11 + 2 + 20)
        // The second SOA is two pointers and the timers; the MX name shares example.com.
        #expect(secondEnd - firstEnd == 2 + 2 + 20)
        #expect(mxEnd - secondEnd == 2 + 5 + 2)

        let bytes = writer.bytes
        var reader = WireReader(bytes)
        for (start, end) in [(0, firstEnd), (firstEnd, secondEnd)] {
            reader.position = start
            reader.limit = end
            #expect(try RData.read(type: .soa, recordClass: .in, from: &reader) == .soa(soa))
            #expect(reader.position == end)
        }
        reader.position = secondEnd
        reader.limit = mxEnd
        #expect(try RData.read(type: .mx, recordClass: .in, from: &reader) == .mx(mx))

        // Without compression every name is written in full.
        var plain = WireWriter()
        try soa.write(to: &plain, compress: false)
        try soa.write(to: &plain, compress: false)
        #expect(plain.count == 2 * firstEnd + 2 * 11)
    }

    @Test("SRV and NAPTR names are never compressed (RFC 3597 §4)")
    func noCompression() throws {
        let target = name("sip.example.com.")
        let srv = SRV(priority: 1, weight: 2, port: 3, target: target)
        let naptr = try NAPTR(order: 1, preference: 2, flags: [], services: [], regexp: [], replacement: target)
        for rdata in [RData.srv(srv), .naptr(naptr)] {
            var writer = WireWriter()
            writer.writeName(target)
            let start = writer.count
            // Even asking for compression, directly and through RData, writes the name in full.
            try rdata.write(to: &writer, compress: true)
            switch rdata {
            case .srv(let value): try value.write(to: &writer, compress: true)
            case .naptr(let value): try value.write(to: &writer, compress: true)
            default: break
            }
            let expected = rdata.uncompressedWire
            #expect(Array(writer.bytes[start...]) == expected + expected)
        }
    }

    @Test("Constructors check character-string limits")
    func constructors() throws {
        let big = [UInt8](repeating: 0x41, count: 256)
        #expect(throws: DNSWireError.self) { try HINFO(cpu: big, os: []) }
        #expect(throws: DNSWireError.self) { try HINFO(cpu: [], os: big) }
        #expect(throws: DNSWireError.self) {
            try NAPTR(order: 0, preference: 0, flags: [], services: big, regexp: [], replacement: .root)
        }
        let hinfo = try HINFO(cpu: "RFC8482", os: "")
        #expect(hinfo.presentation == "\"RFC8482\" \"\"")
        #expect(RData.hinfo(hinfo).uncompressedWire == Array("\u{7}RFC8482\u{0}".utf8))
    }
}
