import Foundation

/// The `/` filter of the live stream: a case-insensitive substring, or a regular expression
/// when the text uses regex syntax; a leading `!` keeps the lines that do NOT match.
///
/// A `.` alone does not make a regex: names are full of dots and `example.com` as a substring
/// is what an operator means. Any of `^$*+?()[]{}|\` does, if it compiles; text that does not
/// compile is taken as a substring (and `isRegex` says which was used).
public struct StreamFilter: Equatable {
    public let text: String
    public let inverted: Bool
    public let isRegex: Bool
    private let pattern: String
    private let regex: NSRegularExpression?

    public static func == (lhs: StreamFilter, rhs: StreamFilter) -> Bool { lhs.text == rhs.text }

    /// nil for empty text (no filter).
    public init?(_ text: String) {
        var body = Substring(text)
        let inverted = body.hasPrefix("!")
        if inverted { body = body.dropFirst() }
        guard !body.isEmpty else { return nil }
        self.text = text
        self.inverted = inverted
        pattern = String(body).lowercased()
        let regexSyntax = body.contains { "^$*+?()[]{}|\\".contains($0) }
        regex = regexSyntax ? try? NSRegularExpression(pattern: String(body), options: [.caseInsensitive]) : nil
        isRegex = regex != nil
    }

    public func matches(_ event: StreamEvent) -> Bool { matches(text: event.filterText) }

    public func matches(text: String) -> Bool {
        let found: Bool
        if let regex {
            found = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        } else {
            found = text.lowercased().contains(pattern)
        }
        return found != inverted
    }

    /// How the stream's title describes it.
    public var summary: String { "\(inverted ? "not " : "")\(isRegex ? "regex" : "text") \"\(inverted ? String(text.dropFirst()) : text)\"" }
}
