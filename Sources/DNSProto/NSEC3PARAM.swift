/// NSEC3PARAM (RFC 5155 §4): the hash parameters of a zone's NSEC3 chain. Records hold it as
/// opaque RDATA (`RData.unknown`); this type reads those bytes and the text form, so zone
/// files signed with NSEC3 load and print as signers write them (`1 0 0 -`).
public struct NSEC3PARAM: Sendable, Equatable {
    public var hashAlgorithm: UInt8
    public var flags: UInt8
    public var iterations: UInt16
    public var salt: [UInt8]

    /// The fields of NSEC3PARAM RDATA; nil when the bytes are not one.
    public init?(rdata bytes: [UInt8]) {
        guard bytes.count >= 5, bytes.count == 5 + Int(bytes[4]) else { return nil }
        hashAlgorithm = bytes[0]
        flags = bytes[1]
        iterations = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        salt = Array(bytes[5...])
    }

    /// The wire RDATA of the text form: hash algorithm, flags, iterations, salt (hex or `-`).
    static func rdata(_ text: inout RDataTextReader) throws -> [UInt8] {
        let algorithm: UInt8 = try text.integer("NSEC3PARAM hash algorithm")
        let flags: UInt8 = try text.integer("NSEC3PARAM flags")
        let iterations: UInt16 = try text.integer("NSEC3PARAM iterations")
        let salt = try NSEC3.salt(&text)
        return [algorithm, flags, UInt8(iterations >> 8), UInt8(truncatingIfNeeded: iterations), UInt8(salt.count)] + salt
    }

    public var presentation: String {
        "\(hashAlgorithm) \(flags) \(iterations) \(salt.isEmpty ? "-" : HexEncoding.encode(salt))"
    }
}
