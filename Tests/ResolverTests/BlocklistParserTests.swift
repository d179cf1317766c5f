import Foundation
import Testing
@testable import Resolver

/// The list formats (hosts, domains, adblock), the skipped lines, and the name set's matching
/// of a name and every name below it.
@Suite("Blocklist parser")
struct BlocklistParserTests {
    static func wire(_ text: String) -> [UInt8] { BlocklistParser.lowercasedWire(Array(text.utf8)[...])! }

    static func blocks(_ parsed: BlocklistParser.Parsed, _ name: String) -> Bool {
        wire(name).withUnsafeBytes { parsed.blocked.match($0) != nil && parsed.exceptions.match($0) == nil }
    }

    @Test func everyFormatInOneList() {
        let text = """
            # comment
            ! adblock comment
            0.0.0.0 a.example b.example # trailing comment
            ::1 localhost ip6-localhost six.example
            127.0.0.1\tTab.Example
            ||c.example^
            @@||ok.c.example^
            d.example.
            *.e.example
            .f.example
            ||g.example^$third-party
            ||h.example/path^
            two words
            bad_label!.example
            0.0.0.0
            """
        let parsed = BlocklistParser.parse(Array(text.utf8))
        for name in ["a.example", "x.b.example", "six.example", "tab.example", "c.example", "deep.c.example", "d.example", "e.example",
                     "x.e.example", "f.example"] {
            #expect(Self.blocks(parsed, name), "\(name)")
        }
        for name in ["localhost", "ok.c.example", "below.ok.c.example", "example", "g.example", "h.example", "xa.example"] {
            #expect(!Self.blocks(parsed, name), "\(name)")
        }
        #expect(parsed.blocked.count == 8 && parsed.exceptions.count == 1)
        #expect(parsed.skipped == 5, "\(parsed.firstSkipped)")
        #expect(parsed.firstSkipped.map(\.line) == [11, 12, 13, 14, 15])
    }

    @Test func allowListsHoldExceptionsOnly() {
        let parsed = BlocklistParser.parse(Array("a.example\n||b.example^\n".utf8), allow: true)
        #expect(parsed.blocked.count == 0 && parsed.exceptions.count == 2)
    }

    @Test func namesFitDNSLimits() {
        #expect(BlocklistParser.lowercasedWire(Array(String(repeating: "a", count: 63).utf8)[...]) != nil)
        #expect(BlocklistParser.lowercasedWire(Array(String(repeating: "a", count: 64).utf8)[...]) == nil)
        #expect(BlocklistParser.lowercasedWire(Array("a..b".utf8)[...]) == nil)
        #expect(BlocklistParser.lowercasedWire(Array(".".utf8)[...]) == nil)
        let long = Array(repeating: String(repeating: "a", count: 50), count: 6).joined(separator: ".")
        #expect(BlocklistParser.lowercasedWire(Array(long.utf8)[...]) == nil)
    }

    @Test func aLargeSetFindsEveryNameAndNoOther() {
        var set = DomainSet()
        for index in 0..<200_000 { set.insert(Self.wire("host\(index).example"), line: UInt32(index + 1)) }
        #expect(set.count == 200_000)
        let again = set.insert(Self.wire("host5.example"), line: 9)
        #expect(!again)
        for index in stride(from: 0, to: 200_000, by: 997) {
            let hit = Self.wire("a.b.host\(index).example").withUnsafeBytes { set.match($0) }
            #expect(hit?.line == UInt32(index + 1) && hit?.suffixStart == 4)
            #expect(Self.wire("host\(index).example.org").withUnsafeBytes { set.match($0) } == nil)
        }
        #expect(Self.wire("example").withUnsafeBytes { set.match($0) } == nil)
        // The names' bytes (19 here) plus 4 for the line and 8-16 for the slots, not a heap
        // block each.
        set.compact()
        #expect(set.bytesUsed < 200_000 * 40, "\(set.bytesUsed)")
    }
}
