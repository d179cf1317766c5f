import Testing
@testable import DNSProto

@Suite("Message wire format")
struct MessageTests {
    static func query(_ name: String, _ type: RecordType, edns: EDNS? = nil) throws -> Message {
        var header = Header(id: 0xBEEF)
        header.recursionDesired = true
        return Message(header: header, questions: [Question(name: try DNSName(name), type: type)], edns: edns)
    }

    @Test func queryRoundTrips() throws {
        let query = try Self.query("Www.Example.com.", .aaaa, edns: EDNS(udpPayloadSize: 4096, dnssecOK: true))
        let wire = try query.encode()
        let parsed = try Message(wire: wire)
        #expect(parsed == query)
        #expect(parsed.question?.name.description == "Www.Example.com.")
        #expect(parsed.edns?.dnssecOK == true)
        #expect(wire.count == 12 + 17 + 4 + 11)  // header, name, type+class, OPT
    }

    @Test func compressesRepeatedNames() throws {
        var response = Message.response(to: try Self.query("example.com.", .mx))
        let owner = try DNSName("example.com.")
        for preference in [10, 20] as [UInt16] {
            response.answers.append(ResourceRecord(name: owner, ttl: 300, rdata: .mx(MX(preference: preference, exchange: try DNSName("mail.example.com.")))))
        }
        let wire = try response.encode()
        // Owner names become 2-byte pointers to the question (offset 12 = 0xC00C).
        #expect(wire[29...30] == [0xC0, 0x0C])
        let parsed = try Message(wire: wire)
        #expect(parsed.answers == response.answers)
        let uncompressedSize = 12 + 17 + 2 * (13 + 10 + 2 + 18)
        #expect(wire.count < uncompressedSize - 20)
    }

    @Test func compressionIgnoresCaseFollowsPointersAndForgetsTruncatedNames() throws {
        var writer = WireWriter()
        writer.writeName(try DNSName("www.Example.COM."))        // 0: 3www 7example 3com 0
        writer.writeName(try DNSName("mail.example.com."))       // 17: 4mail + pointer to 4
        #expect(writer.bytes[17...] == [4, 0x6D, 0x61, 0x69, 0x6C, 0xC0, 0x04])
        // "mail.example.com" is itself a target, reached through its own pointer.
        writer.writeName(try DNSName("MAIL.example.com."))
        #expect(writer.bytes[24...] == [0xC0, 17])
        writer.writeName(try DNSName("com."))
        #expect(writer.bytes[26...] == [0xC0, 12])
        // A name that repeats its own label must not match itself while being written.
        writer.writeName(try DNSName("x.x."))
        #expect(writer.bytes[28...] == [1, 0x78, 1, 0x78, 0])
        writer.truncate(to: 17)
        writer.writeName(try DNSName("mail.example.com."))
        #expect(writer.bytes[17...] == [4, 0x6D, 0x61, 0x69, 0x6C, 0xC0, 0x04])
        // Uncompressed names are written whole and still become targets.
        writer.writeName(try DNSName("a.com."), compress: false)
        writer.writeName(try DNSName("a.com."))
        #expect(writer.bytes[24...] == [1, 0x61, 3, 0x63, 0x6F, 0x6D, 0, 0xC0, 24])
    }

    @Test func extendedRcodeUsesTheOPTRecord() throws {
        var response = Message.response(to: try Self.query("a.", .a, edns: EDNS()), rcode: .badVers)
        #expect(response.header.rcodeLow == 0)
        #expect(response.edns?.extendedRcode == 1)
        let parsed = try Message(wire: try response.encode())
        #expect(parsed.rcode == .badVers)
        response.rcode = .nxDomain
        #expect(try Message(wire: try response.encode()).rcode == .nxDomain)
    }

    @Test func ednsOptionsRoundTrip() throws {
        let options: [EDNSOption] = [
            .clientSubnet(ClientSubnet(family: 1, address: [192, 0, 2, 77], sourcePrefixLength: 24)),
            .cookie(client: [1, 2, 3, 4, 5, 6, 7, 8], server: Array(repeating: 9, count: 16)),
            .padding(length: 17),
            .extendedError(code: ExtendedErrorCode.staleAnswer, text: "stale"),
            .tcpKeepalive(timeout: 300),
            .tcpKeepalive(timeout: nil),
            .unknown(code: 65001, data: [0xDE, 0xAD]),
        ]
        let query = try Self.query("example.", .a, edns: EDNS(options: options))
        let parsed = try Message(wire: try query.encode())
        #expect(parsed.edns?.options == options)
        #expect(parsed.edns?.clientSubnet?.address == [192, 0, 2])
        #expect(parsed.edns?.clientSubnet?.description == "192.0.2.0/24/0")
    }

