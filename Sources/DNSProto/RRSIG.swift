/// RRSIG RDATA (RFC 4034 §3): a signature over one RRset, with the validity window and the
/// key that made it.
public struct RRSIG: RDataPayload {
    /// The type of the RRset this signature covers.
    public var typeCovered: RecordType
    /// DNSSEC algorithm number of the signing key.
    public var algorithm: UInt8
    /// Labels in the original owner name, not counting the root or a leading `*`
    /// (RFC 4034 §3.1.3); fewer than the owner's means the answer came from a wildcard.
    public var labels: UInt8
    /// The RRset's TTL as it stands in the authoritative zone.
    public var originalTTL: UInt32
    /// End of the validity window: seconds since 1970 in serial number arithmetic
    /// (RFC 4034 §3.1.5), so the value wraps after 2106.
    public var expiration: UInt32
    /// Start of the validity window, in the same form as `expiration`.
    public var inception: UInt32
    /// Key tag of the DNSKEY that verifies the signature.
    public var keyTag: UInt16
    /// Owner of that DNSKEY: the zone that signed. Never compressed (RFC 4034 §3.1.7).
    public var signerName: DNSName
    /// The signature in the algorithm's format; never empty.
    public var signature: [UInt8]

    /// An RRSIG record's fields.
    public init(typeCovered: RecordType, algorithm: UInt8, labels: UInt8, originalTTL: UInt32, expiration: UInt32,
                inception: UInt32, keyTag: UInt16, signerName: DNSName, signature: [UInt8]) {
        self.typeCovered = typeCovered
        self.algorithm = algorithm
        self.labels = labels
        self.originalTTL = originalTTL
        self.expiration = expiration
        self.inception = inception
        self.keyTag = keyTag
        self.signerName = signerName
        self.signature = signature
    }

    /// Reads the fixed fields, the signer name (decompressing leniently) and the signature up
    /// to the end of the RDATA. An empty signature has no presentation form and is refused.
    public static func read(from reader: inout WireReader) throws -> RRSIG {
        try reader.readRDataFields(of: .rrsig) { reader in
            let typeCovered = RecordType(rawValue: try reader.readU16())
            let algorithm = try reader.readU8()
            let labels = try reader.readU8()
            let originalTTL = try reader.readU32()
            let expiration = try reader.readU32()
            let inception = try reader.readU32()
            let keyTag = try reader.readU16()
            let signerName = try reader.readName()
            guard !reader.isAtEnd else {
                throw DNSWireError.badRData(type: RecordType.rrsig.rawValue, reason: "RRSIG signature is empty")
            }
            return RRSIG(typeCovered: typeCovered, algorithm: algorithm, labels: labels, originalTTL: originalTTL,
                         expiration: expiration, inception: inception, keyTag: keyTag, signerName: signerName,
                         signature: reader.readRest())
        }
    }

    /// The signer name is written uncompressed (RFC 4034 §3.1.7), whatever `compress` says.
    public func write(to writer: inout WireWriter, compress: Bool) throws {
        writer.writeU16(typeCovered.rawValue)
        writer.writeU8(algorithm)
        writer.writeU8(labels)
        writer.writeU32(originalTTL)
        writer.writeU32(expiration)
        writer.writeU32(inception)
        writer.writeU16(keyTag)
        writer.writeName(signerName, compress: false)
        writer.writeBytes(signature)
    }

    /// `TYPE ALGORITHM LABELS ORIGTTL EXPIRATION INCEPTION KEYTAG SIGNER BASE64...`; the times
    /// are `YYYYMMDDHHmmSS` (UTC) or plain seconds (RFC 4034 §3.2), the base64 may be split.
    public init(text: inout RDataTextReader) throws {
        let typeToken = try text.next("type covered")
        guard !typeToken.quoted, let type = RecordType(mnemonic: typeToken.text) else {
            throw text.error("expected the type covered (a mnemonic or TYPEnnn), found '\(typeToken.text)'", at: typeToken)
        }
        typeCovered = type
        algorithm = try text.integer("RRSIG algorithm")
        labels = try text.integer("RRSIG label count")
        originalTTL = try text.integer("original TTL")
        expiration = try Self.time(&text, "signature expiration")
        inception = try Self.time(&text, "signature inception")
        keyTag = try text.integer("RRSIG key tag")
        signerName = try text.name("signer name")
        signature = try text.base64Rest("RRSIG signature")
    }

    private static func time(_ text: inout RDataTextReader, _ expected: String) throws -> UInt32 {
        let token = try text.next(expected)
        guard !token.quoted, let value = DNSSECTime.parse(token.text) else {
            throw text.error("expected \(expected) as YYYYMMDDHHmmSS (UTC) or seconds since 1970, found '\(token.text)'", at: token)
        }
        return value
    }

    /// `A 8 2 3600 20240201000000 20240101000000 12345 example.com. BASE64`
    public var presentation: String {
        "\(typeCovered) \(algorithm) \(labels) \(originalTTL) \(DNSSECTime.format(expiration)) "
            + "\(DNSSECTime.format(inception)) \(keyTag) \(signerName) \(Base64Encoding.encode(signature))"
    }
}

/// The RRSIG time fields in text (RFC 4034 §3.2): `YYYYMMDDHHmmSS` in UTC, or plain seconds.
enum DNSSECTime {
    /// Parses 14 digits as a UTC date and time (year 1970 or later; dates past 2106 wrap, as the
    /// field is serial number arithmetic, RFC 4034 §3.1.5), or up to 10 digits as seconds.
    static func parse(_ text: String) -> UInt32? {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.allSatisfy(PresentationEscapes.isDigit) else { return nil }
        guard digits.count == 14 else {
            return digits.count <= 10 ? UInt32(text) : nil
        }
        func number(_ range: Range<Int>) -> Int {
            digits[range].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        }
        let year = number(0..<4), month = number(4..<6), day = number(6..<8)
        let hour = number(8..<10), minute = number(10..<12), second = number(12..<14)
        guard year >= 1970, (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
              hour < 24, minute < 60, second < 60 else { return nil }
        let seconds = daysFromCivil(year: year, month: month, day: day) * 86400 + hour * 3600 + minute * 60 + second
        return UInt32(truncatingIfNeeded: seconds)
    }

    /// `YYYYMMDDHHmmSS` for a value read as seconds since 1970 (so 1970 to 2106).
    static func format(_ value: UInt32) -> String {
        let seconds = Int(value)
        let (year, month, day) = civilFromDays(seconds / 86400)
        let time = seconds % 86400
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return pad(year, 4) + pad(month, 2) + pad(day, 2) + pad(time / 3600, 2) + pad(time / 60 % 60, 2) + pad(time % 60, 2)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`);
    /// only used for years from 1970, so no negative-era handling is needed.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }

    /// The inverse of `daysFromCivil` for non-negative day counts.
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719468
        let era = z / 146097
        let dayOfEra = z - era * 146097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
