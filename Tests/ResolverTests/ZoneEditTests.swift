import DNSProto
import Foundation
import Testing
@testable import Resolver

/// Zone edits through `ZoneEditor`: validation refuses whole and names the record, the SOA
/// serial goes up (RFC 1982 wraparound), edits are journaled and replayed, compaction writes a
/// file that loads back to the same zone.
@Suite("Zone edits")
struct ZoneEditTests {
    static let origin = try! DNSName("example.test.")
    static let text = """
    $ORIGIN example.test.
    $TTL 3600
    @    IN SOA ns1 hostmaster 7 7200 3600 1209600 300
         IN NS  ns1
    ns1  IN A   192.0.2.1
    www  600 IN A 192.0.2.80

    """

    /// A zone file in a fresh directory, and an editor over it.
    static func editor(serial: UInt32 = 7, compact: Int = 1 << 20) throws -> (ZoneEditor, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ze-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("example.test.zone").path
        try text.replacingOccurrences(of: " 7 7200", with: " \(serial) 7200").write(toFile: file, atomically: true, encoding: .utf8)
        return (try ZoneEditor(file: file, origin: origin, compactAfterBytes: compact), file)
    }

    func names(_ editor: ZoneEditor, _ name: String, _ type: RecordType? = nil) throws -> [String] {
        editor.records(at: try DNSName(name), type: type).map { $0.rdata.presentation(type: $0.type) }
    }

    @Test("an added record is served, journaled and bumps the serial by one")
    func addBumpsSerial() throws {
        let (editor, file) = try Self.editor()
        let outcome = try editor.apply([try editor.parseAdd(["www2 300 IN A 192.0.2.9"])])
        #expect(outcome.serial == 8 && outcome.added == 1 && outcome.changed)
        #expect(try names(editor, "www2.example.test.") == ["192.0.2.9"])
        #expect(editor.status.journalEntries == 1)
        // A fresh load (as after a restart) replays it.
        let reloaded = try ZoneEditor(file: file, origin: Self.origin)
        #expect(reloaded.current.serial == 8)
        #expect(try names(reloaded, "www2.example.test.") == ["192.0.2.9"])
    }

    @Test("the serial wraps from 4294967295 to 0 (RFC 1982)")
    func serialWraps() throws {
        let (editor, _) = try Self.editor(serial: UInt32.max)
        let outcome = try editor.apply([try editor.parseAdd(["a IN A 192.0.2.3"])])
        #expect(outcome.serial == 0)
        #expect(ZoneEditor.nextSerial(41) == 42)
    }

    @Test("an edit that sets the SOA keeps its serial")
    func explicitSOA() throws {
        let (editor, _) = try Self.editor()
        let outcome = try editor.apply([try editor.parseAdd(["@ 3600 IN SOA ns1 hostmaster 2030010100 7200 3600 1209600 300", "b IN A 192.0.2.4"])])
        #expect(outcome.serial == 2030010100)
        #expect(editor.current.soa.rdatas.count == 1)
    }