    @Test func malformedEDNSOptionsAreErrors() throws {
        // Client subnet /24 with 4 address octets (must be 3): RFC 7871 §6 says FORMERR.
        for data in [[0, 1, 24, 0, 192, 0, 2, 1], [0, 3, 8, 0, 1], [0, 1, 33, 0, 1, 2, 3, 4, 5], [0, 1, 23, 0, 192, 0, 3]] as [[UInt8]] {
            #expect(throws: DNSWireError.self) { try EDNSOption.decode(code: EDNSOption.clientSubnetCode, data: data) }
        }
        #expect(throws: DNSWireError.self) { try EDNSOption.decode(code: EDNSOption.cookieCode, data: [1, 2, 3]) }
        #expect(throws: DNSWireError.self) { try EDNSOption.decode(code: EDNSOption.cookieCode, data: Array(repeating: 1, count: 12)) }
        #expect(throws: DNSWireError.self) { try EDNSOption.decode(code: EDNSOption.tcpKeepaliveCode, data: [1]) }
    }

    @Test func unknownTypesAndClassesKeepTheirBytes() throws {
        var response = Message.response(to: try Self.query("x.example.", RecordType(rawValue: 65280)))
        let opaque: [UInt8] = [0, 1, 2, 0xC0, 0x0C, 0xFF]  // bytes that look like a pointer stay bytes
        response.answers.append(ResourceRecord(name: try DNSName("x.example."), type: RecordType(rawValue: 65280), ttl: 60, rdata: .unknown(opaque)))
        response.answers.append(ResourceRecord(name: try DNSName("x.example."), type: .a, recordClass: .chaos, ttl: 60, rdata: .unknown([1, 2])))
        let wire = try response.encode()
        let parsed = try Message(wire: wire)
        #expect(parsed.answers == response.answers)
        #expect(try parsed.encode() == wire)
        #expect(parsed.answers[0].description.hasSuffix("\\# 6 000102C00CFF"))
    }

    @Test func truncatesAtAnRRsetBoundaryAndSetsTC() throws {
        var response = Message.response(to: try Self.query("big.example.", .txt))
        let owner = try DNSName("big.example.")
        for index in 0..<20 {
            response.answers.append(ResourceRecord(name: owner, ttl: 60, rdata: .txt(try TXT(strings: [Array(repeating: UInt8(65 + index), count: 40)]))))
        }
        response.additionals.append(ResourceRecord(name: owner, ttl: 60, rdata: .a(IPv4Address(bytes: [192, 0, 2, 1])!)))
        let wire = try response.encode(maxSize: 512)
        #expect(wire.count <= 512)
        let parsed = try Message(wire: wire)
        #expect(parsed.header.truncated)
        // The whole TXT RRset did not fit, so none of it is sent.
        #expect(parsed.answers.isEmpty)
        #expect(parsed.additionals.isEmpty)
        let full = try Message(wire: try response.encode())
        #expect(!full.header.truncated)
        #expect(full.answers.count == 20)
    }

    @Test func droppingOnlyAdditionalDataDoesNotSetTC() throws {
        var response = Message.response(to: try Self.query("a.example.", .a, edns: EDNS()))
        response.answers.append(ResourceRecord(name: try DNSName("a.example."), ttl: 60, rdata: .a(IPv4Address(bytes: [192, 0, 2, 1])!)))
        for index in 0..<40 {
            response.additionals.append(ResourceRecord(name: try DNSName("host\(index).example."), ttl: 60,
                                                       rdata: .aaaa(IPv6Address(bytes: Array(repeating: UInt8(index), count: 16))!)))
        }
        let parsed = try Message(wire: try response.encode(maxSize: 512))
        #expect(!parsed.header.truncated)
        #expect(parsed.answers.count == 1)
        #expect(parsed.additionals.count < 40)
        #expect(parsed.edns != nil, "the OPT record is always kept")
    }
}
