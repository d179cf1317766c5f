/// NSEC3PARAM (RFC 5155 §4): held as opaque RDATA (`RData.unknown`), since nothing in dnsd
/// reads its fields but the zone plugin's NSEC3 chain; its text form is read and printed here
/// so zone files signed with NSEC3 load and print as signers write them (`1 0 0 -`).
enum NSEC3PARAMText {
    /// The wire RDATA of the text form: hash algorithm, flags, iterations, salt (hex or `-`).
    static func bytes(_ text: inout RDataTextReader) throws -> [UInt8] {
        let algorithm: UInt8 = try text.integer("NSEC3PARAM hash algorithm")
        let flags: UInt8 = try text.integer("NSEC3PARAM flags")
        let iterations: UInt16 = try text.integer("NSEC3PARAM iterations")
        let salt = try NSEC3.salt(&text)
        return [algorithm, flags, UInt8(iterations >> 8), UInt8(truncatingIfNeeded: iterations), UInt8(salt.count)] + salt
    }

    /// The text form of well-formed RDATA; nil for bytes that are not an NSEC3PARAM.
    static func presentation(_ bytes: [UInt8]) -> String? {
        guard bytes.count >= 5, bytes.count == 5 + Int(bytes[4]) else { return nil }
        let salt = bytes.count == 5 ? "-" : HexEncoding.encode(Array(bytes[5...]))
        return "\(bytes[0]) \(bytes[1]) \(UInt16(bytes[2]) << 8 | UInt16(bytes[3])) \(salt)"
    }
}
