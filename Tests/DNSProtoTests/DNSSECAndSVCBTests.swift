import Testing
@testable import DNSProto

/// A record's RDATA as written in a zone, as dnsd prints it, and its wire form in hex.
struct DNSSECSVCBSample: Sendable, CustomTestStringConvertible {
    var type: RecordType
    var text: String
    var presentation: String
    var wireHex: String
    var testDescription: String { "\(type) \(text)" }
}

private func parse(_ type: RecordType, _ text: String, origin: DNSName = .root) throws -> RData {
    try RDataTestSupport.parse(type, text, origin: origin)
}

private func hex(_ text: String) -> [UInt8] { RDataTestSupport.hex(text) }

private func name(_ text: String) -> DNSName { RDataTestSupport.name(text) }

private func readWire(_ type: RecordType, _ bytes: [UInt8]) throws -> RData { try RDataTestSupport.readWire(type, bytes) }

/// The reason of the `DNSWireError.badRData` that reading `hexText` as `type` RDATA throws;
/// nil when it reads fine or fails some other way.
private func badRDataReason(_ type: RecordType, _ hexText: String) -> String? {
    guard let bytes = HexEncoding.decode(hexText) else { return nil }
    do {
        _ = try readWire(type, bytes)
        return nil
    } catch let error as DNSWireError {
        if case .badRData(_, let reason) = error { return reason }
        return nil
    } catch {
        return nil
    }
}

/// Whether reading `hexText` as `type` RDATA fails with `DNSWireError.badRData`.
private func rejectsWire(_ type: RecordType, _ hexText: String) -> Bool {
    badRDataReason(type, hexText) != nil
}

/// Whether parsing `text` as `type` RDATA fails with a `PresentationError`.
private func rejectsText(_ type: RecordType, _ text: String) -> Bool {
    do {
        _ = try parse(type, text)
        return false
    } catch is PresentationError {
        return true
    } catch {
        return false
    }
}

private let fooExampleCom = "03666F6F076578616D706C6503636F6D00"
private let fooExampleOrg = "03666F6F076578616D706C65036F726700"

/// Root KSK-2017 as published by IANA (root-anchors.xml); key tag 20326.
private let rootKSK2017 = "AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQ"
    + "lNVz8Og8kvArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqq"
    + "ls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8su"
    + "bX2Nn6UwNR1AkUTV74bU="

private let signature64 = "pU3KGCUwux1tEyze1iN7LtkeP3IfyxlxF0SU1kk8nVw0YL4xIB5p/tqg7ui5mX9cfCmZ/a/lkyU81lSvTfrXFA=="
private let signatureHex = "A54DCA182530BB1D6D132CDED6237B2ED91E3F721FCB1971174494D6493C9D5C"
    + "3460BE31201E69FEDAA0EEE8B9997F5C7C2999FDAFE593253CD654AF4DFAD714"

