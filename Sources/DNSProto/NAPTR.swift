/// NAPTR RDATA (RFC 3403 §4.1): a rewrite rule of the Dynamic Delegation Discovery System.
public struct NAPTR: RDataPayload {
    /// Rules are applied in increasing order.
    public let order: UInt16
    /// Among rules of equal order, lower is preferred.
    public let preference: UInt16
    /// Flags such as `S`, `A`, `U`, `P` (at most 255 octets).
    public let flags: [UInt8]
    /// Service parameters, e.g. `SIP+D2U` (at most 255 octets).
    public let services: [UInt8]
    /// A substitution expression (at most 255 octets); empty when `replacement` is used.
    public let regexp: [UInt8]
    /// The next name to look up; the root when `regexp` is used.
    public let replacement: DNSName

    /// Throws when a character-string field is over 255 octets.
    public init(order: UInt16, preference: UInt16, flags: [UInt8], services: [UInt8], regexp: [UInt8], replacement: DNSName) throws {
        guard flags.count <= 255, services.count <= 255, regexp.count <= 255 else {
            throw DNSWireError.unencodable("NAPTR character-string longer than 255 octets")
        }
        self.init(validatedOrder: order, preference: preference, flags: flags, services: services, regexp: regexp, replacement: replacement)
    }

    private init(validatedOrder order: UInt16, preference: UInt16, flags: [UInt8], services: [UInt8], regexp: [UInt8], replacement: DNSName) {
        self.order = order
        self.preference = preference
        self.flags = flags
        self.services = services
        self.regexp = regexp
        self.replacement = replacement
    }

    /// Reads two 16-bit fields, three character-strings and the replacement name.
    public static func read(from reader: inout WireReader) throws -> NAPTR {
        try reader.readRDataFields(of: .naptr) { reader in
            NAPTR(validatedOrder: try reader.readU16(), preference: try reader.readU16(),
                  flags: try reader.readCharacterString(), services: try reader.readCharacterString(),
                  regexp: try reader.readCharacterString(), replacement: try reader.readName())
        }
    }

    /// The replacement is never compressed (RFC 3403 §4.1; RFC 3597 §4).
    public func write(to writer: inout WireWriter, compress: Bool) throws {
        writer.writeU16(order)
        writer.writeU16(preference)
        try writer.writeCharacterString(flags)
        try writer.writeCharacterString(services)
        try writer.writeCharacterString(regexp)
        writer.writeName(replacement, compress: false)
    }

    /// `ORDER PREFERENCE FLAGS SERVICES REGEXP REPLACEMENT`.
    public init(text: inout RDataTextReader) throws {
        self.init(validatedOrder: try text.integer("NAPTR order"), preference: try text.integer("NAPTR preference"),
                  flags: try text.characterString("NAPTR flags"), services: try text.characterString("NAPTR services"),
                  regexp: try text.characterString("NAPTR regexp"), replacement: try text.name("NAPTR replacement name"))
    }

    /// `100 10 "S" "SIP+D2U" "" _sip._udp.example.com.`
    public var presentation: String {
        "\(order) \(preference) \(PresentationEscapes.quotedCharacterString(flags)) "
            + "\(PresentationEscapes.quotedCharacterString(services)) "
            + "\(PresentationEscapes.quotedCharacterString(regexp)) \(replacement)"
    }
}
