import DNSProto
import Foundation
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

/// Owns one zone's data while dnsd runs: the records, the live `ZoneSource` queries read, and
/// for a zone read from a file its journal. Every change goes through here, one at a time.
///
/// An edit (DESIGN.md "Data that must not be lost"):
/// 1. resolves the requested `ZoneEdit`s into exact record operations (`ZoneChange`) and bumps
///    the SOA serial (RFC 1982: +1 modulo 2^32) unless the edit sets the SOA itself;
/// 2. builds the new zone off to the side, which checks it whole (one SOA at the apex, CNAME
///    alone, owners in the zone): a bad edit is refused whole, naming the record;
/// 3. appends the change to the journal and fsyncs it;
/// 4. only then swaps the new zone in, and returns (so the reply follows the fsync);
/// 5. when the journal has grown past `compactAfterBytes`, rewrites the zone file (temp file,
///    fsync, rename, fsync of the directory) and empties the journal.
/// A crash before 3 completes loses an edit nobody was told about; after it, replay at start
/// restores it. Replaying a journal whose entries already reached the file changes nothing
/// (see `ZoneChange`), so a crash between the rename and the truncation is harmless too.
///
/// Cost: each edit rebuilds the zone's index (linear in its size) and does two fsyncs, so it
/// suits operator and ACME-hook edit rates, not bulk loading.
public final class ZoneEditor: @unchecked Sendable {
    // @unchecked: `records`, `journal`, `lastCompactionError` and `compactAfterBytes` are only
    // touched under `lock`; `live` is Sendable.

    public let origin: DNSName
    /// The zone file; nil for a zone written inline in the configuration, which cannot be edited.
    public let file: String?
    /// What queries read.
    public let live: ZoneSource
    /// Transfers and NOTIFY rounds of this zone, for `/metrics`.
    public let transferCounters = ZoneTransferCounters()
    private let lock = NIOLock()
    private var records: ZoneRecordSet
    private var journal: ZoneJournal?
    private var compactAfter: Int
    private var lastCompactionError: String?
    private var history = ZoneHistory()
    /// Told about every new serial (edits, reloads): sends NOTIFY to the secondaries.
    private let notifierBox = NIOLockedValueBox<ZoneNotifier?>(nil)

    /// The journal beside a zone file.
    public static func journalPath(for file: String) -> String { file + ".journal" }

    /// A zone that lives only in memory (inline in the config, or built by a test): it
    /// answers queries but refuses edits.
    public init(zone: AuthoritativeZone) {
        origin = zone.origin
        file = nil
        live = ZoneSource(zone)
        records = ZoneRecordSet(zone.records)
        journal = nil
        compactAfter = 0
    }

    /// Loads `file` and replays its journal on top. Errors name file:line:column (or the
    /// journal entry).
    public init(file: String, origin: DNSName, compactAfterBytes: Int = 65536) throws {
        self.origin = origin
        self.file = file
        compactAfter = compactAfterBytes
        let loaded = try Self.load(file: file, origin: origin)
        records = loaded.records
        journal = loaded.journal
        live = ZoneSource(loaded.zone)
        for change in loaded.changes { history.record(change) }
    }

    /// Where NOTIFY goes after a change (the zone plugin's `notify`/`also_notify`); set when a
    /// configuration is committed, nil for none.
    public var notifier: ZoneNotifier? {
        get { notifierBox.withLockedValue { $0 } }
        set { notifierBox.withLockedValue { $0 = newValue } }
    }

    /// Diffs kept for IXFR (`history` in the zone plugin's configuration).
    public var historyLimit: Int {
        get { lock.withLock { history.limit } }
        set { lock.withLock { history.limit = newValue } }
    }

    /// The zone and its history as one consistent pair, for a transfer.
    public func transferSnapshot() -> (zone: AuthoritativeZone, history: ZoneHistory) {
        lock.withLock { (live.current, history) }
    }

    /// Tells the secondaries when the serial moved.
    private func announce(from old: UInt32, to zone: AuthoritativeZone) {
        guard old != zone.serial else { return }
        notifier?.zoneChanged(zone)
    }

    /// Journal size (bytes) past which an edit compacts the journal into the zone file;
    /// 0 compacts after every edit.
    public var compactAfterBytes: Int {
        get { lock.withLock { compactAfter } }
        set { lock.withLock { compactAfter = newValue } }
    }