@Suite("Typed RDATA: DNSSEC and SVCB/HTTPS")
struct DNSSECAndSVCBTests {
    static let dnssecSamples: [DNSSECSVCBSample] = [
        // RFC 4034 §5.4.
        DNSSECSVCBSample(type: .ds, text: "60485 5 1 ( 2BB183AF5F22588179A53B0A98631FAD1A292118 )",
                         presentation: "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118",
                         wireHex: "EC450501" + "2BB183AF5F22588179A53B0A98631FAD1A292118"),
        // The root trust anchor DS for KSK-2017 (IANA root-anchors.xml), hex split and in lower case.
        DNSSECSVCBSample(type: .ds, text: "20326 8 2 e06d44b80b8f1d39a95c0b0d7c65d084 58e880409bbc683457104237c7f8ec8d",
                         presentation: "20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
                         wireHex: "4F660802E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D"),
        DNSSECSVCBSample(type: .dnskey, text: "257 3 8 " + rootKSK2017, presentation: "257 3 8 " + rootKSK2017,
                         wireHex: "01010308" + HexEncoding.encode(Base64Encoding.decode(rootKSK2017) ?? [])),
        // RFC 4034 §3.3's RRSIG with our own signature octets; times in both input forms.
        DNSSECSVCBSample(type: .rrsig,
                         text: "A 5 3 86400 20030322173103 1045762263 2642 example.com. " + signature64,
                         presentation: "A 5 3 86400 20030322173103 20030220173103 2642 example.com. " + signature64,
                         wireHex: "0001050300015180" + "3E7C9DD7" + "3E5510D7" + "0A52"
                            + "076578616D706C6503636F6D00" + signatureHex),
        // A root-zone-style signature over the SOA, signer `.`, base64 split over fields.
        DNSSECSVCBSample(type: .rrsig,
                         text: "SOA 8 0 86400 20240115170000 20240102160000 46780 . " + signature64.prefix(40) + " " + signature64.dropFirst(40),
                         presentation: "SOA 8 0 86400 20240115170000 20240102160000 46780 . " + signature64,
                         wireHex: "0006080000015180" + "65A56490" + "65943300" + "B6BC" + "00" + signatureHex),
        DNSSECSVCBSample(type: .rrsig,
                         text: "TYPE65534 13 2 300 4294967295 0 1 example. AA==",
                         presentation: "TYPE65534 13 2 300 21060207062815 19700101000000 1 example. AA==",
                         wireHex: "FFFE0D020000012CFFFFFFFF000000000001076578616D706C650000"),
        // RFC 4034 §4.3, including its wire form.
        DNSSECSVCBSample(type: .nsec, text: "host.example.com. ( A MX RRSIG NSEC TYPE1234 )",
                         presentation: "host.example.com. A MX RRSIG NSEC TYPE1234",
                         wireHex: "04686F7374076578616D706C6503636F6D00"
                            + "0006400100000003041B000000000000000000000000000000000000000000000000000020"),
        // Root zone excerpt.
        DNSSECSVCBSample(type: .nsec, text: "aarp. NS DS RRSIG NSEC", presentation: "aarp. NS DS RRSIG NSEC",
                         wireHex: "0461617270000006200000000013"),
        // An empty bitmap (as at an empty non-terminal).
        DNSSECSVCBSample(type: .nsec, text: "b.example.", presentation: "b.example.", wireHex: "0162076578616D706C6500"),
        // RFC 5155 Appendix A: the apex NSEC3 of its example zone.
        DNSSECSVCBSample(type: .nsec3,
                         text: "1 1 12 aabbccdd ( 2t7b4g4vsa5smi47k61mv5bv1a22bojr MX DNSKEY NS SOA NSEC3PARAM RRSIG )",
                         presentation: "1 1 12 AABBCCDD 2t7b4g4vsa5smi47k61mv5bv1a22bojr NS SOA MX RRSIG DNSKEY NSEC3PARAM",
                         wireHex: "0101000C04AABBCCDD14174EB2409FE28BCB4887A1836F957F0A8425E27B" + "000722010000000290"),
        // RFC 9276 parameters (no salt, no iterations), upper-case hash, empty bitmap.
        DNSSECSVCBSample(type: .nsec3, text: "1 0 0 - CK0Q2D6NI4I7EQH8NA30NS61O48UL8G5",
                         presentation: "1 0 0 - ck0q2d6ni4i7eqh8na30ns61o48ul8g5",
                         wireHex: "010000000014" + "6501A134D79124776A28BA860BF0C1C111EAA205"),
    ]

