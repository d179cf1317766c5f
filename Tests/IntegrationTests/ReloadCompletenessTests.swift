import Daemon
import Foundation
import Testing

/// `config.reload` is complete: every key of the configuration reference is either applied to
/// the running daemon, which a real client then sees behave differently, or named in the reply's
/// `needs_restart` (and the log) while the running value stays. The keys come from the
/// configuration code and docs/configuration.md the way DocsDriftTests finds them, so a new key
/// without a case in ReloadCases.swift fails here; ReloadPolicy (the daemon's decision) and the
/// reference's reload column must say the same as the case.
@Suite("Reload is complete")
struct ReloadCompletenessTests {
    /// Whether a reply's key list names `key` or a section it belongs to.
    static func names(_ list: [String], _ key: String) -> Bool { list.contains { key == $0 || key.hasPrefix($0 + ".") } }

    /// The configuration's keys (from its code and docs/configuration.md) that have no case, and
    /// cases for keys it does not have or that have a twin.
    static func coverageProblems(keys: Set<String>, cases: [ReloadCase]) -> [String] {
        let byKey = Dictionary(grouping: cases, by: \.key)
        var problems: [String] = []
        for key in keys.sorted() where byKey[key] == nil && !byKey.keys.contains(where: { $0.hasPrefix(key + ".") }) {
            problems.append("no reload case for \(key): add one to Tests/IntegrationTests/ReloadCases.swift (and decide it in ReloadPolicy)")
        }
        for (key, list) in byKey.sorted(by: { $0.key < $1.key }) {
            if list.count > 1 { problems.append("\(list.count) cases for \(key)") }
            // A case may be about one sub-key of a key (servers.acl.drop of servers.acl).
            if !keys.contains(key) && !keys.contains(where: { key.hasPrefix($0 + ".") }) {
                problems.append("a case for \(key), which the configuration does not have")
            }
        }
        return problems
    }

    static func configurationKeys() throws -> Set<String> {
        ConfigSchema.discover().leaves.union(DocsText.referenceKeys(try DocsDriftTests.read("docs/configuration.md")))
    }

    @Test func everyKeyHasACaseAndTheDaemonAndTheDocsAgreeWithIt() throws {
        let reference = try DocsDriftTests.read("docs/configuration.md")
        let keys = try Self.configurationKeys()
        #expect(keys.contains("tcp.idle_timeout") && keys.contains("control.admins.users") && keys.contains("servers.acl"), "\(keys.sorted())")
        let problems = Self.coverageProblems(keys: keys, cases: ReloadCase.all)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        for reloadCase in ReloadCase.all {
            let effect = ReloadPolicy.effect(of: reloadCase.key)
            #expect(effect == (reloadCase.probe == nil ? .restart : .live), "ReloadPolicy says \(reloadCase.key) is \(effect), the case says otherwise")
        }
        // The reload column of the reference and of docs/control.md's table of `control` keys.
        let column = DocsText.reloadColumn(reference).merging(DocsText.reloadColumn(try DocsDriftTests.read("docs/control.md"))) { $1 }
        for key in DocsText.referenceKeys(reference).sorted() where column[key] == nil {
            Issue.record("docs/configuration.md gives no reload column for \(key)")
        }
        for (key, value) in column.sorted(by: { $0.key < $1.key }) {
            #expect(value == ReloadPolicy.effect(of: key).rawValue, "the docs say \(key) is '\(value)', ReloadPolicy says \(ReloadPolicy.effect(of: key))")
        }
    }

    @Test func aNewKeyWithoutACaseIsCaught() throws {
        let keys = try Self.configurationKeys()
        #expect(Self.coverageProblems(keys: keys.union(["tcp.max_zebras"]), cases: ReloadCase.all).contains { $0.contains("tcp.max_zebras") })
        let withoutOne = ReloadCase.all.filter { $0.key != "edns_udp_size" }
        #expect(Self.coverageProblems(keys: keys, cases: withoutOne).contains { $0.contains("edns_udp_size") })
    }

    @Test(arguments: ReloadCase.Group.allCases)
    func eachKeyIsAppliedOrNeedsARestart(_ group: ReloadCase.Group) throws {
        let started = Date()
        let harness = try ReloadHarness(tls: group == .tls || group == .http2)
        for reloadCase in ReloadCase.all where reloadCase.group == group {
            let key = reloadCase.key
            if group == .tls { try harness.installMain("a1") }
            try harness.reload(reloadCase.before(harness))
            // The files as they are now are what is served (a case before may have changed them).
            if group == .tls { _ = try harness.call("tls.reload") }
            try reloadCase.prepare(harness)
            let before = try reloadCase.probe.map { try $0.observe(harness) }
            let reply = try harness.reload(reloadCase.after(harness))
            let applied = reply["applied"] as? [String] ?? [], restart = reply["needs_restart"] as? [String] ?? []
            if let probe = reloadCase.probe {
                #expect(Self.names(applied, key) && !Self.names(restart, key), "\(key): applied \(applied), needs_restart \(restart)")
                let after = try probe.observe(harness)
                #expect(after == probe.expected, "\(key): \(after) after the reload, expected \(probe.expected)")
                #expect(before != probe.expected, "\(key): \(before ?? "") already before the reload: the case shows nothing")
            } else {
                #expect(Self.names(restart, key) && !Self.names(applied, key), "\(key): needs_restart \(restart), applied \(applied)")
                let section = restart.first { key == $0 || key.hasPrefix($0 + ".") } ?? key
                #expect(harness.dnsd.stderr.contains("reload: \(section) changed; the running value stays until dnsd restarts"),
                        "\(key): not logged\n\(harness.dnsd.stderr.suffix(2000))")
            }
        }
        print("reload cases of \(group): \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        let status = try harness.stop()
        #expect(status == 0, "\(harness.dnsd.stderr.suffix(3000))")
        if status == 0 { try? FileManager.default.removeItem(at: harness.directory) }
    }
}
