import DNSProto
import Foundation
import Testing
@testable import Resolver

/// The zone journal: entries survive a reopen, a torn last entry is ignored (and cut off by the
/// next append), and a damaged entry in the middle is refused rather than skipped.
@Suite("Zone journal")
struct ZoneJournalTests {
    static let origin = try! DNSName("example.test.")

    static func record(_ text: String) throws -> ResourceRecord {
        try ZoneFileParser.parse(text: text, file: "test", origin: origin).records[0]
    }

    static func scratch() throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zj-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.appendingPathComponent("z.journal").path
    }

    static func change(_ n: Int) throws -> ZoneChange {
        ZoneChange(operations: [.add(try record("h\(n) 300 IN A 192.0.2.\(n)")), .delete(try record("old\(n) 60 IN TXT \"x y\""))])
    }

    @Test("appended entries replay in order after a reopen")
    func appendReplay() throws {
        let path = try Self.scratch()
        let journal = ZoneJournal(path: path, origin: Self.origin)
        _ = try journal.replay()
        for n in 1...3 { try journal.append(try Self.change(n)) }
        let replay = try ZoneJournal(path: path, origin: Self.origin).replay()
        #expect(replay.changes == [try Self.change(1), try Self.change(2), try Self.change(3)])
        #expect(replay.ignoredTailBytes == 0)
    }

    @Test("a torn last entry is ignored, and the next append replaces it", arguments: [1, 10, 30])
    func tornTail(cut: Int) throws {
        let path = try Self.scratch()
        let journal = ZoneJournal(path: path, origin: Self.origin)
        _ = try journal.replay()
        try journal.append(try Self.change(1))
        try journal.append(try Self.change(2))
        // Simulate a crash mid-write: drop the last `cut` bytes.
        var bytes = [UInt8](FileManager.default.contents(atPath: path)!)
        bytes.removeLast(cut)
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let reopened = ZoneJournal(path: path, origin: Self.origin)
        let replay = try reopened.replay()
        #expect(replay.changes == [try Self.change(1)])
        #expect(replay.ignoredTailBytes > 0)
        try reopened.append(try Self.change(3))
        let again = try ZoneJournal(path: path, origin: Self.origin).replay()
        #expect(again.changes == [try Self.change(1), try Self.change(3)])
        #expect(again.ignoredTailBytes == 0)
    }

    @Test("a checksum mismatch in the last entry is a torn write; in the middle it is damage")
    func checksumMismatch() throws {
        let path = try Self.scratch()
        let journal = ZoneJournal(path: path, origin: Self.origin)
        _ = try journal.replay()
        try journal.append(try Self.change(1))
        try journal.append(try Self.change(2))
        let original = [UInt8](FileManager.default.contents(atPath: path)!)

        // Flip a byte inside the last entry's payload ("192.0.2.2" -> "192.0.2.3").
        var tail = original
        let lastDigit = tail.lastIndex(of: UInt8(ascii: "2"))!
        tail[lastDigit] = UInt8(ascii: "3")
        try Data(tail).write(to: URL(fileURLWithPath: path))
        #expect(try ZoneJournal(path: path, origin: Self.origin).replay().changes == [try Self.change(1)])

        // Flip a byte inside the first entry: the second is intact after it, so this is not a
        // torn append and replay must not silently drop acknowledged edits.
        var middle = original
        let firstPayload = String(decoding: middle, as: UTF8.self).range(of: "h1")!.lowerBound.utf16Offset(in: String(decoding: middle, as: UTF8.self))
        middle[firstPayload] = UInt8(ascii: "k")
        try Data(middle).write(to: URL(fileURLWithPath: path))
        #expect(throws: ZoneEditError.self) { try ZoneJournal(path: path, origin: Self.origin).replay() }
    }

    @Test("truncate leaves an empty journal with its header")
    func truncate() throws {
        let path = try Self.scratch()
        let journal = ZoneJournal(path: path, origin: Self.origin)
        _ = try journal.replay()
        try journal.append(try Self.change(1))
        try journal.truncate()
        #expect(journal.entryCount == 0)
        #expect(try ZoneJournal(path: path, origin: Self.origin).replay().changes.isEmpty)
        try journal.append(try Self.change(2))
        #expect(try ZoneJournal(path: path, origin: Self.origin).replay().changes == [try Self.change(2)])
    }

    @Test("CRC-32 matches the IEEE check value")
    func crc() {
        #expect(ZoneJournal.crc32(Array("123456789".utf8)[...]) == 0xCBF4_3926)
    }
}
