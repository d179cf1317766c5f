import Testing
@testable import DNSProto

/// Helpers shared by the RDATA test suites.
enum RDataTestSupport {
    /// Parses RDATA text of `type` (class IN) with `origin` for relative names.
    static func parse(_ type: RecordType, _ text: String, origin: DNSName = .root) throws -> RData {
        var reader = try RDataTextReader(line: text, origin: origin)
        return try RData(type: type, recordClass: .in, text: &reader)
    }

    static func hex(_ text: String) -> [UInt8] { HexEncoding.decode(text) ?? [] }

    static func name(_ text: String) -> DNSName { (try? DNSName(text)) ?? .root }

    /// Reads `bytes` as the whole RDATA of `type`, expecting every byte consumed.
    static func readWire(_ type: RecordType, _ bytes: [UInt8]) throws -> RData {
        var reader = WireReader(bytes)
        let rdata = try RData.read(type: type, recordClass: .in, from: &reader)
        #expect(reader.isAtEnd, "RDATA of \(type) not consumed exactly")
        return rdata
    }
}
