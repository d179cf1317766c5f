/// TXT RDATA (RFC 1035 §3.3.14): one or more character-strings.
///
/// Empty TXT RDATA is invalid on the wire (RFC 1035 requires at least one string), but a
/// zero-length string is fine: `""` is one empty string, not no strings.
public struct TXT: RDataPayload {
    /// The strings as raw octets, each at most 255; never empty as a list.
    public let strings: [[UInt8]]

    /// Wraps already-split strings; throws when there are none or one is over 255 octets.
    public init(strings: [[UInt8]]) throws {
        guard !strings.isEmpty else { throw DNSWireError.unencodable("TXT needs at least one character-string") }
        guard strings.allSatisfy({ $0.count <= 255 }) else {
            throw DNSWireError.unencodable("TXT character-string longer than 255 octets")
        }
        self.strings = strings
    }

    /// Splits arbitrary data into 255-octet strings (the usual way long text such as DKIM keys
    /// is stored); empty data becomes one empty string.
    public init(splitting data: [UInt8]) {
        var strings: [[UInt8]] = []
        var start = 0
        repeat {
            let end = min(start + 255, data.count)
            strings.append(Array(data[start..<end]))
            start = end
        } while start < data.count
        self.strings = strings
    }

    /// Splits UTF-8 text into 255-octet strings, as `init(splitting:)`.
    public init(_ text: String) { self.init(splitting: Array(text.utf8)) }

    /// Reads character-strings until the end of the RDATA.
    public static func read(from reader: inout WireReader) throws -> TXT {
        try reader.readRDataFields(of: .txt) { reader in
            guard !reader.isAtEnd else {
                throw DNSWireError.badRData(type: RecordType.txt.rawValue, reason: "TXT RDATA holds no character-string")
            }
            var strings: [[UInt8]] = []
            while !reader.isAtEnd { strings.append(try reader.readCharacterString()) }
            return TXT(validated: strings)
        }
    }

    private init(validated strings: [[UInt8]]) { self.strings = strings }

    /// Writes every string with its length octet; TXT holds no names.
    public func write(to writer: inout WireWriter, compress: Bool) throws {
        for string in strings { try writer.writeCharacterString(string) }
    }

    /// Every remaining field is one string, quoted or bare.
    public init(text: inout RDataTextReader) throws {
        var strings: [[UInt8]] = [try text.characterString("TXT character-string")]
        while !text.isAtEnd { strings.append(try text.characterString("TXT character-string")) }
        self.init(validated: strings)
    }

    /// The strings, each quoted, separated by spaces.
    public var presentation: String {
        strings.map { PresentationEscapes.quotedCharacterString($0) }.joined(separator: " ")
    }
}

extension WireReader {
    /// Reads the fields of one RDATA of `type` with `body`, then requires that they end exactly
    /// at `limit`. Short or malformed fields (a truncated field, a bad name inside) become
    /// `DNSWireError.badRData`, so callers see which record type was broken.
    mutating func readRDataFields<T>(of type: RecordType, _ body: (inout WireReader) throws -> T) throws -> T {
        let value: T
        do {
            value = try body(&self)
        } catch let error as DNSWireError {
            if case .badRData = error { throw error }
            throw DNSWireError.badRData(type: type.rawValue, reason: error.description)
        }
        guard isAtEnd else {
            throw DNSWireError.badRData(type: type.rawValue, reason: "\(remaining) octets past the end of the \(type) fields")
        }
        return value
    }
}
