import DNSProto
import Resolver

/// The top-level `query_log:` section: a JSON-lines file of answered queries, rotated by size
/// and age, sampled and filtered before anything is queued (docs/observability.md).
///
/// ```yaml
/// query_log: {file: /var/log/dnsd/queries.jsonl, max_size: 64MiB, keep: 4, sample: 1, only: errors}
/// ```
public struct QueryLogSettings: Sendable, Equatable {
    /// Which answers are logged (`only:`).
    public enum Only: String, Sendable, Equatable {
        case all
        /// rcodes other than NOERROR and NXDOMAIN, and blocked answers.
        case errors
        /// Answers a blocklist gave (source `policy:LIST`).
        case blocked
    }

    public var file: String
    /// Rotate before a line would take the file past this many bytes.
    public var maxSize: Int
    /// Rotate before writing to a file opened longer ago than this (seconds); nil: never by age.
    public var maxAge: Int?
    /// Rotated files kept: FILE.1 (newest) ... FILE.keep; older ones are removed.
    public var keep: Int
    /// Log one answer in `sample` (1: every one).
    public var sample: Int
    public var only: Only
    /// Only blocked answers of these lists (their `name:`), when not empty.
    public var blocks: [String]
    /// Only names at or under these, when not empty.
    public var zones: [DNSName]
    /// Lines waiting for the writer; past this, new ones are dropped and counted.
    public var queueSize: Int

    public static let defaultMaxSize = 64 << 20
    public static let defaultKeep = 4
    public static let defaultQueueSize = 10_000

    public init(file: String, maxSize: Int = defaultMaxSize, maxAge: Int? = nil, keep: Int = defaultKeep, sample: Int = 1,
                only: Only = .all, blocks: [String] = [], zones: [DNSName] = [], queueSize: Int = defaultQueueSize) {
        self.file = file
        self.maxSize = maxSize
        self.maxAge = maxAge
        self.keep = keep
        self.sample = sample
        self.only = only
        self.blocks = blocks
        self.zones = zones
        self.queueSize = queueSize
    }

    /// Whether an answer passes `only`, `blocks` and `zones` (every filter given must hold).
    func wants(_ event: QueryEvent) -> Bool {
        var blockedBy: Substring?
        if case .admission(let why) = event.source, why.hasPrefix("policy:") { blockedBy = why.dropFirst(7) }
        switch only {
        case .all: break
        case .errors:
            if blockedBy == nil && (event.rcode == .noError || event.rcode == .nxDomain) { return false }
        case .blocked:
            if blockedBy == nil { return false }
        }
        if !blocks.isEmpty {
            guard let list = blockedBy, blocks.contains(where: { $0 == list }) else { return false }
        }
        if !zones.isEmpty, !zones.contains(where: { event.name.isSubdomain(of: $0) }) { return false }
        return true
    }

    static func parse(_ node: ConfigNode, baseDirectory: String, writableFiles: WritableFiles) throws -> QueryLogSettings {
        let keys = try node.mapping(allowed: ["file", "max_size", "max_age", "keep", "sample", "only", "blocks", "zones", "queue_size"])
        guard let fileNode = keys["file"] else {
            throw node.error("missing 'file' (e.g. query_log: {file: /var/log/dnsd/queries.jsonl})")
        }
        let path = try fileNode.string()
        guard !path.isEmpty, !path.hasSuffix("/") else { throw fileNode.error("expected a file path, found '\(path)'") }
        var settings = QueryLogSettings(file: path.hasPrefix("/") ? path : baseDirectory + "/" + path)
        if let size = keys["max_size"] {
            settings.maxSize = try CachePluginConfig.size(size)
            guard settings.maxSize >= 4096 else { throw size.error("max_size must be at least 4KiB") }
        }
        if let age = keys["max_age"] { settings.maxAge = Int(try age.duration(in: .seconds(1) ... .seconds(366 * 86400)).components.seconds) }
        if let keep = keys["keep"] { settings.keep = try keep.int(in: 1...1000) }
        if let sample = keys["sample"] { settings.sample = try sample.int(in: 1...1_000_000) }
        if let only = keys["only"] {
            let text = try only.string()
            guard let value = Only(rawValue: text) else { throw only.error("expected all, errors or blocked, found '\(text)'") }
            settings.only = value
        }
        if let blocks = keys["blocks"] { settings.blocks = try blocks.stringList() }
        if let zones = keys["zones"] {
            settings.zones = try zones.list().map { item in
                let text = try item.string()
                do { return try DNSName(text.hasSuffix(".") ? text : text + ".") } catch {
                    throw item.error("'\(text)' is not a domain name: \(error)")
                }
            }
        }
        if let size = keys["queue_size"] { settings.queueSize = try size.int(in: 1...10_000_000) }
        writableFiles.add(settings.file, purpose: "the query log (rotated as FILE.1 ... FILE.\(settings.keep))", at: fileNode)
        return settings
    }
}
