import Testing
@testable import DNSProto

/// Inputs an attacker controls must end in an error value, never a trap or a hang.
@Suite("Hostile wire input")
struct HostileInputTests {
    /// A header with the given counts, then `body`.
    static func packet(qd: UInt8 = 1, an: UInt8 = 0, ns: UInt8 = 0, ar: UInt8 = 0, _ body: [UInt8]) -> [UInt8] {
        [0x12, 0x34, 0x01, 0x00, 0, qd, 0, an, 0, ns, 0, ar] + body
    }

    @Test func pointerLoopIsRejected() {
        // The question name is a pointer to itself (offset 12).
        let selfLoop = Self.packet([0xC0, 0x0C, 0, 1, 0, 1])
        #expect(throws: DNSWireError.self) { try Message(wire: selfLoop) }
        // Two names pointing at each other: 12 -> 14 -> 12.
        let pair = Self.packet(qd: 2, [0xC0, 0x0E, 0xC0, 0x0C, 0, 1, 0, 1])
        #expect(throws: DNSWireError.self) { try Message(wire: pair) }
    }

    @Test func forwardPointerIsRejected() {
        let forward = Self.packet([0xC0, 0x12, 0, 1, 0, 1, 1, 97, 0])
        #expect(throws: DNSWireError.badPointer(offset: 12)) { try Message(wire: forward) }
    }

    @Test func labelOverrunIsRejected() {
        // Label claims 40 bytes but the packet ends.
        #expect(throws: DNSWireError.self) { try Message(wire: Self.packet([40, 97, 98, 99])) }
        // Reserved label types 0x40 and 0x80.
        #expect(throws: DNSWireError.badLabel(offset: 12)) { try Message(wire: Self.packet([0x41, 0, 0, 1, 0, 1])) }
        #expect(throws: DNSWireError.badLabel(offset: 12)) { try Message(wire: Self.packet([0x80, 0, 0, 1, 0, 1])) }
    }

    static func pointer(to offset: Int) -> [UInt8] { [0xC0 | UInt8(offset >> 8), UInt8(offset & 0xFF)] }

    @Test func overlongNameViaPointersIsRejected() {
        // Questions whose names each add a 63-byte label to the previous one through a backward
        // pointer: the fifth is 5 * 64 + 1 = 321 octets long, over the 255 limit.
        var body: [UInt8] = [0, 0, 1, 0, 1]  // offset 12: the root, type A, class IN
        var previous = 12
        for _ in 0..<5 {
            let offset = 12 + body.count
            body += [63] + Array(repeating: 97, count: 63) + Self.pointer(to: previous) + [0, 1, 0, 1]
            previous = offset
        }
        let packet: [UInt8] = [0x12, 0x34, 0x01, 0x00, 0, 6, 0, 0, 0, 0, 0, 0] + body
        #expect(throws: DNSWireError.nameTooLong) { try Message(wire: packet) }
        // Four of them (257 octets with the root) are still too long; three (193) are fine.
        let three = Array(packet.prefix(12 + 5 + 3 * 70))
        var threeHeader = three
        threeHeader[5] = 4
        #expect(throws: Never.self) { try Message(wire: threeHeader) }
    }

    @Test func truncatedRecordsAreRejected() throws {
        let query = try MessageTests.query("example.", .a)
        var response = Message.response(to: query)
        response.answers.append(ResourceRecord(name: try DNSName("example."), ttl: 1, rdata: .a(IPv4Address(bytes: [1, 2, 3, 4])!)))
        let wire = try response.encode()
        for cut in 12..<wire.count {
            #expect(throws: DNSWireError.self) { try Message(wire: Array(wire.prefix(cut))) }
        }
    }

    @Test func countsThatLieAreRejected() throws {
        var wire = try MessageTests.query("example.", .a).encode()
        wire[7] = 200  // ANCOUNT 200, no records
        #expect(throws: DNSWireError.self) { try Message(wire: wire) }
        wire[7] = 0
        wire[4] = 0xFF; wire[5] = 0xFF  // QDCOUNT 65535
        #expect(throws: DNSWireError.countMismatch(section: "header")) { try Message(wire: wire) }
    }

    @Test func rdlengthThatDisagreesWithTheTypeIsRejected() {
        // An A record with RDLENGTH 5.
        let record: [UInt8] = [0, 0, 1, 0, 1, 0, 0, 0, 60, 0, 5, 1, 2, 3, 4, 5]
        #expect(throws: DNSWireError.self) { try Message(wire: Self.packet(qd: 0, an: 1, record)) }
        // RDLENGTH past the end of the packet.
        let long: [UInt8] = [0, 0, 16, 0, 1, 0, 0, 0, 60, 0, 200, 1]
        #expect(throws: DNSWireError.self) { try Message(wire: Self.packet(qd: 0, an: 1, long)) }
    }

    @Test func misplacedOrDuplicateOPTIsRejected() {
        let opt: [UInt8] = [0, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0, 0]
        #expect(throws: DNSWireError.self) { try Message(wire: Self.packet(qd: 0, ar: 2, opt + opt)) }
        #expect(throws: DNSWireError.self) { try Message(wire: Self.packet(qd: 0, an: 1, opt)) }
        let nonRootOwner: [UInt8] = [1, 97, 0, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0, 0]
        #expect(throws: DNSWireError.self) { try Message(wire: Self.packet(qd: 0, ar: 1, nonRootOwner)) }
    }

    @Test func headerPeekNeedsTwelveBytes() {
        #expect(Header.peek([1, 2, 3]) == nil)
        #expect(Header.peek(Self.packet([]))?.id == 0x1234)
    }

    /// Random bytes (seeded, so a failure reproduces) never trap.
    @Test func randomBytesNeverTrap() {
        var generator = SeededGenerator(seed: 0x5EED)
        var parsed = 0
        for _ in 0..<20000 {
            let length = Int.random(in: 0..<300, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if bytes.count >= 12 { bytes[4] = 0; bytes[5] = 1; bytes[6] = 0; bytes[8] = 0; bytes[10] = 0 }
            if let message = try? Message(wire: bytes) {
                parsed += 1
                #expect(throws: Never.self) { _ = try Message(wire: try message.encode()) }
            }
        }
        #expect(parsed >= 0)
    }
}

/// SplitMix64: a small deterministic generator for reproducible random tests.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
}