    public var current: AuthoritativeZone { live.current }

    private static func load(file: String, origin: DNSName) throws -> (zone: AuthoritativeZone, records: ZoneRecordSet, journal: ZoneJournal, changes: [ZoneChange]) {
        let base = try ZoneLoader.load(path: file, origin: origin)
        let journal = ZoneJournal(path: journalPath(for: file), origin: origin)
        let replay = try journal.replay()
        var records = ZoneRecordSet(base.records)
        guard !replay.changes.isEmpty else { return (base, records, journal, []) }
        for change in replay.changes { records.apply(change) }
        let zone: AuthoritativeZone
        do { zone = try AuthoritativeZone(origin: origin, records: records.records) } catch let error as PresentationError {
            throw ZoneEditError("\(journal.path): \(file) with the journal's \(replay.changes.count) entries replayed is not a valid zone: \(error.message)")
        }
        return (zone, records, journal, replay.changes)
    }

    // MARK: - Reading

    /// What `zone.list` shows.
    public struct Status: Sendable {
        public var origin: DNSName
        public var serial: UInt32
        public var records: Int
        public var file: String?
        public var journalBytes: Int
        public var journalEntries: Int
        /// Edits in the journal that the zone file does not have yet.
        public var dirty: Bool { journalEntries > 0 }
        public var editable: Bool { file != nil }
        public var lastCompactionError: String?
        /// The oldest serial IXFR can answer with a diff; nil when every IXFR gets the zone.
        public var ixfrFrom: UInt32?
        /// Where NOTIFY goes after a change.
        public var notifyTargets: [String] = []
    }

    public var status: Status {
        lock.withLock {
            Status(origin: origin, serial: live.current.serial, records: records.count, file: file,
                   journalBytes: journal?.validLength ?? 0, journalEntries: journal?.entryCount ?? 0,
                   lastCompactionError: lastCompactionError, ixfrFrom: history.entries.first?.fromSerial,
                   notifyTargets: notifier?.targets.map(\.description) ?? [])
        }
    }

    /// Records owned by `name` (of `type` if given), in zone order.
    public func records(at name: DNSName, type: RecordType?) -> [ResourceRecord] {
        current.records.filter { $0.name == name && (type == nil || $0.type == type) }
    }

    /// The zone in presentation format (what compaction writes).
    public func presentation() -> String { ZoneFilePrinter.print(current.records, origin: origin) }

    // MARK: - Parsing requests

    /// Parses `zone.add` arguments: each is zone-file text for one or more records, names
    /// relative to the zone, no `$INCLUDE`. A record without a TTL gets
    /// `ZoneEdit.unspecifiedTTL`, resolved when the edit is applied.
    public func parseAdd(_ texts: [String]) throws -> ZoneEdit {
        var added: [ResourceRecord] = []
        for (index, text) in texts.enumerated() {
            do {
                let parsed = try ZoneFileParser.parse(text: text, file: "record \(index + 1)", origin: origin,
                                                      defaultTTL: ZoneEdit.unspecifiedTTL, include: nil)
                added += parsed.records
            } catch let error as PresentationError {
                throw ZoneEditError("refused \"\(text)\": \(error.message) (column \(error.location.column))")
            }
        }
        guard !added.isEmpty else { throw ZoneEditError("no records given") }
        return .add(added)
    }

    /// Parses `zone.delete` arguments: a name (relative to the zone), an optional type and
    /// optional RDATA in zone-file syntax.
    public func parseDelete(name: String, type: String?, rdata: String?) throws -> ZoneEdit {
        let owner: DNSName
        do { owner = try name == "@" ? origin : DNSName(name, origin: origin) } catch {
            throw ZoneEditError("'\(name)' is not a domain name: \(error)")
        }
        guard owner.isSubdomain(of: origin) else { throw ZoneEditError("\(owner) is outside zone \(origin)") }
        guard let type else {
            guard rdata == nil else { throw ZoneEditError("RDATA given without a type") }
            return .delete(name: owner, type: nil, rdata: nil)
        }
        // Reuse the zone-file parser for the type and RDATA: one record line at the owner.
        let line = "\(owner) 0 \(current.soa.recordClass) \(type) \(rdata ?? "")"
        if rdata == nil {
            guard let parsedType = Self.recordType(type) else { throw ZoneEditError("unknown record type '\(type)'") }
            return .delete(name: owner, type: parsedType, rdata: nil)
        }
        do {
            let parsed = try ZoneFileParser.parse(text: line, file: "zone.delete", origin: origin, include: nil)
            guard parsed.records.count == 1, let record = parsed.records.first else { throw ZoneEditError("give one record's RDATA") }
            return .delete(name: owner, type: record.type, rdata: record.rdata)
        } catch let error as PresentationError {
            throw ZoneEditError("refused \"\(type) \(rdata ?? "")\": \(error.message)")
        }
    }

