import Foundation
import Resolver

/// Reads the `blocklists:` section (docs/policy.md) and loads every list it names:
///
/// ```yaml
/// blocklists:
///   answer: nxdomain        # nxdomain | nodata | null | refused
///   ttl: 60s                # the TTL of null answers' 0.0.0.0 and :: records
///   lists:
///     - {name: ads, file: lists/ads.txt}
///     - {name: ours, file: lists/allow.txt, allow: true}
///     - {name: feed, url: "https://lists.example/hosts", file: /var/lib/dnsd/feed.txt, refresh: 1d}
///   groups:                 # optional: without it every list applies to every client
///     - {name: kids, clients: [192.168.1.0/26], lists: [ads, adult, ours]}
///     - {name: default, lists: [ads, ours]}   # no clients: everyone else
/// ```
///
/// A list file that cannot be read refuses the configuration (a reload keeps the lists in
/// force); lines of a list that are not rules are skipped and counted, not refused. A `url`
/// list's file is its downloaded copy (BlocklistFetcher.swift): missing at first, the list
/// starts empty until the first download.
enum BlocklistsConfig {
    static func parse(_ node: ConfigNode, baseDirectory: String, writableFiles: WritableFiles) throws -> Blocklists {
        let keys = try node.mapping(allowed: ["answer", "ttl", "lists", "groups"])
        let answer = try keys["answer"]?.choice("answer", of: Blocklists.Answer.self) ?? .nxdomain
        let ttl = try keys["ttl"].map { UInt32(try $0.duration(in: .seconds(0) ... .seconds(86400)).components.seconds) } ?? 60
        guard let listsNode = keys["lists"] else { throw node.error("blocklists needs 'lists' (each with a name and a file)") }
        var lists: [Blocklists.List] = []
        for entry in try listsNode.list() {
            let fields = try entry.mapping(allowed: ["name", "file", "allow", "url", "refresh"])
            guard let nameNode = fields["name"] else { throw entry.error("a list needs a name") }
            let name = try nameNode.string()
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                throw nameNode.error("a list name is letters, digits, - and _; found '\(name)'")
            }
            guard !lists.contains(where: { $0.name == name }) else { throw nameNode.error("a list named '\(name)' is already defined") }
            guard let fileNode = fields["file"] else { throw entry.error("list '\(name)' needs a file") }
            let path = try fileNode.filePath(relativeTo: baseDirectory)
            let allow = try fields["allow"]?.bool() ?? false
            var url: String?
            if let urlNode = fields["url"] {
                let text = try urlNode.string()
                guard let parsed = URL(string: text), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                    throw urlNode.error("expected an http:// or https:// URL, found '\(text)'")
                }
                url = text
                writableFiles.add(path, purpose: "the downloaded copy of list '\(name)'", at: fileNode)
            }
            let refresh = try fields["refresh"].map { node -> Duration in
                guard url != nil else { throw node.error("refresh applies to a list with a url") }
                return try node.duration(in: .seconds(1) ... .seconds(30 * 86400))
            }
            let data = FileManager.default.contents(atPath: path)
            guard data != nil || url != nil else { throw fileNode.error("cannot read list '\(name)' from \(path)") }
            lists.append(Blocklists.List(name: name, source: path, allow: allow, rules: BlocklistParser.parse(Array(data ?? Data()), allow: allow),
                                         url: url, refresh: url == nil ? nil : refresh ?? .seconds(86400)))
        }
        var groups: [Blocklists.Group] = []
        for entry in try keys["groups"]?.list() ?? [] {
            let fields = try entry.mapping(allowed: ["name", "clients", "lists"])
            guard let name = try fields["name"]?.string(), !name.isEmpty else { throw entry.error("a group needs a name") }
            var clients: [IPPrefix] = []
            for client in try fields["clients"]?.list() ?? [] {
                let text = try client.string()
                guard let prefix = IPPrefix(text) else { throw client.error("expected a network like 192.168.1.0/24 or 2001:db8::/48, found '\(text)'") }
                clients.append(prefix)
            }
            if clients.isEmpty, groups.contains(where: { $0.clients.isEmpty }) {
                throw entry.error("only one group may leave out clients (the default group)")
            }
            var members: [Int] = []
            for listNode in try fields["lists"]?.list() ?? [] {
                let listName = try listNode.string()
                guard let index = lists.firstIndex(where: { $0.name == listName }) else {
                    throw listNode.error("no list is named '\(listName)' (lists: \(lists.map(\.name).joined(separator: ", ")))")
                }
                members.append(index)
            }
            groups.append(Blocklists.Group(name: name, clients: clients, lists: members))
        }
        return Blocklists(lists: lists, groups: groups, answer: answer, ttl: ttl)
    }
}
