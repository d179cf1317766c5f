/// Hand-built DNS packets and a reading of response headers, independent of DNSProto: the
/// readiness probe and the malformed-packet tests must not depend on the code under test.
enum RawDNS {
    static let typeA: UInt16 = 1
    static let typeSOA: UInt16 = 6
    static let typeOPT: UInt16 = 41

    /// Wire form of a dotted name (no escapes; test names only).
    static func name(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for label in text.split(separator: ".") {
            let utf8 = Array(label.utf8)
            bytes.append(UInt8(utf8.count))
            bytes += utf8
        }
        bytes.append(0)
        return bytes
    }

    /// A one-question query. `flags` is the header's flags word (default: RD, opcode QUERY);
    /// `udpPayloadSize` adds an OPT record (RFC 6891) when given.
    static func query(id: UInt16, name qname: String, type: UInt16, flags: UInt16 = 0x0100,
                      udpPayloadSize: UInt16? = nil) -> [UInt8] {
        var bytes = header(id: id, flags: flags, qdcount: 1, arcount: udpPayloadSize == nil ? 0 : 1)
        bytes += name(qname)
        bytes += be16(type) + be16(1)
        if let size = udpPayloadSize {
            bytes += [0] + be16(typeOPT) + be16(size) + [0, 0, 0, 0] + be16(0)
        }
        return bytes
    }

    /// A bare 12-byte header.
    static func header(id: UInt16, flags: UInt16, qdcount: UInt16 = 0, ancount: UInt16 = 0,
                       nscount: UInt16 = 0, arcount: UInt16 = 0) -> [UInt8] {
        be16(id) + be16(flags) + be16(qdcount) + be16(ancount) + be16(nscount) + be16(arcount)
    }

    static func be16(_ value: UInt16) -> [UInt8] {
        [UInt8(value >> 8), UInt8(value & 0xFF)]
    }
}

/// The fixed header of a response, read straight from its bytes (RFC 1035 section 4.1.1).
struct RawHeader: CustomStringConvertible {
    var id: UInt16
    var flags: UInt16
    var qdcount: UInt16
    var ancount: UInt16
    var nscount: UInt16
    var arcount: UInt16

    /// nil when fewer than 12 bytes arrived.
    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 12 else { return nil }
        func word(_ at: Int) -> UInt16 { UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1]) }
        id = word(0)
        flags = word(2)
        qdcount = word(4)
        ancount = word(6)
        nscount = word(8)
        arcount = word(10)
    }

    var isResponse: Bool { flags & 0x8000 != 0 }
    var opcode: UInt16 { (flags >> 11) & 0x0F }
    var authoritative: Bool { flags & 0x0400 != 0 }
    var truncated: Bool { flags & 0x0200 != 0 }
    var recursionDesired: Bool { flags & 0x0100 != 0 }
    var recursionAvailable: Bool { flags & 0x0080 != 0 }
    /// The low four bits; enough for every rcode these tests expect.
    var rcode: UInt16 { flags & 0x000F }

    var description: String {
        "id=\(id) flags=0x\(String(flags, radix: 16)) rcode=\(rcode) qd=\(qdcount) an=\(ancount) ns=\(nscount) ar=\(arcount)"
    }
}

/// Response codes the tests name (RFC 1035, RFC 6895).
enum RawRcode {
    static let noError: UInt16 = 0
    static let formErr: UInt16 = 1
    static let nxDomain: UInt16 = 3
    static let notImp: UInt16 = 4
    static let refused: UInt16 = 5
}