    /// A type mnemonic or TYPEnnn, through the parser (which knows them all).
    private static func recordType(_ text: String) -> RecordType? {
        let probe = ". 0 IN \(text) \\# 0"
        return (try? ZoneFileParser.parse(text: probe, file: "type", origin: .root))?.records.first?.type
    }

    // MARK: - Editing

    /// What an applied edit did.
    public struct Outcome: Sendable {
        public var serial: UInt32
        public var added: Int
        public var deleted: Int
        /// False when the edit changed nothing (the records were already there or absent):
        /// no journal entry, no serial bump.
        public var changed: Bool
        /// Set when the edit was applied and journaled but rewriting the zone file failed;
        /// the journal still holds the edit.
        public var compactionError: String?
    }

    /// Throws when the zone is DNSSEC-signed: an edit would serve data its RRSIGs and NSEC
    /// chain do not cover, and dnsd does not sign. Such a zone changes by re-signing the file
    /// and `zone.reload`.
    public func refuseIfSigned() throws {
        guard live.current.isSigned else { return }
        throw ZoneEditError("zone \(origin) is DNSSEC-signed (DNSKEY at the apex, RRSIGs) and dnsd does not support online signing: "
                            + "edit the unsigned zone, sign it again and run zone.reload")
    }

    /// Applies `edits` as one atomic change: all or nothing, durable before it returns.
    /// Refused for a signed zone (`refuseIfSigned`).
    public func apply(_ edits: [ZoneEdit]) throws -> Outcome {
        let before = live.current.serial
        let outcome = try applyLocked(edits)
        if outcome.changed { announce(from: before, to: live.current) }
        return outcome
    }

    private func applyLocked(_ edits: [ZoneEdit]) throws -> Outcome {
        try lock.withLock {
            guard let file, let journal else {
                throw ZoneEditError("zone \(origin) is written inline in the configuration and cannot be edited over the control socket; move it to a file")
            }
            try refuseIfSigned()
            var working = records
            let (change, autoSerial) = try Self.resolve(edits, on: &working, origin: origin, zone: live.current)
            guard !change.isEmpty else {
                return Outcome(serial: live.current.serial, added: 0, deleted: 0, changed: false)
            }
            let zone = try Self.validate(working, origin: origin, change: change)
            try Self.checkWritable(file: file, journal: journal.path)
            try journal.append(change)
            records = working
            history.record(change)
            live.replace(with: zone)
            var compactionError: String?
            if journal.validLength > compactAfter {
                do { try compactLocked(file: file, journal: journal) } catch {
                    compactionError = "\(error)"
                }
            }
            // The automatic serial bump is two operations the caller did not ask for.
            let extra = autoSerial ? 1 : 0
            return Outcome(serial: zone.serial, added: change.added - extra, deleted: change.deleted - extra,
                           changed: true, compactionError: compactionError)
        }
    }

