import DNSProto

/// The `blocklists:` section as loaded (docs/policy.md): the lists with their rules, the client
/// groups that say which lists apply to whom, and what a blocked name gets. One value per
/// configuration generation; admission asks it on wire data for every query
/// (`Admission.blocking`), before the packet cache, so a blocked answer costs no more than a
/// cache hit and no blocked name is ever forwarded.
public final class Blocklists: Sendable {
    /// What a blocked name gets.
    public enum Answer: String, Sendable, CaseIterable {
        /// NXDOMAIN: the name does not exist (Pi-hole's and Blocky's default).
        case nxdomain
        /// NOERROR with no records.
        case nodata
        /// 0.0.0.0 to A and :: to AAAA questions (NODATA to other types): for software that
        /// retries on NXDOMAIN.
        case null
        case refused
    }

    /// One list: its rules, where they came from, and whether it allows rather than blocks.
    public struct List: Sendable {
        public let name: String
        /// The file the rules are read from (for a `url` list: the downloaded copy).
        public let source: String
        public let allow: Bool
        public var rules: BlocklistParser.Parsed
        /// Where the list is downloaded from, and how often (BlocklistFetcher in the daemon).
        public let url: String?
        public let refresh: Duration?

        public init(name: String, source: String, allow: Bool, rules: BlocklistParser.Parsed, url: String? = nil, refresh: Duration? = nil) {
            self.name = name
            self.source = source
            self.allow = allow
            self.rules = rules
            self.url = url
            self.refresh = refresh
        }
    }

    /// Clients (by prefix) and the lists (indices into `lists`) that apply to them.
    public struct Group: Sendable {
        public let name: String
        /// Empty for the default group: the one for clients no other group names.
        public let clients: [IPPrefix]
        public let lists: [Int]

        public init(name: String, clients: [IPPrefix], lists: [Int]) {
            self.name = name
            self.clients = clients
            self.lists = lists
        }
    }

    /// A rule that matched: the list, its source line, and where the matched name starts in
    /// the query name (the rule is that suffix).
    public struct Hit: Sendable, Equatable {
        public let list: Int
        public let line: UInt32
        public let suffixStart: Int
    }

    public let lists: [List]
    /// In order: a client takes the first group whose prefixes hold it.
    public let groups: [Group]
    public let answer: Answer
    /// The TTL of `null` answers' records.
    public let ttl: UInt32
    /// The lists of a client in no group: the default group's, or every list when there are
    /// no groups at all, or none.
    private let ungrouped: [Int]

    public init(lists: [List], groups: [Group], answer: Answer, ttl: UInt32) {
        self.lists = lists
        self.groups = groups
        self.answer = answer
        self.ttl = ttl
        if groups.isEmpty {
            ungrouped = Array(lists.indices)
        } else {
            ungrouped = groups.first(where: { $0.clients.isEmpty })?.lists ?? []
        }
    }

    /// The same lists and groups with the list named `name` holding `rules` (a refreshed
    /// download); nil when there is no such list.
    public func replacing(rulesOf name: String, with rules: BlocklistParser.Parsed) -> Blocklists? {
        guard let index = lists.firstIndex(where: { $0.name == name }) else { return nil }
        var lists = lists
        lists[index].rules = rules
        return Blocklists(lists: lists, groups: groups, answer: answer, ttl: ttl)
    }

    /// The group that applies to `client` (nil: no group; then `ungrouped` lists apply).
    public func group(for client: ClientAddress?) -> Group? {
        guard let client else { return groups.first { $0.clients.isEmpty } }
        return groups.first { group in group.clients.contains { $0.contains(client) } } ?? groups.first { $0.clients.isEmpty }
    }

    /// The list indices that apply to `client`.
    func applicable(to client: ClientAddress?) -> [Int] {
        guard !groups.isEmpty else { return ungrouped }
        return group(for: client)?.lists ?? []
    }

    /// The rule blocking `name` (a lower-cased, uncompressed wire name) for `client`, or nil
    /// when no applicable list blocks it or one of them excepts it.
    public func blocking(_ name: UnsafeRawBufferPointer, client: ClientAddress?) -> Hit? {
        let applicable = applicable(to: client)
        var hit: Hit?
        for index in applicable {
            let rules = lists[index].rules
            if rules.exceptions.count > 0, rules.exceptions.match(name) != nil { return nil }
            if hit == nil, let match = rules.blocked.match(name) { hit = Hit(list: index, line: match.line, suffixStart: match.suffixStart) }
        }
        return hit
    }

    /// Every list's say on `name` for `client`, for `policy.check`: which rules block it and
    /// which except it, in the lists that apply to the client and in those that do not.
    public func explain(_ name: [UInt8], client: ClientAddress?) -> [(list: Int, applies: Bool, blockedBy: Hit?, exceptedBy: Hit?)] {
        let applicable = Set(applicable(to: client))
        return name.withUnsafeBytes { bytes in
            lists.indices.map { index in
                let rules = lists[index].rules
                let blocked = rules.blocked.match(bytes).map { Hit(list: index, line: $0.line, suffixStart: $0.suffixStart) }
                let excepted = rules.exceptions.match(bytes).map { Hit(list: index, line: $0.line, suffixStart: $0.suffixStart) }
                return (index, applicable.contains(index), blocked, excepted)
            }
        }
    }
}
