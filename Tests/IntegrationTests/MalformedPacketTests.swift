import Testing

/// Bytes no client library would send. dnsd must survive all of them, answer FORMERR when the
/// header is readable (RFC 1035 section 4.1.1), and keep answering real queries afterwards.
@Suite("Malformed packets")
struct MalformedPacketTests {
    /// Still answering a real query: the server survived what came before.
    static func expectAlive(_ dnsd: DnsdProcess, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let socket = try DNSSocket.udp(port: dnsd.port)
        try socket.sendMessage(RawDNS.query(id: 0x7777, name: "www.example.test", type: RawDNS.typeA))
        let reply = socket.receiveMessage().flatMap(RawHeader.init)
        #expect(reply?.id == 0x7777 && reply?.rcode == RawRcode.noError && reply?.ancount == 1,
                "dnsd stopped answering: \(String(describing: reply))\n\(dnsd.stderr)", sourceLocation: sourceLocation)
        #expect(dnsd.process.isRunning, "dnsd exited\n\(dnsd.stderr)", sourceLocation: sourceLocation)
    }

    @Test("packets shorter than a header are dropped and the server lives")
    func shorterThanHeader() throws {
        try DnsdProcess.with { dnsd in
            let socket = try DNSSocket.udp(port: dnsd.port, timeout: 0.5)
            for garbage: [UInt8] in [[], [0x00], [0xDE, 0xAD, 0xBE, 0xEF, 0x01], Array(repeating: 0xFF, count: 11)] {
                try socket.sendRaw(garbage)
            }
            // Nothing to echo an ID into: no reply is the right reply.
            #expect(socket.receiveMessage() == nil)
            try Self.expectAlive(dnsd)
        }
    }

    /// A packet whose header is readable but whose body is not.
    struct BrokenQuery: CustomStringConvertible, Sendable {
        var description: String
        var packet: [UInt8]
    }

    static let brokenQueries: [BrokenQuery] = {
        let header: [UInt8] = RawDNS.header(id: 0x1001, flags: 0x0100, qdcount: 1)
        let www: [UInt8] = RawDNS.name("www.example.test")
        let typeAndClass: [UInt8] = [0, 1, 0, 1]
        let longLabel: [UInt8] = [64] + [UInt8](repeating: 0x61, count: 64) + [0]
        let threeAnswers: [UInt8] = RawDNS.header(id: 0x1001, flags: 0x0100, qdcount: 1, ancount: 3)
        return [
            BrokenQuery(description: "header claims a question that is missing", packet: header),
            BrokenQuery(description: "question name cut off", packet: header + [3, 0x77, 0x77]),
            BrokenQuery(description: "question without type and class", packet: header + www),
            BrokenQuery(description: "label longer than 63", packet: header + longLabel + typeAndClass),
            BrokenQuery(description: "compression pointer loop", packet: header + [0xC0, 12] + typeAndClass),
            BrokenQuery(description: "answer count with no records", packet: threeAnswers + www + typeAndClass),
        ]
    }()

    @Test("a readable header with a broken question gets FORMERR with the same ID", arguments: brokenQueries)
    func formerr(_ broken: BrokenQuery) throws {
        let label = broken.description
        let packet = broken.packet
        try DnsdProcess.with { dnsd in
            let socket = try DNSSocket.udp(port: dnsd.port)
            try socket.sendRaw(packet)
            let reply = socket.receiveMessage().flatMap(RawHeader.init)
            let expectedID = UInt16(packet[0]) << 8 | UInt16(packet[1])
            #expect(reply != nil, "no reply to: \(label)\n\(dnsd.stderr)")
            #expect(reply?.id == expectedID, "\(label): \(String(describing: reply))")
            #expect(reply?.isResponse == true, "\(label): \(String(describing: reply))")
            #expect(reply?.rcode == RawRcode.formErr, "\(label): \(String(describing: reply))")
            try Self.expectAlive(dnsd)
        }
    }

    @Test("an unsupported opcode gets NOTIMP with the same ID")
    func notImplementedOpcode() throws {
        try DnsdProcess.with { dnsd in
            let socket = try DNSSocket.udp(port: dnsd.port)
            // Opcode 2 (STATUS) in bits 11-14 of the flags word.
            try socket.sendMessage(RawDNS.query(id: 0x2002, name: "example.test", type: RawDNS.typeSOA, flags: 2 << 11))
            let reply = socket.receiveMessage().flatMap(RawHeader.init)
            #expect(reply?.id == 0x2002 && reply?.isResponse == true, "\(String(describing: reply))")
            #expect(reply?.rcode == RawRcode.notImp, "\(String(describing: reply))")
            #expect(reply?.opcode == 2, "the opcode is echoed: \(String(describing: reply))")
        }
    }

    @Test("a response packet is never answered (no reflection loops)")
    func responsesAreIgnored() throws {
        try DnsdProcess.with { dnsd in
            let socket = try DNSSocket.udp(port: dnsd.port, timeout: 0.5)
            try socket.sendMessage(RawDNS.query(id: 0x3003, name: "www.example.test", type: RawDNS.typeA, flags: 0x8100))
            #expect(socket.receiveMessage() == nil, "dnsd answered a packet with QR set")
            try Self.expectAlive(dnsd)
        }
    }

    @Test("random bytes with a readable header never kill the server")
    func randomBodies() throws {
        try DnsdProcess.with { dnsd in
            var generator = SystemRandomNumberGenerator()
            let socket = try DNSSocket.udp(port: dnsd.port, timeout: 0.05)
            for id in 0..<300 {
                // QR clear and opcode QUERY, so the server must read further than the header.
                let counts = (0..<4).map { _ in UInt16.random(in: 0...3, using: &generator) }
                var packet = RawDNS.header(id: UInt16(id), flags: 0x0100, qdcount: counts[0], ancount: counts[1],
                                           nscount: counts[2], arcount: counts[3])
                packet += (0..<Int.random(in: 0...80, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                try socket.sendRaw(packet)
                _ = socket.receiveMessage()
            }
            try Self.expectAlive(dnsd)
        }
    }

    @Test("garbage over TCP is survived")
    func tcpGarbage() throws {
        try DnsdProcess.with { dnsd in
            // A length prefix promising 5 bytes of nonsense.
            let first = try DNSSocket.tcp(port: dnsd.port)
            try first.sendRaw([0x00, 0x05, 0xDE, 0xAD, 0xBE, 0xEF, 0x00])
            // A readable header with a cut question, framed correctly: FORMERR on the stream.
            let second = try DNSSocket.tcp(port: dnsd.port)
            try second.sendMessage(RawDNS.header(id: 0x4004, flags: 0x0100, qdcount: 1) + [3, 0x77])
            let reply = second.receiveMessage().flatMap(RawHeader.init)
            #expect(reply?.id == 0x4004 && reply?.rcode == RawRcode.formErr, "\(String(describing: reply))")
            // A length prefix and then the connection closes half-way.
            let third = try DNSSocket.tcp(port: dnsd.port)
            try third.sendRaw([0x01, 0x00, 0x12])
            try Self.expectAlive(dnsd)
        }
    }
}