    /// Resolves `edits` against `working` (updated in place) into exact operations, with the
    /// SOA serial bump at the end (`autoSerial` says it was added).
    static func resolve(_ edits: [ZoneEdit], on working: inout ZoneRecordSet, origin: DNSName, zone: AuthoritativeZone) throws -> (ZoneChange, autoSerial: Bool) {
        var change = ZoneChange()
        var soaSet = false
        let zoneClass = zone.soa.recordClass
        func soaMinimum() -> UInt32 {
            for record in working.records where record.type == .soa && record.name == origin {
                if case .soa(let data) = record.rdata { return data.minimum }
            }
            return 3600
        }
        for edit in edits {
            switch edit {
            case .add(let added):
                for var record in added {
                    guard record.recordClass == zoneClass else {
                        throw ZoneEditError("refused \(ZoneChange.line(record)): class \(record.recordClass) in a zone of class \(zoneClass)")
                    }
                    guard record.name.isSubdomain(of: origin) else {
                        throw ZoneEditError("refused \(ZoneChange.line(record)): owner is outside zone \(origin)")
                    }
                    let siblings = working.records.filter { $0.name == record.name && $0.type == record.type }
                    if record.ttl == ZoneEdit.unspecifiedTTL {
                        record.ttl = siblings.first?.ttl ?? soaMinimum()
                    }
                    if record.type == .soa {
                        // One SOA per zone: a new one replaces it, serial and all.
                        for old in siblings where old != record { working.delete(old); change.operations.append(.delete(old)) }
                        soaSet = true
                    } else {
                        // RFC 2181 §5.2: one TTL per RRset; a new TTL applies to the whole set.
                        for sibling in siblings where sibling.ttl != record.ttl && sibling.rdata != record.rdata {
                            var updated = sibling
                            updated.ttl = record.ttl
                            working.add(updated)
                            change.operations.append(.add(updated))
                        }
                    }
                    if working.stored(record) != record {
                        working.add(record)
                        change.operations.append(.add(record))
                    }
                }
            case .delete(let name, let type, let rdata):
                let doomed = working.records.filter { record in
                    record.name == name && (type == nil || record.type == type) && (rdata == nil || record.rdata == rdata)
                }
                for record in doomed {
                    working.delete(record)
                    change.operations.append(.delete(record))
                }
            }
        }
        if !change.isEmpty && !soaSet {
            guard let old = working.records.first(where: { $0.type == .soa && $0.name == origin }), case .soa(var data) = old.rdata else {
                throw ZoneEditError("refused: the edit deletes the SOA record of \(origin); a zone must keep one")
            }
            data.serial = nextSerial(data.serial)
            var fresh = old
            fresh.rdata = .soa(data)
            working.delete(old)
            working.add(fresh)
            change.operations += [.delete(old), .add(fresh)]
            return (change, true)
        }
        return (change, false)
    }

    /// RFC 1982 serial arithmetic: add 1 modulo 2^32 (so 4294967295 is followed by 0, which
    /// secondaries still see as newer).
    public static func nextSerial(_ serial: UInt32) -> UInt32 { serial &+ 1 }

    /// Builds the zone from `working`; a failure names the record it is about, preferring one
    /// this edit added.
    static func validate(_ working: ZoneRecordSet, origin: DNSName, change: ZoneChange) throws -> AuthoritativeZone {
        let list = working.records
        let locations = list.indices.map { SourceLocation(file: "edit", line: $0 + 1, column: 1) }
        do {
            return try AuthoritativeZone(origin: origin, records: list, locations: locations)
        } catch let error as PresentationError {
            let index = error.location.line - 1
            var culprit = index >= 0 && index < list.count ? list[index] : nil
            let added = change.operations.compactMap { if case .add(let r) = $0, r.type != .soa || culprit?.type == .soa { r } else { nil } }
            if let found = culprit, !added.contains(found), let mine = added.first(where: { $0.name == found.name }) {
                culprit = mine
            }
            if let culprit {
                throw ZoneEditError("refused \(ZoneChange.line(culprit)): \(error.message)")
            }
            throw ZoneEditError("refused: \(error.message)")
        }
    }

    /// Edits need to append to the journal and, at compaction, replace the zone file: refuse
    /// up front, with the reason, when the files or their directory are read-only.
    static func checkWritable(file: String, journal: String) throws {
        let directory = (file as NSString).deletingLastPathComponent
        for (path, what) in [(file, "zone file"), (directory.isEmpty ? "." : directory, "zone file's directory")] {
            if access(path, W_OK) != 0 {
                throw ZoneEditError("refused: the \(what) \(path) is not writable by dnsd (\(ZoneJournal.errnoText())); edits append to \(journal) and rewrite \(file)")
            }
        }
        if FileManager.default.fileExists(atPath: journal), access(journal, W_OK) != 0 {
            throw ZoneEditError("refused: the journal \(journal) is not writable by dnsd (\(ZoneJournal.errnoText()))")
        }
    }

