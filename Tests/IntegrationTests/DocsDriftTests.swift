import Foundation
import Testing

/// The docs against the code: every configuration key, plugin key and metric the code has is
/// documented, and the docs name none that does not exist (control methods have their own
/// check: MethodCatalogTests). Run on the real docs, and on docs with a planted stale key,
/// which it must catch.
@Suite("Docs drift")
struct DocsDriftTests {
    static var root: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }

    static func read(_ path: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
    }

    static func allDocs() throws -> String {
        let names = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path).filter { $0.hasSuffix(".md") }
        return try names.map { try read("docs/" + $0) }.joined(separator: "\n")
    }

    /// Problems between the configuration code and `reference` (docs/configuration.md's text)
    /// plus `docs` (every page): keys missing from the docs, and reference keys the code lacks.
    static func configurationDrift(reference: String, docs: String) -> [String] {
        let (leaves, accepted, _) = ConfigSchema.discover()
        let mentioned = DocsText.backticked(docs)
        var problems: [String] = []
        for key in leaves.sorted() where !mentioned.contains(key) {
            problems.append("configuration key \(key) is in the code but no page of docs/ names it")
        }
        for key in DocsText.referenceKeys(reference).sorted() where !accepted.contains(key) {
            problems.append("docs/configuration.md names \(key), which the configuration does not accept")
        }
        return problems
    }

    @Test func everyConfigurationKeyIsDocumentedAndNoDocumentedKeyIsMissing() throws {
        let (leaves, _, _) = ConfigSchema.discover()
        #expect(leaves.contains("rrl.window") && leaves.contains("tcp.idle_timeout") && leaves.contains("control.admins.users"), "\(leaves.sorted())")
        let problems = Self.configurationDrift(reference: try Self.read("docs/configuration.md"), docs: try Self.allDocs())
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test func aPlantedStaleKeyIsCaught() throws {
        let reference = try Self.read("docs/configuration.md") + "\n| `tcp.max_zebras` | integer | `3` | not a key |\n"
        let problems = Self.configurationDrift(reference: reference, docs: try Self.allDocs())
        #expect(problems.contains { $0.contains("tcp.max_zebras") }, "\(problems)")
        // And a key the code has, taken out of the docs.
        let docs = try Self.allDocs().replacingOccurrences(of: "`rrl.slip`", with: "slip")
        #expect(Self.configurationDrift(reference: try Self.read("docs/configuration.md"), docs: docs).contains { $0.contains("rrl.slip") })
    }

    /// dnsd.yaml(5) is written by hand: it must still name every key of the reference.
    @Test func everyReferenceKeyIsInTheConfigurationManPage() throws {
        let page = try Self.read("dist/man/dnsd.yaml.5")
        let keys = DocsText.referenceKeys(try Self.read("docs/configuration.md"))
        #expect(keys.contains("tcp.idle_timeout") && keys.contains("servers.zones"), "\(keys.sorted())")
        let missing = keys.filter { !page.contains($0) }
        #expect(missing.isEmpty, "dist/man/dnsd.yaml.5 lacks \(missing.sorted())")
    }

    @Test func everyPluginKeyIsInItsPluginPage() throws {
        let (_, _, plugins) = ConfigSchema.discover()
        #expect(plugins.count >= 5, "\(plugins.keys.sorted())")
        for (plugin, keys) in plugins.sorted(by: { $0.key < $1.key }) {
            let page = try Self.read("docs/plugins/\(plugin).md")
            let documented = DocsText.syntaxKeys(page, plugin: plugin)
            #expect(keys.subtracting(documented).isEmpty, "docs/plugins/\(plugin).md lacks \(keys.subtracting(documented).sorted())")
            #expect(documented.subtracting(keys).isEmpty, "docs/plugins/\(plugin).md names \(documented.subtracting(keys).sorted()), which \(plugin) does not accept")
        }
    }

    /// The series a dnsd with every metric source configured exposes, against docs/metrics.md.
    @Test func everyMetricIsDocumentedAndEveryDocumentedMetricExists() throws {
        let upstream = try FaultyUpstream(mode: "answer")
        let list = try Fixtures.scratchDirectory("metrics-blocklist").appendingPathComponent("ads.txt")
        try "ads.example\n".write(to: list, atomically: true, encoding: .utf8)
        let servers = """
            acl: [{block: [127.0.0.3], name: three}]
            blocklists: {lists: [{name: ads, file: \(list.path)}]}
            dnstap: {sink: "file:dnstap.fstrm"}
            query_log: {file: queries.jsonl}
            servers:
              - zones: [example.test.]
                plugins:
                  - zone: {file: example.test.zone}
              - zones: [fwd.test.]
                plugins:
                  - cache: {}
                  - forward: {to: [\(upstream.url())]}
              - zones: [rec.test.]
                plugins:
                  - recurse: {}

            """
        var exposed: Set<String> = []
        try MetricsDnsd.with(servers: servers) { dnsd in
            _ = try Dig.query(port: dnsd.port, "www.example.test", "A")
            _ = try Dig.query(port: dnsd.port, "www.fwd.test", "A")
            let text = try dnsd.scrape().text
            for line in text.split(separator: "\n") where line.hasPrefix("# TYPE ") {
                exposed.insert(String(line.split(separator: " ")[2]))
            }
        }
        let documented = DocsText.metricNames(try Self.read("docs/metrics.md"))
        #expect(exposed.subtracting(documented).isEmpty, "in /metrics but not in docs/metrics.md: \(exposed.subtracting(documented).sorted())")
        #expect(documented.subtracting(exposed).isEmpty, "in docs/metrics.md but not in /metrics: \(documented.subtracting(exposed).sorted())")
    }
}
