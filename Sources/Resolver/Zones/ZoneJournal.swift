import DNSProto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The per-zone journal (`ZONEFILE.journal`): committed edits not yet compacted into the zone
/// file, appended and fsynced before an edit is applied or acknowledged (DESIGN.md "Data that
/// must not be lost").
///
/// Format, line-oriented text so an operator can read it:
///
///     ; dnsd zone journal v1 example.test.
///     entry 97 3c1f07a2
///     - example.test. 3600 IN SOA ns1.example.test. hostmaster.example.test. 7 7200 3600 1209600 300
///     + example.test. 3600 IN SOA ns1.example.test. hostmaster.example.test. 8 7200 3600 1209600 300
///     + www2.example.test. 300 IN A 192.0.2.9
///
/// Each `entry LENGTH CRC32` line is followed by exactly LENGTH bytes of `ZoneChange` text whose
/// CRC-32 (IEEE) is CRC32 in hex. A crash mid-append leaves a short or mismatching last entry:
/// replay ignores it (it was never acknowledged) and the next append cuts it off first. A bad
/// entry with more data after it is corruption, not a torn write, and replay refuses it.
///
/// An append that fails in a running daemon (disk full, I/O error) leaves the same kind of
/// tail. Entries are written at `validLength` with `pwrite`, never at the file offset, and the
/// tail is cut off (and the cut fsynced) before the next entry is written: an acknowledged entry
/// always follows the previous one directly, never a hole or a fragment replay would call damage.
public final class ZoneJournal: @unchecked Sendable {
    // @unchecked: every mutable field is touched only by the owning `ZoneEditor` under its lock.

    public let path: String
    public let origin: DNSName
    /// Bytes of valid entries (header included); what is beyond came from a torn append.
    public private(set) var validLength: Int = 0
    public private(set) var entryCount: Int = 0
    private var descriptor: Int32 = -1
    /// The file past `validLength` may hold part of a failed write, or (at `validLength` 0)
    /// lacks its header: `repair` must run before the next entry is written.
    private var needsRepair = true
    /// Appending needs `validLength`, which only replay learns.
    private var replayed = false

    public init(path: String, origin: DNSName) {
        self.path = path
        self.origin = origin
    }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// What replay found.
    public struct Replay: Sendable {
        public var changes: [ZoneChange]
        /// Bytes after the last good entry that were ignored (a torn append); 0 normally.
        public var ignoredTailBytes: Int
    }

    /// Reads every complete entry. A missing journal is an empty one.
    public func replay() throws -> Replay {
        replayed = true
        guard FileManager.default.fileExists(atPath: path) else {
            validLength = 0
            entryCount = 0
            return Replay(changes: [], ignoredTailBytes: 0)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ZoneEditError("\(path): cannot read the zone journal (permission?)")
        }
        let bytes = [UInt8](data)
        var changes: [ZoneChange] = []
        var offset: Int
        var lineNumber: Int
        var good: Int
        // The header line; a journal torn while writing it holds nothing.
        guard let headerEnd = bytes.firstIndex(of: 0x0A) else {
            validLength = 0
            entryCount = 0
            return Replay(changes: [], ignoredTailBytes: bytes.count)
        }
        let header = String(decoding: bytes[0..<headerEnd], as: UTF8.self)
        guard header.hasPrefix(Self.headerPrefix) else {
            throw ZoneEditError("\(path):1:1: not a dnsd zone journal (expected '\(Self.headerPrefix) ORIGIN')")
        }
        offset = headerEnd + 1
        good = offset
        lineNumber = 2
        while offset < bytes.count {
            // A torn append: the entry was never acknowledged, so it is dropped.
            func torn() -> Replay {
                validLength = good
                entryCount = changes.count
                return Replay(changes: changes, ignoredTailBytes: bytes.count - good)
            }
            guard let lineEnd = bytes[offset...].firstIndex(of: 0x0A) else { return torn() }
            let fields = String(decoding: bytes[offset..<lineEnd], as: UTF8.self).split(separator: " ")
            guard fields.count == 3, fields[0] == "entry", let length = Int(fields[1]), length >= 0,
                  let crc = UInt32(fields[2], radix: 16) else {
                // Garbage where an entry should start: torn only if it is the last thing.
                throw ZoneEditError("\(path):\(lineNumber):1: expected 'entry LENGTH CRC32'; the journal is damaged")
            }
            let payloadStart = lineEnd + 1
            guard payloadStart + length <= bytes.count else { return torn() }
            let payload = bytes[payloadStart..<(payloadStart + length)]
            let end = payloadStart + length
            guard Self.crc32(payload) == crc else {
                if end == bytes.count { return torn() }
                throw ZoneEditError("\(path):\(lineNumber):1: checksum mismatch in entry \(changes.count + 1) with more entries after it; the journal is damaged")
            }
            let text = String(decoding: payload, as: UTF8.self)
            changes.append(try ZoneChange.parse(journalText: text, origin: origin, file: "\(path) entry \(changes.count + 1)"))
            lineNumber += 1 + payload.count { $0 == 0x0A }
            offset = end
            good = end
        }
        validLength = good
        entryCount = changes.count
        return Replay(changes: changes, ignoredTailBytes: 0)
    }

