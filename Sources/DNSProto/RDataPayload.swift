/// What every typed RDATA payload can do: read and write its wire form and its
/// presentation (zone-file) form.
public protocol RDataPayload: Sendable, Hashable {
    /// Reads the payload; `reader.limit` is the end of this record's RDATA and the caller
    /// checks that it was consumed exactly.
    static func read(from reader: inout WireReader) throws -> Self
    /// Writes the payload. `compress` is true only for RDATA types whose names RFC 3597 §4
    /// lets us compress (NS, CNAME, PTR, SOA, MX).
    func write(to writer: inout WireWriter, compress: Bool) throws
    /// Parses the RDATA fields of a zone-file line; relative names use `text.origin`.
    init(text: inout RDataTextReader) throws
    /// Presentation form of the RDATA fields with absolute names.
    var presentation: String { get }
}
