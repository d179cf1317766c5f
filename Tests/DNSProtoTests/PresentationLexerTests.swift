import Testing
@testable import DNSProto

/// DNSProto's location type; `SourceLocation` alone is ambiguous beside Testing's.
private typealias Location = DNSProto.SourceLocation

@Suite("PresentationLexer")
struct PresentationLexerTests {
    private func texts(_ tokens: [PresentationToken]) -> [String] { tokens.map(\.text) }

    /// Every logical line of `text`, as the zone parser sees them.
    private func lines(_ text: String) throws -> [PresentationLexer.Line] {
        var lines = PresentationLexer.Lines(text: text, file: "t.zone")
        var result: [PresentationLexer.Line] = []
        while let line = try lines.next() { result.append(line) }
        return result
    }

    /// Runs `body`, which must throw a `PresentationError`, and returns it.
    private func presentationError(_ body: () throws -> Void) -> PresentationError? {
        do { try body() } catch let error as PresentationError { return error } catch { return nil }
        return nil
    }

    @Test func splitsOnSpacesAndTabsWithColumns() throws {
        let tokens = try PresentationLexer.tokenize(line: "www  IN\tA 192.0.2.1", file: "f")
        #expect(texts(tokens) == ["www", "IN", "A", "192.0.2.1"])
        #expect(tokens.map(\.location.column) == [1, 6, 9, 11])
        #expect(tokens.allSatisfy { $0.location.line == 1 && $0.location.file == "f" && !$0.quoted })
    }

