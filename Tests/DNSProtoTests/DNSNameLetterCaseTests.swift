import Testing
@testable import DNSProto

@Suite("DNSName letter case (0x20)")
struct DNSNameLetterCaseTests {
    /// A generator that hands out fixed words, so the flips are known.
    struct Fixed: RandomNumberGenerator {
        var words: [UInt64]
        mutating func next() -> UInt64 { words.isEmpty ? 0 : words.removeFirst() }
    }

    @Test func randomCaseFlipsOnlyLettersByTheBits() throws {
        let name = try DNSName("a1-b.Zz9.")
        var bits = Fixed(words: [0b1010])
        let sent = name.randomizingCase(using: &bits)
        // Letters in order: a b Z z take bits 0 1 0 1 -> lower upper lower upper.
        #expect(sent.description == "a1-B.zZ9.")
        #expect(sent == name)
        #expect(sent.wire.count == name.wire.count)
    }

    @Test func randomCaseDrawsAFreshWordAfterSixtyFourLetters() throws {
        let label = String(repeating: "a", count: 63)
        let name = try DNSName("\(label).bc.")
        var bits = Fixed(words: [0, 0b11])
        let sent = name.randomizingCase(using: &bits)
        #expect(sent.description == "\(label).bC.")
    }

    @Test func randomCaseWithAllBitsSetUppercasesEveryLetter() throws {
        let name = try DNSName("www.example.alpha.")
        var bits = Fixed(words: [.max, .max])
        #expect(name.randomizingCase(using: &bits).description == "WWW.EXAMPLE.ALPHA.")
    }

    @Test func respellingTakesTheSharedSuffixFromTheReference() throws {
        let reference = try DNSName("Www.Example.Alpha.")
        #expect(try DNSName("wWw.ExAMple.ALPha.").respellingSharedSuffix(as: reference).description == "Www.Example.Alpha.")
        #expect(try DNSName("ExAMple.ALPha.").respellingSharedSuffix(as: reference).description == "Example.Alpha.")
        #expect(try DNSName("MAIL.exAMPLE.alpha.").respellingSharedSuffix(as: reference).description == "MAIL.Example.Alpha.")
        #expect(try DNSName("Mail.Beta.").respellingSharedSuffix(as: reference).description == "Mail.Beta.")
        #expect(DNSName.root.respellingSharedSuffix(as: reference) == .root)
    }

    @Test func respellingNeedsWholeLabelsToMatch() throws {
        // "xample.alpha." ends the reference's bytes but not on a label boundary of it.
        let reference = try DNSName("www.EXAMPLE.Alpha.")
        #expect(try DNSName("XAMPLE.ALPHA.").respellingSharedSuffix(as: reference).description == "XAMPLE.Alpha.")
        // A longer name whose tail is the reference's whole name.
        #expect(try DNSName("a.B.www.example.ALPHA.").respellingSharedSuffix(as: reference).description == "a.B.www.EXAMPLE.Alpha.")
    }

    @Test func hashingIgnoresCase() throws {
        let names = try ["www.example.alpha.", "WWW.EXAMPLE.ALPHA.", "wWw.ExAmPlE.aLpHa."].map { try DNSName($0) }
        #expect(Set(names).count == 1)
        #expect(Set(try [DNSName("a.b."), DNSName("a.c."), DNSName("ab.")]).count == 3)
    }
}