    // MARK: - Compaction and reload

    /// Writes the zone into its file now and empties the journal.
    public func compact() throws {
        try lock.withLock {
            guard let file, let journal else { throw ZoneEditError("zone \(origin) has no file to compact into") }
            try compactLocked(file: file, journal: journal)
        }
    }

    private func compactLocked(file: String, journal: ZoneJournal) throws {
        do {
            let text = "; zone \(origin) written by dnsd after control-socket edits (serial \(live.current.serial))\n"
                + ZoneFilePrinter.print(records.records, origin: origin)
            try Self.replaceFile(file, with: Array(text.utf8))
            // Only now may the journal go: until the rename is durable, it is the only copy.
            try journal.truncate()
            lastCompactionError = nil
        } catch {
            lastCompactionError = "\(error)"
            throw error
        }
    }

    /// Crash-safe file replacement: write a temp file beside it, fsync, rename over, fsync the
    /// directory. Readers see the old file or the new one, never a torn one.
    public static func replaceFile(_ path: String, with bytes: [UInt8]) throws {
        let temp = path + ".dnsd-tmp"
        var mode: mode_t = 0o644
        var info = stat()
        if stat(path, &info) == 0 { mode = info.st_mode & 0o7777 }
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw ZoneEditError("\(temp): cannot create: \(ZoneJournal.errnoText())") }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                let reason = ZoneJournal.errnoText()
                close(fd)
                unlink(temp)
                throw ZoneEditError("\(temp): write failed: \(reason)")
            }
            written += result
        }
        _ = fchmod(fd, mode)
        guard fsync(fd) == 0 else {
            let reason = ZoneJournal.errnoText()
            close(fd)
            unlink(temp)
            throw ZoneEditError("\(temp): fsync failed: \(reason)")
        }
        close(fd)
        guard rename(temp, path) == 0 else {
            let reason = ZoneJournal.errnoText()
            unlink(temp)
            throw ZoneEditError("cannot rename \(temp) to \(path): \(reason)")
        }
        try ZoneJournal.syncDirectory(of: path)
    }

    /// A zone re-read from disk but not yet serving (see `prepareReload`).
    public struct PreparedReload: Sendable {
        fileprivate let zone: AuthoritativeZone
        fileprivate let records: ZoneRecordSet
        fileprivate let journal: ZoneJournal
    }

    /// Reads the zone file and journal and checks they make a valid zone, without touching
    /// the running one: `config.reload` prepares every zone first and commits only when the
    /// whole configuration is good.
    public func prepareReload() throws -> PreparedReload {
        guard let file else {
            throw ZoneEditError("zone \(origin) is written inline in the configuration; config.reload re-reads it")
        }
        let loaded = try Self.load(file: file, origin: origin)
        return PreparedReload(zone: loaded.zone, records: loaded.records, journal: loaded.journal)
    }

    /// Serves a prepared reload. If the journal grew in between (an edit was acknowledged
    /// after the prepare), the files are read again so that edit is not lost.
    public func commit(_ prepared: PreparedReload) throws {
        let before = live.current.serial
        try lock.withLock {
            var zone = prepared.zone, records = prepared.records, journal = prepared.journal
            if self.journal?.validLength != prepared.journal.validLength, let file {
                (zone, records, journal, _) = try Self.load(file: file, origin: origin)
            }
            self.records = records
            self.journal = journal
            live.replace(with: zone)
        }
        announce(from: before, to: live.current)
    }

    /// Re-reads the zone file and its journal. A bad file throws (file:line:column) and the
    /// running zone stays.
    @discardableResult
    public func reload() throws -> AuthoritativeZone {
        let before = live.current.serial
        let zone = try reloadLocked()
        announce(from: before, to: zone)
        return zone
    }

    private func reloadLocked() throws -> AuthoritativeZone {
        try lock.withLock {
            guard let file else {
                throw ZoneEditError("zone \(origin) is written inline in the configuration; config.reload re-reads it")
            }
            let loaded = try Self.load(file: file, origin: origin)
            records = loaded.records
            journal = loaded.journal
            live.replace(with: loaded.zone)
            return loaded.zone
        }
    }
}
