import DNSProto
import Foundation
import NIOCore
import NIOEmbedded
import Testing
@testable import Resolver

@Suite("Hosts file and plugin")
struct HostsTests {
    static let text = """
    # comment line
    127.0.0.1   localhost
    192.0.2.10  web.example   www.example   # trailing comment

    2001:db8::10 web.example
    \t192.0.2.11\tdb.example
    not-an-ip   broken.example
    fe80::1%eth0 linklocal
    192.0.2.12
    192.0.2.13  bad..name
    192.0.2.10  WEB.example
    """

    @Test func parsesAndReportsBadLines() throws {
        let (entries, problems) = HostsFileParser.parse(Self.text, file: "hosts")
        #expect(entries.map(\.line) == [2, 3, 5, 6, 11])
        #expect(entries[1].names.map(\.description) == ["web.example.", "www.example."])
        #expect(problems.map(\.line) == [7, 8, 9, 10])
        #expect(problems[0].description.hasPrefix("hosts:7: 'not-an-ip'"))
        #expect(problems[1].message.contains("zone index"))
    }

    @Test func reverseNames() throws {
        #expect(HostsTable.reverseName(.v4(IPv4Address("192.0.2.10")!)).description == "10.2.0.192.in-addr.arpa.")
        #expect(HostsTable.reverseName(.v6(IPv6Address("2001:db8::1")!)).description
                == "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.")
    }

    func plugin(fallsThrough: Bool = true, file: String? = nil) throws -> HostsPlugin {
        let entries = HostsFileParser.parse(Self.text, file: "inline").entries
        return try HostsPlugin(file: file, inline: file == nil ? entries : [], ttl: 600, fallthrough: fallsThrough, reload: nil)
    }

    func ask(_ plugin: HostsPlugin, _ name: String, _ type: RecordType) -> (Message, AnswerSource)? {
        let loop = EmbeddedEventLoop()
        let query = ZoneFixture.query(name, type)
        guard case .respond(let message, let source) = plugin.handle(query, context: QueryContext(client: nil, transport: .udp, eventLoop: loop),
                                                                  next: PluginChain([][...])) else { return nil }
        return (message, source)
    }

    @Test func answersAddressesWithAA() throws {
        let hosts = try plugin()
        let (a, source) = try #require(ask(hosts, "Web.Example.", .a))
        #expect(source == .hosts)
        #expect(a.header.authoritative)
        #expect(a.answerTexts == ["Web.Example. A 192.0.2.10"])
        #expect(a.answers.first?.ttl == 600)
        let (aaaa, _) = try #require(ask(hosts, "web.example.", .aaaa))
        #expect(aaaa.answerTexts == ["web.example. AAAA 2001:db8::10"])
        let (nodata, nodataSource) = try #require(ask(hosts, "db.example.", .aaaa))
        #expect(nodataSource == .hosts)
        #expect(nodata.rcode == .noError)
        #expect(nodata.answers.isEmpty)
        #expect(try #require(ask(hosts, "db.example.", .mx)).0.answers.isEmpty)
    }

    @Test func answersPTR() throws {
        let hosts = try plugin()
        let (v4, _) = try #require(ask(hosts, "10.2.0.192.in-addr.arpa.", .ptr))
        #expect(v4.answerTexts == ["10.2.0.192.in-addr.arpa. PTR web.example.", "10.2.0.192.in-addr.arpa. PTR www.example."])
        let v6name = HostsTable.reverseName(.v6(IPv6Address("2001:db8::10")!)).description
        let (v6, _) = try #require(ask(hosts, v6name, .ptr))
        #expect(v6.answers.map { $0.rdata } == [.ptr(try DNSName("web.example."))])
    }

    @Test func unknownNamesFallThroughOrGetNXDOMAIN() throws {
        let passing = try plugin()
        let (passed, source) = try #require(ask(passing, "other.example.", .a))
        #expect(source == .server, "the (empty) rest of the chain answered")
        #expect(passed.rcode == .refused)
        #expect(try #require(ask(passing, "99.2.0.192.in-addr.arpa.", .ptr)).1 == .server)
        let closed = try plugin(fallsThrough: false)
        let (nx, nxSource) = try #require(ask(closed, "other.example.", .a))
        #expect(nxSource == .hosts)
        #expect(nx.rcode == .nxDomain)
        #expect(nx.header.authoritative)
    }

    @Test func reloadsWhenTheFileChangesAndKeepsTheTableWhenItVanishes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hosts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("hosts").path
        try "192.0.2.1 one.example\n".write(toFile: path, atomically: true, encoding: .utf8)
        let hosts = try plugin(file: path)
        #expect(try #require(ask(hosts, "one.example.", .a)).0.answers.count == 1)
        #expect(!hosts.reloadIfChanged(), "unchanged file")
        // Same size, replaced by rename: the inode differs.
        try "192.0.2.2 two.example\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(hosts.reloadIfChanged())
        #expect(try #require(ask(hosts, "two.example.", .a)).0.answerTexts == ["two.example. A 192.0.2.2"])
        #expect(try #require(ask(hosts, "one.example.", .a)).1 == .server)
        try FileManager.default.removeItem(atPath: path)
        #expect(!hosts.reloadIfChanged())
        #expect(!hosts.reload())
        #expect(try #require(ask(hosts, "two.example.", .a)).1 == .hosts, "a file that cannot be read keeps the old table")
        #expect(throws: HostsProblem.self) { try HostsPlugin(file: path, reload: nil) }
    }

    @Test func pollingPicksUpChanges() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hosts-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("hosts").path
        try "192.0.2.1 one.example\n".write(toFile: path, atomically: true, encoding: .utf8)
        let hosts = try HostsPlugin(file: path, reload: .milliseconds(50))
        try "192.0.2.1 one.example\n192.0.2.3 three.example\n".write(toFile: path, atomically: false, encoding: .utf8)
        var found = false
        for _ in 0..<100 where !found {
            try await Task.sleep(for: .milliseconds(20))
            found = hosts.table.forward[try DNSName("three.example.")] != nil
        }
        #expect(found)
    }
}