    @Test("a CNAME beside an A is refused whole, naming the record")
    func cnameRefused() throws {
        let (editor, _) = try Self.editor()
        let edit = try editor.parseAdd(["ok IN A 192.0.2.5", "www IN CNAME elsewhere.test."])
        #expect {
            try editor.apply([edit])
        } throws: { error in
            "\(error)".contains("www.example.test. 300 IN CNAME elsewhere.test.") && "\(error)".contains("CNAME must stand alone")
        }
        // Refused whole: the good record of the same edit is not there, nothing was journaled.
        #expect(try names(editor, "ok.example.test.").isEmpty)
        #expect(editor.current.serial == 7)
        #expect(editor.status.journalEntries == 0)
    }

    @Test("an owner outside the zone is refused, naming the record")
    func outOfZoneRefused() throws {
        let (editor, _) = try Self.editor()
        #expect {
            try editor.parseAdd(["www.other.test. IN A 192.0.2.6"])
        } throws: { error in
            "\(error)".contains("www.other.test. IN A 192.0.2.6") && "\(error)".contains("outside zone")
        }
        #expect(throws: ZoneEditError.self) { try editor.parseAdd(["$INCLUDE /etc/passwd"]) }
    }

    @Test("deleting the SOA is refused; deleting nothing changes nothing")
    func deletes() throws {
        let (editor, _) = try Self.editor()
        #expect(throws: ZoneEditError.self) { try editor.apply([try editor.parseDelete(name: "@", type: "SOA", rdata: nil)]) }
        let none = try editor.apply([try editor.parseDelete(name: "nothing", type: nil, rdata: nil)])
        #expect(!none.changed && none.serial == 7)
        let one = try editor.apply([try editor.parseDelete(name: "www", type: "A", rdata: "192.0.2.80")])
        #expect(one.deleted == 1 && one.serial == 8)
        #expect(try names(editor, "www.example.test.").isEmpty)
    }

    @Test("no TTL: the RRset's TTL if it exists, else the SOA MINIMUM; a new TTL applies to the whole set")
    func defaultTTL() throws {
        let (editor, _) = try Self.editor()
        _ = try editor.apply([try editor.parseAdd(["www IN A 192.0.2.81", "new IN A 192.0.2.82"])])
        #expect(editor.records(at: try DNSName("www.example.test."), type: .a).map(\.ttl) == [600, 600])
        #expect(editor.records(at: try DNSName("new.example.test."), type: .a).map(\.ttl) == [300])
        _ = try editor.apply([try editor.parseAdd(["www 60 IN A 192.0.2.83"])])
        #expect(Set(editor.records(at: try DNSName("www.example.test."), type: .a).map(\.ttl)) == [60])
    }

    @Test("a transaction's edits apply as one change: CNAME replaces A when both are in it")
    func transactionAtomic() throws {
        let (editor, _) = try Self.editor()
        // Alone, the CNAME would be refused; staged after deleting the A, the whole is valid.
        let edits = [try editor.parseAdd(["www IN CNAME ns1"]), try editor.parseDelete(name: "www", type: "A", rdata: nil)]
        let outcome = try editor.apply(edits)
        #expect(outcome.serial == 8)
        #expect(try names(editor, "www.example.test.") == ["ns1.example.test."])
        #expect(editor.status.journalEntries == 1)
    }

    @Test("compaction rewrites the file, empties the journal, and the file loads back the same")
    func compaction() throws {
        let (editor, file) = try Self.editor(compact: 0)
        for n in 1...5 { _ = try editor.apply([try editor.parseAdd(["h\(n) IN A 192.0.2.\(n)"])]) }
        #expect(editor.status.journalEntries == 0)
        let loaded = try ZoneLoader.load(path: file, origin: Self.origin)
        #expect(loaded.serial == 12)
        #expect(Set(loaded.records) == Set(editor.current.records))
        #expect(!FileManager.default.fileExists(atPath: file + ".dnsd-tmp"))
    }

    @Test("replaying a journal whose entries already reached the file changes nothing")
    func replayIdempotent() throws {
        let (editor, file) = try Self.editor()
        for n in 1...3 { _ = try editor.apply([try editor.parseAdd(["h\(n) IN A 192.0.2.\(n)"])]) }
        _ = try editor.apply([try editor.parseDelete(name: "h2", type: nil, rdata: nil)])
        let before = Set(editor.current.records)
        // A crash after compaction's rename but before the journal is emptied: write the file
        // as compaction would and keep the journal.
        try ZoneEditor.replaceFile(file, with: Array(editor.presentation().utf8))
        let reloaded = try ZoneEditor(file: file, origin: Self.origin)
        #expect(Set(reloaded.current.records) == before)
        #expect(reloaded.current.serial == 11)
    }

    @Test("a zone without a file refuses edits")
    func inlineRefused() throws {
        let zone = try ZoneLoader.parse(text: Self.text, file: "inline", origin: Self.origin)
        let editor = ZoneEditor(zone: zone)
        #expect { try editor.apply([try editor.parseAdd(["x IN A 192.0.2.1"])]) } throws: { "\($0)".contains("inline") }
    }

    @Test("reload of a broken file keeps the zone and names file:line:column")
    func badReload() throws {
        let (editor, file) = try Self.editor()
        _ = try editor.apply([try editor.parseAdd(["kept IN A 192.0.2.7"])])
        try (Self.text + "bad IN A 1.2.3\n").write(toFile: file, atomically: true, encoding: .utf8)
        #expect { try editor.reload() } throws: { "\($0)".contains("example.test.zone:7:") }
        #expect(try names(editor, "kept.example.test.") == ["192.0.2.7"])
    }
}
