import Atomics
import DNSProto
import Foundation
import Logging
import NIOCore

/// `hosts`: answers A, AAAA and PTR from a file in /etc/hosts format and/or lines given in the
/// configuration, like CoreDNS's hosts plugin.
///
/// Parameters: `file` (path; default none), `inline` (hosts lines), `ttl` (seconds, default
/// 3600), `reload` (poll interval for the file, default 5s; 0 = never), `fallthrough`
/// (default true).
///
/// - A name it holds gets its A or AAAA records with AA set; asked for the other family (or
///   any other type) it gets NODATA. PTR queries for its addresses (in-addr.arpa, ip6.arpa)
///   get every name of that address, the first one first.
/// - Names it does not hold go to the next plugin, or with `fallthrough: false` get NXDOMAIN
///   (AA set, no SOA: a hosts file has none).
/// - The file is re-read when it changes (see `HostsFileWatcher`); a file that cannot be read
///   keeps the table in use. Unusable lines are logged with file:line and skipped.
public final class HostsPlugin: Plugin, Sendable {
    public let name = "hosts"
    public let file: String?
    public let inline: [HostsEntry]
    public let ttl: UInt32
    public let fallsThrough: Bool
    private let current: ManagedAtomic<HostsTable>
    private let watcher: HostsFileWatcher?
    private let logger: Logger

    /// Reads `file` (throws when it cannot be read: a typo in the path should stop dnsd, not
    /// serve an empty table) and starts polling it every `reload` (nil or zero: never).
    public init(file: String?, inline: [HostsEntry] = [], ttl: UInt32 = 3600, `fallthrough`: Bool = true,
                reload: TimeAmount? = .seconds(5), logger: Logger = Logger(label: "dnsd.hosts")) throws {
        self.file = file
        self.inline = inline
        self.ttl = ttl
        self.fallsThrough = `fallthrough`
        self.logger = logger
        var entries = inline
        if let file {
            let (fromFile, problems) = try Self.read(file)
            Self.log(problems, logger)
            entries = fromFile + inline
        }
        current = ManagedAtomic(HostsTable(entries: entries))
        if let file {
            let watcher = HostsFileWatcher(path: file)
            self.watcher = watcher
            if let reload, reload > .zero {
                watcher.start(every: reload) { [weak self] in self?.reload() }
            }
        } else {
            watcher = nil
        }
    }

    deinit { watcher?.stop() }

    /// Only the names it holds (forward or reverse) need the full path; with `fallthrough:
    /// false` it answers every name, so all do.
    public var fastPath: FastPathStep {
        guard fallsThrough else { return .needsMessage }
        return .claims { [current] name in
            let table = current.load(ordering: .acquiring)
            return table.forward[name] != nil || table.reverse[name] != nil
        }
    }

    /// The table queries use now.
    public var table: HostsTable { current.load(ordering: .acquiring) }

    /// Re-reads the file now and swaps the table in; on a read error the old table stays
    /// and false is returned.
    @discardableResult
    public func reload() -> Bool {
        guard let file else { return false }
        do {
            let (entries, problems) = try Self.read(file)
            Self.log(problems, logger)
            current.store(HostsTable(entries: entries + inline), ordering: .releasing)
            logger.info("hosts file reloaded", metadata: ["file": "\(file)", "lines": "\(entries.count)"])
            return true
        } catch {
            logger.warning("hosts file not reloaded, keeping the previous table: \(error)")
            return false
        }
    }

    /// Polls the file once (what the timer does); true when it changed and was re-read.
    @discardableResult
    public func reloadIfChanged() -> Bool {
        guard let watcher, watcher.hasChanged() else { return false }
        return reload()
    }

    static func read(_ path: String) throws -> ([HostsEntry], [HostsProblem]) {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw HostsProblem(file: path, line: 0, message: "cannot read hosts file: \((error as NSError).localizedDescription)")
        }
        return HostsFileParser.parse(String(decoding: data, as: UTF8.self), file: path)
    }

    private static func log(_ problems: [HostsProblem], _ logger: Logger) {
        for problem in problems { logger.warning("skipping hosts line: \(problem)") }
    }

    public func handle(_ query: Message, context: QueryContext, next: PluginChain) -> PluginOutcome {
        guard let question = query.question, question.recordClass == .in || question.recordClass == .any else {
            return next.run(query, context: context)
        }
        let table = self.table
        var answers: [ResourceRecord] = []
        if let addresses = table.forward[question.name] {
            if question.type == .a || question.type == .any {
                answers += addresses.v4.map { ResourceRecord(name: question.name, ttl: ttl, rdata: .a($0)) }
            }
            if question.type == .aaaa || question.type == .any {
                answers += addresses.v6.map { ResourceRecord(name: question.name, ttl: ttl, rdata: .aaaa($0)) }
            }
        } else if let names = table.reverse[question.name] {
            if question.type == .ptr || question.type == .any {
                answers = names.map { ResourceRecord(name: question.name, ttl: ttl, rdata: .ptr($0)) }
            }
        } else if fallsThrough {
            return next.run(query, context: context)
        } else {
            var reply = Message.response(to: query, rcode: .nxDomain)
            reply.header.authoritative = true
            return .respond(reply, .hosts)
        }
        // A name we hold: its records, or NODATA for types we have none of.
        var reply = Message.response(to: query)
        reply.header.authoritative = true
        reply.answers = answers
        return .respond(reply, .hosts)
    }
}
