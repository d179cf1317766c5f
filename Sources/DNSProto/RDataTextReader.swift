/// Reads the RDATA fields of one record in presentation form, with errors that name the
/// field's location and what was expected there.
public struct RDataTextReader: Sendable {
    public let tokens: [PresentationToken]
    public private(set) var index = 0
    /// Origin for relative names.
    public let origin: DNSName
    /// Where to point errors when the fields ran out (end of the record's line).
    public let endLocation: SourceLocation

    public init(tokens: [PresentationToken], origin: DNSName, endLocation: SourceLocation) {
        self.tokens = tokens
        self.origin = origin
        self.endLocation = endLocation
    }

    /// Tokenizes one logical line of text (parentheses and `;` comments allowed), for
    /// `zone.add`-style inputs and tests. Quotes and escapes behave as in zone files.
    public init(line: String, origin: DNSName = .root, file: String = "<text>") throws {
        let tokens = try PresentationLexer.tokenize(line: line, file: file)
        let end = SourceLocation(file: file, line: 1, column: line.unicodeScalars.count + 1)
        self.init(tokens: tokens, origin: origin, endLocation: end)
    }

    public var isAtEnd: Bool { index >= tokens.count }

    public func peek() -> PresentationToken? { isAtEnd ? nil : tokens[index] }

    public func error(_ message: String, at token: PresentationToken? = nil) -> PresentationError {
        PresentationError(message, at: (token ?? peek())?.location ?? endLocation)
    }

    /// The next field; `expected` names it in the error when there is none.
    public mutating func next(_ expected: String) throws -> PresentationToken {
        guard let token = peek() else { throw error("expected \(expected)") }
        index += 1
        return token
    }

    /// All remaining fields.
    public mutating func rest() -> [PresentationToken] {
        defer { index = tokens.count }
        return Array(tokens[index...])
    }

    /// Fails when fields remain after the RDATA.
    public func finish() throws {
        if let extra = peek() { throw error("unexpected '\(extra.text)' after the RDATA", at: extra) }
    }

    public mutating func name(_ expected: String) throws -> DNSName {
        let token = try next(expected)
        do { return try DNSName(token.text, origin: origin) } catch {
            throw self.error("expected \(expected): \(error)", at: token)
        }
    }

    public mutating func integer<T: FixedWidthInteger & UnsignedInteger>(_ expected: String, as _: T.Type = T.self) throws -> T {
        let token = try next(expected)
        guard !token.quoted, let value = T(token.text) else {
            throw error("expected \(expected) (an integer 0-\(T.max)), found '\(token.text)'", at: token)
        }
        return value
    }

    /// A TTL-like duration: seconds, or units `1w2d3h4m5s` (case-insensitive).
    public mutating func duration(_ expected: String) throws -> UInt32 {
        let token = try next(expected)
        guard let value = TTLText.parse(token.text) else {
            throw error("expected \(expected) (seconds or units like 1h30m), found '\(token.text)'", at: token)
        }
        return value
    }

    /// One `<character-string>`: quoted or bare, escapes decoded, at most 255 octets.
    public mutating func characterString(_ expected: String) throws -> [UInt8] {
        let token = try next(expected)
        let bytes: [UInt8]
        do { bytes = try PresentationEscapes.decode(token.text) } catch {
            throw self.error("\(error) in \(expected)", at: token)
        }
        guard bytes.count <= 255 else { throw self.error("\(expected) is longer than 255 octets", at: token) }
        return bytes
    }

    /// The remaining fields joined and decoded as hexadecimal (whitespace allowed between).
    public mutating func hexRest(_ expected: String, allowEmpty: Bool = false) throws -> [UInt8] {
        let first = peek()
        let text = rest().map(\.text).joined()
        if text.isEmpty && !allowEmpty { throw error("expected \(expected) in hexadecimal") }
        guard let bytes = HexEncoding.decode(text) else { throw error("expected \(expected) in hexadecimal", at: first) }
        return bytes
    }

    /// The remaining fields joined and decoded as base64.
    public mutating func base64Rest(_ expected: String) throws -> [UInt8] {
        let first = peek()
        let text = rest().map(\.text).joined()
        guard !text.isEmpty, let bytes = Base64Encoding.decode(text) else {
            throw error("expected \(expected) in base64", at: first)
        }
        return bytes
    }

    /// RFC 3597 §5: `\# LENGTH HEX...`, after checking the length matches.
    public mutating func genericRData() throws -> [UInt8] {
        _ = try next("\\#")
        let lengthToken = try next("RDATA length after \\#")
        guard let length = Int(lengthToken.text), length >= 0, length <= 65535 else {
            throw error("expected RDATA length (0-65535) after \\#, found '\(lengthToken.text)'", at: lengthToken)
        }
        let bytes = try hexRest("RDATA", allowEmpty: length == 0)
        guard bytes.count == length else {
            throw error("\\# says \(length) octets but the hex holds \(bytes.count)", at: lengthToken)
        }
        return bytes
    }
}