    /// RFC 9460 Appendix D (as NLnet Labs' unbound test data spells them) and a few more.
    static let svcbSamples: [DNSSECSVCBSample] = [
        // D.1 AliasMode.
        DNSSECSVCBSample(type: .svcb, text: "0 foo.example.com.", presentation: "0 foo.example.com.",
                         wireHex: "0000" + fooExampleCom),
        // D.2 ServiceMode: "use the owner name".
        DNSSECSVCBSample(type: .svcb, text: "1 .", presentation: "1 .", wireHex: "000100"),
        DNSSECSVCBSample(type: .svcb, text: "16 foo.example.com. port=53", presentation: "16 foo.example.com. port=53",
                         wireHex: "0010" + fooExampleCom + "000300020035"),
        DNSSECSVCBSample(type: .svcb, text: "1 foo.example.com. key667=hello", presentation: "1 foo.example.com. key667=hello",
                         wireHex: "0001" + fooExampleCom + "029B000568656C6C6F"),
        DNSSECSVCBSample(type: .svcb, text: #"1 foo.example.com. key667="hello\210qoo""#,
                         presentation: #"1 foo.example.com. key667=hello\210qoo"#,
                         wireHex: "0001" + fooExampleCom + "029B000968656C6C6FD2716F6F"),
        DNSSECSVCBSample(type: .svcb, text: #"1 foo.example.com. ipv6hint="2001:db8::1,2001:db8::53:1""#,
                         presentation: "1 foo.example.com. ipv6hint=2001:db8::1,2001:db8::53:1",
                         wireHex: "0001" + fooExampleCom + "00060020"
                            + "20010DB8000000000000000000000001" + "20010DB8000000000000000000530001"),
        // Neither the params nor the mandatory keys are sorted in the text; both are on the wire.
        DNSSECSVCBSample(type: .svcb, text: "16 foo.example.org. (alpn=h2,h3-19 mandatory=ipv4hint,alpn\n ipv4hint=192.0.2.1)",
                         presentation: "16 foo.example.org. mandatory=alpn,ipv4hint alpn=h2,h3-19 ipv4hint=192.0.2.1",
                         wireHex: "0010" + fooExampleOrg + "0000000400010004" + "00010009026832056833" + "2D3139"
                            + "00040004C0000201"),
        // alpn with an escaped backslash and an escaped comma, in the two spellings of D.2.
        DNSSECSVCBSample(type: .svcb, text: #"16 foo.example.org. alpn="f\\\\oo\\,bar,h2""#,
                         presentation: #"16 foo.example.org. alpn=f\\\\oo\\,bar,h2"#,
                         wireHex: "0010" + fooExampleOrg + "0001000C08665C6F6F2C626172026832"),
        DNSSECSVCBSample(type: .https, text: #"16 foo.example.org. alpn=f\\\092oo\092,bar,h2"#,
                         presentation: #"16 foo.example.org. alpn=f\\\\oo\\,bar,h2"#,
                         wireHex: "0010" + fooExampleOrg + "0001000C08665C6F6F2C626172026832"),
        DNSSECSVCBSample(type: .https, text: "0 foo.example.com.", presentation: "0 foo.example.com.",
                         wireHex: "0000" + fooExampleCom),
        // A Cloudflare-style HTTPS record with ech (unbound's test data), keys given out of order.
        DNSSECSVCBSample(type: .https,
                         text: "1 . alpn=h2 ipv4hint=162.159.135.79,162.159.136.79 ipv6hint=2606:4700:7::a29f:874f "
                            + "ech=AEj+CgBETwAgACDeVpr34JzYHDGNFoGWhksj5mpBxradonbqH3X9+h7jHgAEAAEAAQAAABNjbG91ZGZsYXJlLWVzbmkuY29tAAA= no-default-alpn",
                         presentation: "1 . alpn=h2 no-default-alpn ipv4hint=162.159.135.79,162.159.136.79 "
                            + "ech=AEj+CgBETwAgACDeVpr34JzYHDGNFoGWhksj5mpBxradonbqH3X9+h7jHgAEAAEAAQAAABNjbG91ZGZsYXJlLWVzbmkuY29tAAA= "
                            + "ipv6hint=2606:4700:7::a29f:874f",
                         wireHex: "000100" + "0001000302683200020000" + "00040008A29F874FA29F884F"
                            + "0005004A0048FE0A00444F00200020DE569AF7E09CD81C318D168196864B23E66A41C6B69DA276EA1F75FDFA1EE31E"
                            + "00040001000100000013636C6F7564666C6172652D65736E692E636F6D0000"
                            + "00060010260647000007000000000000A29F874F"),
        // RFC 9461 §5: DoH discovery with dohpath; the key also as key7, mandatory as key0.
        DNSSECSVCBSample(type: .svcb, text: "1 dns.example.net. key0=key7 alpn=h2 key7=/dns-query{?dns}",
                         presentation: "1 dns.example.net. mandatory=dohpath alpn=h2 dohpath=/dns-query{?dns}",
                         wireHex: "0001" + "03646E73076578616D706C65036E657400" + "000000020007" + "00010003026832"
                            + "00070010" + "2F646E732D71756572797B3F646E737D"),
        // Opaque values: empty, with a blank, a quote and a semicolon.
        DNSSECSVCBSample(type: .svcb, text: #"2 . key65000 key65001="a b\"c;d""#,
                         presentation: #"2 . key65000 key65001=a\032b\"c\;d"#,
                         wireHex: "000200" + "FDE80000" + "FDE90007" + "61206222633B64"),
        // AliasMode with params: legal on the wire (recipients ignore them), kept whole.
        DNSSECSVCBSample(type: .https, text: "0 alias.example. port=443", presentation: "0 alias.example. port=443",
                         wireHex: "0000" + "05616C696173076578616D706C6500" + "0003000201BB"),
    ]

