/// Where in a zone file (or other presentation text) something was found.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }
    public var description: String { "\(file):\(line):\(column)" }
}

/// A zone-file or record-text error: where, and what was expected or wrong.
public struct PresentationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    public init(_ message: String, at location: SourceLocation) {
        self.message = message
        self.location = location
    }
    /// `file:line:column: message`, the form compilers use, so editors can jump to it.
    public var description: String { "\(location): \(message)" }
}

/// One whitespace-separated field of presentation text. Escapes are left in `text` because
/// their meaning depends on the field (`\.` inside a name is not a label separator).
public struct PresentationToken: Sendable, Hashable {
    /// The field text without surrounding quotes, escapes intact.
    public var text: String
    /// Whether it was written in double quotes.
    public var quoted: Bool
    public var location: SourceLocation
    public init(text: String, quoted: Bool = false, location: SourceLocation) {
        self.text = text
        self.quoted = quoted
        self.location = location
    }
}