    @Test func quotedStringsKeepBlanksSemicolonsAndEscapes() throws {
        let tokens = try PresentationLexer.tokenize(line: #"TXT "a b; c" "say \"hi\"" "" x"#, file: "f")
        #expect(texts(tokens) == ["TXT", "a b; c", #"say \"hi\""#, "", "x"])
        #expect(tokens.map(\.quoted) == [false, true, true, true, false])
        // A quoted field's location is its opening quote.
        #expect(tokens.map(\.location.column) == [1, 5, 14, 27, 30])
    }

    @Test func escapesStayInTheTokenAndProtectDelimiters() throws {
        let tokens = try PresentationLexer.tokenize(line: #"a\ b semi\;colon p\(q\) \065\.x trail"#, file: "f")
        #expect(texts(tokens) == [#"a\ b"#, #"semi\;colon"#, #"p\(q\)"#, #"\065\.x"#, "trail"])
    }

    @Test func commentsAreDropped() throws {
        let tokens = try PresentationLexer.tokenize(line: "a b ; c d \"e\"", file: "f")
        #expect(texts(tokens) == ["a", "b"])
        #expect(try PresentationLexer.tokenize(line: "   ; only a comment", file: "f").isEmpty)
        #expect(try PresentationLexer.tokenize(line: "", file: "f").isEmpty)
    }

    @Test func parenthesesGroupAndMaySpanLines() throws {
        let one = try PresentationLexer.tokenize(line: "SOA a. b. ( 1 2 3 4 5 )", file: "f")
        #expect(texts(one) == ["SOA", "a.", "b.", "1", "2", "3", "4", "5"])
        let glued = try PresentationLexer.tokenize(line: "x(y)z", file: "f")
        #expect(texts(glued) == ["x", "y", "z"])
        let multi = try PresentationLexer.tokenize(line: "SOA a. b. ( ; comment inside\n  1 2\n 3 4 5 )", file: "f")
        #expect(texts(multi) == ["SOA", "a.", "b.", "1", "2", "3", "4", "5"])
        #expect(multi.map(\.location.line) == [1, 1, 1, 2, 2, 3, 3, 3])
        #expect(multi[3].location.column == 3)
    }

    @Test func crlfAndTabsAreBlanks() throws {
        let tokens = try PresentationLexer.tokenize(line: "a\tb \"c d\"\r\n", file: "f")
        #expect(texts(tokens) == ["a", "b", "c d"])
        let zone = try lines("a 1\r\n\r\nb ( 2\r\n 3 )\r\nc \"q\"\r\n")
        #expect(zone.map { texts($0.tokens) } == [["a", "1"], ["b", "2", "3"], ["c", "q"]])
        #expect(zone.allSatisfy { $0.tokens.allSatisfy { !$0.text.contains("\r") } })
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let tokens = try PresentationLexer.tokenize(line: "é\u{1F600} x", file: "f")
        #expect(texts(tokens) == ["é\u{1F600}", "x"])
        #expect(tokens.last?.location.column == 4)
    }

    @Test func unterminatedQuoteIsAnErrorAtTheQuote() {
        let error = presentationError { _ = try PresentationLexer.tokenize(line: #"TXT "abc \" def"#, file: "f") }
        #expect(error == PresentationError("unterminated quoted string", at: Location(file: "f", line: 1, column: 5)))
        // A quote may not run past its line, even inside parentheses.
        let multi = presentationError { _ = try lines("a ( \"one\ntwo\" )\n") }
        #expect(multi == PresentationError("unterminated quoted string", at: Location(file: "t.zone", line: 1, column: 5)))
    }

    @Test func strayCloseParenIsAnError() {
        let error = presentationError { _ = try PresentationLexer.tokenize(line: "a b ) c", file: "f") }
        #expect(error == PresentationError("unbalanced ')'", at: Location(file: "f", line: 1, column: 5)))
        let escaped = try? PresentationLexer.tokenize(line: #"a b \) c"#, file: "f")
        #expect(escaped.map(texts) == ["a", "b", #"\)"#, "c"])
    }

    @Test func unterminatedAndNestedOpenParen() {
        let open = presentationError { _ = try PresentationLexer.tokenize(line: "a ( b\nc", file: "f") }
        #expect(open == PresentationError("unterminated '(' opened at line 1", at: Location(file: "f", line: 1, column: 3)))
        let nested = presentationError { _ = try PresentationLexer.tokenize(line: "a ( b ( c ) )", file: "f") }
        #expect(nested?.location == Location(file: "f", line: 1, column: 7))
        #expect(nested?.message.hasPrefix("nested '('") == true)
    }

    @Test func tokenizeRefusesASecondLine() {
        let error = presentationError { _ = try PresentationLexer.tokenize(line: "a b\n  c d", file: "f") }
        #expect(error?.location == Location(file: "f", line: 2, column: 3))
        #expect(error?.message == "expected a single line of text, found another at line 2")
    }

    @Test func logicalLinesKnowLeadingBlanksAndEnds() throws {
        let text = "; header\n\nwww A 1.2.3.4 ; c\n\tAAAA ::1\n   \n  ; indented comment\nx ( 1\n  2 )   ; tail\nlast"
        let result = try lines(text)
        #expect(result.map { texts($0.tokens) } == [["www", "A", "1.2.3.4"], ["AAAA", "::1"], ["x", "1", "2"], ["last"]])
        #expect(result.map(\.startsWithBlank) == [false, true, false, false])
        #expect(result.map(\.end) == [
            Location(file: "t.zone", line: 3, column: 14),
            Location(file: "t.zone", line: 4, column: 10),
            Location(file: "t.zone", line: 8, column: 6),
            Location(file: "t.zone", line: 9, column: 5),
        ])
    }

    @Test func trailingBackslashIsKeptForTheFieldDecoder() throws {
        let result = try lines("a b\\\nc")
        #expect(result.map { texts($0.tokens) } == [["a", "b\\"], ["c"]])
    }

    @Test func rdataTextReaderUsesTheLexer() throws {
        var reader = try RDataTextReader(line: #"10 "mail server" ( x ) ; note"#)
        #expect(try reader.integer("preference", as: UInt16.self) == 10)
        #expect(try reader.characterString("text") == Array("mail server".utf8))
        #expect(try reader.next("x").text == "x")
        #expect(reader.isAtEnd)
    }
}
