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
public final class ZoneJournal: @unchecked Sendable {
    // @unchecked: every mutable field is touched only by the owning `ZoneEditor` under its lock.

    public let path: String
    public let origin: DNSName
    /// Bytes of valid entries (header included); what is beyond came from a torn append.
    public private(set) var validLength: Int = 0
    public private(set) var entryCount: Int = 0
    private var descriptor: Int32 = -1
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

    /// Appends `change` and fsyncs; when this returns, the change survives a crash.
    public func append(_ change: ZoneChange) throws {
        try openForAppend()
        let payload = Array(change.journalText.utf8)
        var bytes = Array("entry \(payload.count) \(String(Self.crc32(payload[...]), radix: 16))\n".utf8)
        bytes += payload
        do {
            try writeAll(bytes)
            try sync(descriptor, what: "journal")
        } catch {
            // Leave no half entry for the next append to build on: cut back to the last good one.
            _ = ftruncate(descriptor, off_t(validLength))
            throw error
        }
        validLength += bytes.count
        entryCount += 1
    }

    /// Empties the journal after its entries reached the zone file (compaction).
    public func truncate() throws {
        try openForAppend()
        guard ftruncate(descriptor, 0) == 0 else { throw ZoneEditError("\(path): cannot truncate the journal: \(Self.errnoText())") }
        validLength = 0
        entryCount = 0
        try writeHeader()
        try sync(descriptor, what: "journal")
    }

    /// Opens (creating it durably) and cuts any torn tail off, once.
    private func openForAppend() throws {
        guard descriptor < 0 else { return }
        if !replayed { _ = try replay() }
        let existed = FileManager.default.fileExists(atPath: path)
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ZoneEditError("\(path): cannot open the zone journal for writing: \(Self.errnoText())") }
        descriptor = fd
        if !existed || validLength == 0 {
            guard ftruncate(fd, 0) == 0 else { throw ZoneEditError("\(path): cannot truncate the journal: \(Self.errnoText())") }
            try writeHeader()
            try sync(fd, what: "journal")
            // A new file's name must reach the disk too, or a crash could lose the whole journal.
            try Self.syncDirectory(of: path)
        } else {
            guard ftruncate(fd, off_t(validLength)) == 0 else { throw ZoneEditError("\(path): cannot cut the torn end off the journal: \(Self.errnoText())") }
        }
        guard lseek(fd, 0, SEEK_END) >= 0 else { throw ZoneEditError("\(path): seek failed: \(Self.errnoText())") }
    }

    private func writeHeader() throws {
        let header = Array("\(Self.headerPrefix) \(origin)\n".utf8)
        _ = lseek(descriptor, 0, SEEK_SET)
        try writeAll(header)
        validLength = header.count
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, bytes.count - written) }
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