    /// text -> RData -> wire (checked against the expected bytes) -> RData -> text -> RData.
    private func checkRoundTrip(_ sample: DNSSECSVCBSample) throws {
        let rdata = try parse(sample.type, sample.text)
        #expect(rdata.type == sample.type)
        #expect(rdata.presentation(type: sample.type) == sample.presentation)
        #expect(HexEncoding.encode(rdata.uncompressedWire) == sample.wireHex)
        let fromWire = try readWire(sample.type, rdata.uncompressedWire)
        #expect(fromWire == rdata)
        let printed = fromWire.presentation(type: sample.type)
        #expect(printed == sample.presentation)
        #expect(try parse(sample.type, printed) == rdata)
        // The generic RFC 3597 form decodes to the same typed value.
        let generic = "\\# \(rdata.uncompressedWire.count) \(sample.wireHex)"
        #expect(try parse(sample.type, generic) == rdata)
    }

    /// NSEC3PARAM is kept as opaque RDATA but read and printed in its own text form: RFC 5155
    /// Appendix A, and the RFC 9276 parameters dnssec-signzone writes as `1 0 0 -`.
    @Test("NSEC3PARAM reads and prints its text form", arguments: [
        ("1 0 12 aabbccdd", "1 0 12 AABBCCDD", "0100000C04AABBCCDD"), ("1 0 0 -", "1 0 0 -", "0100000000"),
    ])
    func nsec3paramText(text: String, presentation: String, wireHex: String) throws {
        let rdata = try parse(.nsec3param, text)
        #expect(rdata == .unknown(hex(wireHex)))
        #expect(rdata.presentation(type: .nsec3param) == presentation)
        #expect(try parse(.nsec3param, presentation) == rdata)
        #expect(try parse(.nsec3param, "\\# \(hex(wireHex).count) \(wireHex)") == rdata)
        #expect(NSEC3PARAM(rdata: hex(wireHex))?.iterations == (text.hasPrefix("1 0 12") ? 12 : 0))
    }

    @Test("DNSSEC types round-trip through text and wire", arguments: dnssecSamples)
    func dnssecRoundTrip(sample: DNSSECSVCBSample) throws {
        try checkRoundTrip(sample)
    }

    @Test("SVCB and HTTPS round-trip through text and wire (RFC 9460 Appendix D)", arguments: svcbSamples)
    func svcbRoundTrip(sample: DNSSECSVCBSample) throws {
        try checkRoundTrip(sample)
    }

    @Test("An IPv4-embedded ipv6hint (RFC 9460 D.2) reads to the right octets")
    func ipv6HintWithEmbeddedIPv4() throws {
        let rdata = try parse(.svcb, #"1 example.com. ipv6hint="2001:db8:ffff:ffff:ffff:ffff:198.51.100.100""#)
        #expect(HexEncoding.encode(rdata.uncompressedWire)
            == "0001076578616D706C6503636F6D00" + "00060010" + "20010DB8FFFFFFFFFFFFFFFFC6336464")
        #expect(try parse(.svcb, rdata.presentation(type: .svcb)) == rdata)
    }

