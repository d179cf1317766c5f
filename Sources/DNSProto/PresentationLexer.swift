/// Splits presentation text (RFC 1035 §5.1) into logical lines of tokens.
///
/// The rules shared by zone files and single-record text:
/// - fields are separated by spaces and tabs (`\r` counts as a blank, so CRLF files work);
/// - `;` starts a comment that runs to the end of the line, except inside quotes or escaped;
/// - `(` ... `)` groups fields over several lines: newlines inside them are blanks. Nesting is
///   refused (RFC 1035 does not define it, and it almost always means a missing `)`);
/// - `"..."` is one field that may hold blanks and `;`; `\"` does not end it; it may not run
///   past the end of its line;
/// - a backslash escapes the next character (`\;`, `\(`, `\ `); escapes stay in the token text
///   because their meaning depends on the field (see `PresentationToken`).
///
/// Columns count Unicode scalars of the line, so they match what an editor shows for any
/// ASCII or precomposed text.
public enum PresentationLexer {
    /// Tokenizes one logical line: a record as `zone.add` or `RDataTextReader(line:)` get it.
    /// Parentheses may span lines inside `line`, and `;` comments are dropped, but the text
    /// must hold a single logical line.
    ///
    /// Throws `PresentationError` for an unterminated quote, an unbalanced `(` or `)`, or a
    /// second logical line.
    public static func tokenize(line: String, file: String) throws -> [PresentationToken] {
        var lines = Lines(text: line, file: file)
        guard let first = try lines.next() else { return [] }
        if let second = try lines.next(), let extra = second.tokens.first {
            throw PresentationError("expected a single line of text, found another at line \(extra.location.line)", at: extra.location)
        }
        return first.tokens
    }

    /// One logical line (a record or a `$` directive) after comments and parentheses are gone.
    struct Line: Sendable, Hashable {
        /// The fields in order; never empty (blank and comment-only lines are skipped).
        var tokens: [PresentationToken]
        /// Whether the line began with a blank, which in a zone file means "same owner as the
        /// previous record" (RFC 1035 §5.1).
        var startsWithBlank: Bool
        /// Just past the last field or `)`: where "expected ..." errors point when fields run out.
        var end: SourceLocation
    }

    /// Iterates over the logical lines of a text, reading it once from start to end.
    struct Lines {
        private let bytes: [UInt8]
        private let file: String
        private var index = 0
        private var line = 1
        private var column = 1

        init(text: String, file: String) {
            self.bytes = Array(text.utf8)
            self.file = file
        }

        private var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }

        /// Moves past one byte, keeping line and column up to date. UTF-8 continuation bytes
        /// do not start a new column.
        private mutating func advance() {
            guard index < bytes.count else { return }
            let byte = bytes[index]
            index += 1
            if byte == Byte.newline {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }

        private func byte(at offset: Int) -> UInt8? { offset < bytes.count ? bytes[offset] : nil }

        /// The next logical line holding at least one field, or nil at the end of the text.
        mutating func next() throws -> Line? {
            while index < bytes.count {
                if let line = try scanLogicalLine() { return line }
            }
            return nil
        }

        /// Scans from the start of a physical line to the newline that ends the logical line
        /// (or the end of the text); nil when it held no fields.
        private mutating func scanLogicalLine() throws -> Line? {
            let startsWithBlank = byte(at: index) == Byte.space || byte(at: index) == Byte.tab
            var tokens: [PresentationToken] = []
            var openParen: SourceLocation? = nil
            var end = location
            scan: while true {
                guard let current = byte(at: index) else {
                    if let open = openParen {
                        throw PresentationError("unterminated '(' opened at line \(open.line)", at: open)
                    }
                    break scan
                }
                switch current {
                case Byte.space, Byte.tab, Byte.carriageReturn:
                    advance()
                case Byte.newline:
                    advance()
                    if openParen == nil { break scan }
                case Byte.semicolon:
                    while let next = byte(at: index), next != Byte.newline { advance() }
                case Byte.openParen:
                    if let open = openParen {
                        throw PresentationError("nested '(' inside the '(' opened at line \(open.line):\(open.column)", at: location)
                    }
                    openParen = location
                    advance()
                    end = location
                case Byte.closeParen:
                    guard openParen != nil else { throw PresentationError("unbalanced ')'", at: location) }
                    openParen = nil
                    advance()
                    end = location
                case Byte.quote:
                    tokens.append(try scanQuoted())
                    end = location
                default:
                    tokens.append(scanBare())
                    end = location
                }
            }
            guard !tokens.isEmpty else { return nil }
            return Line(tokens: tokens, startsWithBlank: startsWithBlank, end: end)
        }

        /// A field up to the next blank, newline, `;`, parenthesis or quote.
        private mutating func scanBare() -> PresentationToken {
            let start = location
            let startIndex = index
            while let current = byte(at: index) {
                switch current {
                case Byte.space, Byte.tab, Byte.carriageReturn, Byte.newline, Byte.semicolon,
                     Byte.openParen, Byte.closeParen, Byte.quote:
                    return token(from: startIndex, to: index, quoted: false, at: start)
                case Byte.backslash:
                    advance()
                    // A backslash at the end of a line stays a lone backslash for the field's
                    // decoder to reject; the newline still ends the line.
                    if let escaped = byte(at: index), escaped != Byte.newline, escaped != Byte.carriageReturn {
                        advance()
                    }
                default:
                    advance()
                }
            }
            return token(from: startIndex, to: index, quoted: false, at: start)
        }

        /// A `"..."` field; its location is the opening quote.
        private mutating func scanQuoted() throws -> PresentationToken {
            let start = location
            advance()
            let startIndex = index
            while let current = byte(at: index), current != Byte.newline {
                switch current {
                case Byte.quote:
                    let token = token(from: startIndex, to: index, quoted: true, at: start)
                    advance()
                    return token
                case Byte.backslash:
                    advance()
                    if let escaped = byte(at: index), escaped != Byte.newline { advance() }
                default:
                    advance()
                }
            }
            throw PresentationError("unterminated quoted string", at: start)
        }

        private func token(from start: Int, to end: Int, quoted: Bool, at location: SourceLocation) -> PresentationToken {
            PresentationToken(text: String(decoding: bytes[start..<end], as: UTF8.self), quoted: quoted, location: location)
        }
    }

    /// The ASCII bytes the lexer cares about.
    private enum Byte {
        static let tab = UInt8(ascii: "\t")
        static let newline = UInt8(ascii: "\n")
        static let carriageReturn = UInt8(ascii: "\r")
        static let space = UInt8(ascii: " ")
        static let quote = UInt8(ascii: "\"")
        static let openParen = UInt8(ascii: "(")
        static let closeParen = UInt8(ascii: ")")
        static let semicolon = UInt8(ascii: ";")
        static let backslash = UInt8(ascii: "\\")
    }
}
