/// TLSA RDATA (RFC 6698 §2.1): DANE certificate association data for a TLS service.
public struct TLSA: RDataPayload {
    /// Certificate usage: 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE.
    public let usage: UInt8
    /// Which part is matched: 0 the full certificate, 1 the SubjectPublicKeyInfo.
    public let selector: UInt8
    /// How it is matched: 0 exact, 1 SHA-256, 2 SHA-512.
    public let matchingType: UInt8
    /// The certificate association data; never empty.
    public let data: [UInt8]

    /// Throws when the data is empty (it would have no presentation form) or too long.
    public init(usage: UInt8, selector: UInt8, matchingType: UInt8, data: [UInt8]) throws {
        guard !data.isEmpty, data.count <= 65532 else {
            throw DNSWireError.unencodable("TLSA association data must be 1-65532 octets")
        }
        self.init(validatedUsage: usage, selector: selector, matchingType: matchingType, data: data)
    }

    private init(validatedUsage usage: UInt8, selector: UInt8, matchingType: UInt8, data: [UInt8]) {
        self.usage = usage
        self.selector = selector
        self.matchingType = matchingType
        self.data = data
    }

    /// Reads three octets and the association data (the rest of the RDATA, at least one octet).
    public static func read(from reader: inout WireReader) throws -> TLSA {
        try reader.readRDataFields(of: .tlsa) { reader in
            let usage = try reader.readU8()
            let selector = try reader.readU8()
            let matchingType = try reader.readU8()
            guard !reader.isAtEnd else {
                throw DNSWireError.badRData(type: RecordType.tlsa.rawValue, reason: "empty certificate association data")
            }
            return TLSA(validatedUsage: usage, selector: selector, matchingType: matchingType, data: reader.readRest())
        }
    }

    /// Writes the fields; TLSA holds no names.
    public func write(to writer: inout WireWriter, compress: Bool) throws {
        writer.writeU8(usage)
        writer.writeU8(selector)
        writer.writeU8(matchingType)
        writer.writeBytes(data)
    }

    /// `USAGE SELECTOR MATCHING-TYPE HEX...` (the hex may be split by spaces).
    public init(text: inout RDataTextReader) throws {
        let usage: UInt8 = try text.integer("TLSA certificate usage")
        let selector: UInt8 = try text.integer("TLSA selector")
        let matchingType: UInt8 = try text.integer("TLSA matching type")
        let first = text.peek()
        let data = try text.hexRest("TLSA certificate association data")
        guard data.count <= 65532 else { throw text.error("TLSA data is too long for RDATA", at: first) }
        self.init(validatedUsage: usage, selector: selector, matchingType: matchingType, data: data)
    }

    /// `3 1 1 HEX` with upper-case hex.
    public var presentation: String { "\(usage) \(selector) \(matchingType) \(HexEncoding.encode(data))" }
}