    @Test("Relative names in DNSSEC and SVCB RDATA take the origin")
    func relativeNames() throws {
        let origin = name("example.com.")
        #expect(try parse(.nsec, "host A", origin: origin) == parse(.nsec, "host.example.com. A"))
        #expect(try parse(.svcb, "1 @ port=8443", origin: origin) == parse(.svcb, "1 example.com. port=8443"))
        #expect(try parse(.rrsig, "A 8 3 300 20240101000000 20231201000000 1 @ AA==", origin: origin)
            == parse(.rrsig, "A 8 3 300 20240101000000 20231201000000 1 example.com. AA=="))
    }

    @Test("Names inside DNSSEC and SVCB RDATA are never compressed, but compressed input is read")
    func namesAreNotCompressed() throws {
        let target = name("svc.example.com.")
        for rdata in [try parse(.svcb, "1 svc.example.com. alpn=h2"), try parse(.https, "1 svc.example.com."),
                      try parse(.nsec, "svc.example.com. A"), try parse(.rrsig, "A 8 3 300 1 0 1 svc.example.com. AA==")] {
            guard let type = rdata.type else { continue }
            var writer = WireWriter()
            writer.writeName(target)
            let start = writer.count
            try rdata.write(to: &writer, compress: true)
            #expect(Array(writer.bytes[start...]) == rdata.uncompressedWire, "\(type) RDATA was compressed")
        }
        // A pointer in the target (back to offset 0) still reads, as RFC 3597 §4 asks receivers to allow.
        var message = target.wire
        let rdataStart = message.count
        message += [0x00, 0x01, 0xC0, 0x00]
        var reader = WireReader(message, position: rdataStart)
        let svcb = try SVCB.read(from: &reader)
        #expect(svcb.target == target)
        #expect(reader.isAtEnd)
    }

    @Test("DNSKEY key tag: root KSK-2017 is 20326 (RFC 4034 Appendix B), RSA/MD5 uses the modulus")
    func keyTags() throws {
        guard case .dnskey(let ksk) = try parse(.dnskey, "257 3 8 " + rootKSK2017) else {
            Issue.record("not a DNSKEY")
            return
        }
        #expect(ksk.keyTag == 20326)
        #expect(ksk.isZoneKey && ksk.isSecureEntryPoint && !ksk.isRevoked)
        // Revoking sets bit 8 (RFC 5011), adding 128 to the tag: 20326 + 128.
        var revoked = ksk
        revoked.flags |= 0x0080
        #expect(revoked.keyTag == 20454)
        // Hand computation: RDATA 01 00 03 0F AB CD EF -> 0x0100 + 0x030F + 0xABCD + 0xEF00 = 0x19EDC,
        // carry folded: 0x9EDC + 0x1 = 0x9EDD.
        #expect(DNSKEY(flags: 256, protocol: 3, algorithm: 15, publicKey: [0xAB, 0xCD, 0xEF]).keyTag == 0x9EDD)
        // Algorithm 1: the 16 bits before the last octet of the key (Appendix B.1).
        #expect(DNSKEY(flags: 256, protocol: 3, algorithm: 1, publicKey: [0x01, 0x03, 0x12, 0x34, 0x56]).keyTag == 0x1234)
    }

    @Test("RRSIG times: both text forms, calendar checks, wrap after 2106")
    func rrsigTimes() {
        #expect(DNSSECTime.parse("20030322173103") == 1_048_354_263)
        #expect(DNSSECTime.parse("1048354263") == 1_048_354_263)
        #expect(DNSSECTime.parse("20000229235959") == 951_868_799)
        #expect(DNSSECTime.parse("19700101000000") == 0)
        #expect(DNSSECTime.parse("21060207062815") == UInt32.max)
        #expect(DNSSECTime.parse("21060207062816") == 0)
        #expect(DNSSECTime.format(951_868_799) == "20000229235959")
        #expect(DNSSECTime.format(UInt32.max) == "21060207062815")
        for bad in ["20230229000000", "20231301000000", "20230100000000", "20230101240000", "20230101006000",
                    "20230101000060", "19691231235959", "4294967296", "2003032217310", "+1", "", "2003-03-22"] {
            #expect(DNSSECTime.parse(bad) == nil, "accepted \(bad)")
        }
        // Every day boundary over a long span survives format then parse.
        for day in stride(from: 0, to: 49_710, by: 97) {
            let value = UInt32(day * 86400 + 86399)
            #expect(DNSSECTime.parse(DNSSECTime.format(value)) == value)
        }
    }

    @Test("Base32hex (RFC 4648 §10 vectors, no padding)")
    func base32hex() {
        let vectors: [(String, String)] = [("", ""), ("f", "co"), ("fo", "cpng"), ("foo", "cpnmu"), ("foob", "cpnmuog"),
                                           ("fooba", "cpnmuoj1"), ("foobar", "cpnmuoj1e8")]
        for (plain, encoded) in vectors {
            #expect(Base32HexEncoding.encode(Array(plain.utf8)) == encoded)
            #expect(Base32HexEncoding.decode(encoded) == Array(plain.utf8))
            #expect(Base32HexEncoding.decode(encoded.uppercased()) == Array(plain.utf8))
        }
        // Impossible lengths, padding, letters past 'v', non-zero trailing bits.
        for bad in ["c", "cpn", "cpnmuo", "co======", "cw", "cp", "c1"] {
            #expect(Base32HexEncoding.decode(bad) == nil, "accepted \(bad)")
        }
    }

    @Test("Type bitmap: windows and minimal lengths on write")
    func typeBitmapWrite() throws {
        var bitmap = TypeBitmap([.a, .caa, RecordType(rawValue: 65535), RecordType(rawValue: 0)])
        var writer = WireWriter()
        bitmap.write(to: &writer)
        // Window 0: types 0 and 1; window 1: CAA (257); window 255: type 65535 in octet 31.
        #expect(HexEncoding.encode(writer.bytes) == "0001C0" + "010140" + "FF20" + String(repeating: "00", count: 31) + "01")
        bitmap.remove(RecordType(rawValue: 65535))
        bitmap.insert(.nsec)
        #expect(bitmap.presentation == "TYPE0 A NSEC CAA")
        var reader = WireReader({ var w = WireWriter(); bitmap.write(to: &w); return w.bytes }())
        #expect(try TypeBitmap.read(from: &reader, in: .nsec) == bitmap)
        #expect(Array(bitmap) == [RecordType(rawValue: 0), .a, .nsec, .caa])
    }

    @Test("Hostile type bitmaps are refused, each for its own reason", arguments: [
        ("010140" + "000140", "window 0 after window 1"),
        ("000140" + "000140", "window 0 after window 0"),
        ("000040", "length 0"),
        ("0021" + String(repeating: "FF", count: 33), "length 33"),
        ("00024000", "ends with a zero octet"),
        ("000100", "ends with a zero octet"),   // a window with no types at all
        ("000340", "needs 3 octets, 1 left"),
        ("00", "window header cut short"),
    ])
    func hostileBitmaps(bitmap: String, reason: String) {
        let nsec = badRDataReason(.nsec, "00" + bitmap)
        #expect(nsec?.contains(reason) == true, "NSEC bitmap \(bitmap): \(nsec ?? "accepted")")
        let nsec3 = badRDataReason(.nsec3, "01000000" + "00" + "0101" + bitmap)
        #expect(nsec3?.contains(reason) == true, "NSEC3 bitmap \(bitmap): \(nsec3 ?? "accepted")")
    }

    @Test("Malformed DNSSEC RDATA on the wire is refused")
    func hostileDNSSECWire() {
        #expect(rejectsWire(.ds, "EC450501"))                  // no digest
        #expect(rejectsWire(.ds, "EC4505"))                    // cut in the fixed part
        #expect(rejectsWire(.dnskey, "01010308"))              // no key
        #expect(rejectsWire(.rrsig, "0001050300015180"))       // cut before the times
        #expect(rejectsWire(.rrsig, "00010503000151803E7C9DD73E5510D70A52076578616D706C6500"))  // no signature
        #expect(rejectsWire(.rrsig, "00010503000151803E7C9DD73E5510D70A52076578616D706C"))  // name cut short
        #expect(rejectsWire(.nsec, "04686F7374"))              // name cut short
        #expect(rejectsWire(.nsec3, "010000000000"))           // empty next hash
        #expect(rejectsWire(.nsec3, "0100000005AABB"))         // salt longer than the RDATA
        #expect(rejectsWire(.nsec3, "01000000000501"))         // hash longer than the RDATA
    }

    @Test("Malformed DNSSEC text is refused")
    func hostileDNSSECText() {
        #expect(rejectsText(.ds, "60485 5 1"))
        #expect(rejectsText(.ds, "60485 5 1 2BB"))
        #expect(rejectsText(.ds, "70000 5 1 2BB1"))
        #expect(rejectsText(.dnskey, "257 3 8 AwEAA"))
        #expect(rejectsText(.rrsig, "NOTATYPE 8 0 1 20240101000000 20231201000000 1 . AA=="))
        #expect(rejectsText(.rrsig, "A 8 0 1 20241301000000 20231201000000 1 . AA=="))
        #expect(rejectsText(.rrsig, "A 8 0 1 20240101000000 20231201000000 1 ."))
        #expect(rejectsText(.nsec, "host.example. A BOGUS"))
        #expect(rejectsText(.nsec3, "1 0 0 - ck0q2d6ni4i7eqh8na30ns61o48ul8gw"))  // 'w' is not base32hex
        #expect(rejectsText(.nsec3, "1 0 0 abc ck0q2d6ni4i7eqh8na30ns61o48ul8g5"))  // odd hex salt
        #expect(rejectsText(.nsec3, "1 0 0 -"))
    }

    @Test("SVCB wire: keys out of order, repeated, truncated or malformed values are refused")
    func hostileSVCBWire() {
        // Unbound's v21 (port after alpn order reversed: key 3 then key 1) and v22 (value cut short).
        #expect(rejectsWire(.https, "000100000300021E6100010003026833"))
        #expect(rejectsWire(.https, "000100000300021E"))
        #expect(rejectsWire(.svcb, "000100" + "000300020035" + "000300020035"))  // port twice
        #expect(rejectsWire(.svcb, "000100" + "0003"))                           // key without length
        #expect(rejectsWire(.svcb, "000100" + "00030003003500"))                 // port of 3 octets
        #expect(rejectsWire(.svcb, "000100" + "00020001" + "00"))                // no-default-alpn with a value
        #expect(rejectsWire(.svcb, "000100" + "00010003036832"))                 // alpn id runs past its value
        #expect(rejectsWire(.svcb, "000100" + "00010000"))                       // alpn with no ids
        #expect(rejectsWire(.svcb, "000100" + "0001000200" + "00"))              // empty alpn id
        #expect(rejectsWire(.svcb, "000100" + "00040005C000020101"))             // ipv4hint of 5 octets
        #expect(rejectsWire(.svcb, "000100" + "00040000"))                       // ipv4hint with no address
        #expect(rejectsWire(.svcb, "000100" + "0006000420010DB8"))               // ipv6hint of 4 octets
        #expect(rejectsWire(.svcb, "000100" + "000000020000" + "000300020035"))  // mandatory lists itself
        #expect(rejectsWire(.svcb, "000100" + "000000020003"))                   // mandatory key absent
        #expect(rejectsWire(.svcb, "000100" + "0000000400030001" + "00010003026832" + "000300020035"))  // unsorted
        #expect(rejectsWire(.svcb, "000100" + "0000000400030003" + "000300020035"))  // listed twice
        #expect(rejectsWire(.svcb, "000100" + "00000003000300" + "000300020035"))  // odd length
        #expect(rejectsWire(.svcb, "000100" + "00070002C328"))                   // dohpath not UTF-8
        #expect(rejectsWire(.svcb, "0001"))                                      // no target
    }

    @Test("SVCB text: RFC 9460 D.3 failure cases and other bad params are refused", arguments: [
        "1 foo.example.com. key123=abc key123=def",
        "1 foo.example.com. mandatory",
        "1 foo.example.com. alpn",
        "1 foo.example.com. port",
        "1 foo.example.com. ipv4hint",
        "1 foo.example.com. ipv6hint",
        "1 foo.example.com. no-default-alpn=abc",
        "1 foo.example.com. mandatory=key123",
        "1 foo.example.com. mandatory=mandatory",
        "1 foo.example.com. mandatory=key123,key123 key123=abc",
        "1 foo.example.com. port=53 key3=54",
        "1 foo.example.com. alpn=h2,,h3",
        "1 foo.example.com. alpn=h2,",
        #"1 foo.example.com. alpn=h2\\x"#,
        "1 foo.example.com. port=65536",
        "1 foo.example.com. port=-1",
        "1 foo.example.com. ipv4hint=192.0.2.1,",
        "1 foo.example.com. ipv4hint=2001:db8::1",
        "1 foo.example.com. ipv6hint=192.0.2.1",
        "1 foo.example.com. ech=not*base64",
        "1 foo.example.com. key65536=x",
        "1 foo.example.com. key012=x",
        "1 foo.example.com. unknownkey=x",
        #"1 foo.example.com. "alpn=h2""#,
        "1 foo.example.com. key667=\\300",
        "65536 foo.example.com.",
        "1",
    ])
    func hostileSVCBText(text: String) {
        #expect(rejectsText(.svcb, text))
    }

    @Test("SVCB API: params are sorted, looked up by key, validated")
    func svcbAPI() throws {
        let svcb = try SVCB(priority: 1, target: .root,
                            params: [.port(8443), .mandatory([.port, .alpn]), .alpn([Array("h3".utf8)])])
        #expect(svcb.params.map(\.key) == [.mandatory, .alpn, .port])
        #expect(svcb.param(.mandatory) == .mandatory([.alpn, .port]))
        #expect(svcb.param(.port) == .port(8443))
        #expect(svcb.param(.ech) == nil)
        #expect(!svcb.isAliasMode)
        #expect(svcb.presentation == "1 . mandatory=alpn,port alpn=h3 port=8443")
        #expect(throws: DNSWireError.self) { try SVCB(priority: 1, target: .root, params: [.port(1), .port(2)]) }
        #expect(throws: DNSWireError.self) { try SVCB(priority: 1, target: .root, params: [.mandatory([.ech])]) }
        #expect(throws: DNSWireError.self) { try SVCB(priority: 1, target: .root, params: [.alpn([[]])]) }
        #expect(throws: DNSWireError.self) {
            try SVCB(priority: 1, target: .root, params: [.unknown(key: .port, value: [0, 1])])
        }
        #expect(SvcParamKey(name: "key65535") == SvcParamKey(rawValue: 65535))
        #expect(SvcParamKey(name: "IPV6HINT") == .ipv6Hint)
        #expect(SvcParamKey(rawValue: 8).description == "key8")
    }

    @Test("SVCB text: a value quoted with blanks and escapes keeps its exact octets")
    func svcbQuotedValues() throws {
        let rdata = try parse(.svcb, #"1 . key9="a \"quoted\" value" alpn="h2,http/1.1""#)
        guard case .svcb(let svcb) = rdata else {
            Issue.record("not SVCB")
            return
        }
        #expect(svcb.param(SvcParamKey(rawValue: 9)) == .unknown(key: SvcParamKey(rawValue: 9), value: Array(#"a "quoted" value"#.utf8)))
        #expect(svcb.param(.alpn) == .alpn([Array("h2".utf8), Array("http/1.1".utf8)]))
        #expect(try parse(.svcb, rdata.presentation(type: .svcb)) == rdata)
    }
}