    static let headerPrefix = "; dnsd zone journal v1"

    /// Appends `change` and fsyncs; when this returns, the change survives a crash. When it
    /// throws, the change is not in the journal, and the next append is not affected.
    public func append(_ change: ZoneChange) throws {
        try openForAppend()
        if needsRepair { try repair() }
        let payload = Array(change.journalText.utf8)
        var bytes = Array("entry \(payload.count) \(String(Self.crc32(payload[...]), radix: 16))\n".utf8)
        bytes += payload
        do {
            try writeAll(bytes, at: validLength)
            try sync(descriptor, what: "journal")
        } catch {
            // Part of the entry may be in the file: cut it off now if the disk lets us, and in
            // any case before the next append writes anything.
            needsRepair = true
            try? repair()
            throw error
        }
        validLength += bytes.count
        entryCount += 1
    }

    /// Empties the journal after its entries reached the zone file (compaction).
    public func truncate() throws {
        try openForAppend()
        validLength = 0
        entryCount = 0
        needsRepair = true
        try repair()
    }

    /// Opens the journal for writing (creating it durably) once, and repairs its end.
    private func openForAppend() throws {
        guard descriptor < 0 else { return }
        if !replayed { _ = try replay() }
        let existed = FileManager.default.fileExists(atPath: path)
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ZoneEditError("\(path): cannot open the zone journal for writing: \(Self.errnoText())") }
        descriptor = fd
        try repair()
        // A new file's name must reach the disk too, or a crash could lose the whole journal.
        if !existed { try Self.syncDirectory(of: path) }
    }

    /// Cuts the file back to its last good entry (a torn or failed append), writes the header
    /// if there is none, and fsyncs, so that the next entry lands right after the last one.
    private func repair() throws {
        guard ftruncate(descriptor, off_t(validLength)) == 0 else {
            throw ZoneEditError("\(path): cannot cut the unfinished end off the journal: \(Self.errnoText())")
        }
        if validLength == 0 { try writeHeader() }
        try sync(descriptor, what: "journal")
        needsRepair = false
    }

    private func writeHeader() throws {
        let header = Array("\(Self.headerPrefix) \(origin)\n".utf8)
        try writeAll(header, at: 0)
        validLength = header.count
    }

    /// Writes all of `bytes` at `offset` with `pwrite`: the file offset plays no part, so a
    /// write that failed half-way cannot move where the next one lands.
    private func writeAll(_ bytes: [UInt8], at offset: Int) throws {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes {
                pwrite(descriptor, $0.baseAddress! + written, bytes.count - written, off_t(offset + written))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw ZoneEditError("\(path): cannot write the journal: \(Self.errnoText())")
            }
            written += result
        }
    }

    private func sync(_ fd: Int32, what: String) throws {
        guard fsync(fd) == 0 else { throw ZoneEditError("\(path): fsync of the \(what) failed: \(Self.errnoText())") }
    }

    /// fsyncs the directory holding `path`, so a created or renamed name is durable.
    static func syncDirectory(of path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ZoneEditError("\(directory): cannot open the directory to fsync it: \(errnoText())") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw ZoneEditError("\(directory): fsync of the directory failed: \(errnoText())") }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    /// CRC-32 (IEEE 802.3, as zlib computes it).
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    private static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
}
