import DNSProto
import NIOCore
import NIOEmbedded
import Testing
@testable import Resolver

/// AXFR and IXFR as `QueryHandler.transfer` answers them: the policy decides first, AXFR is
/// SOA-framed across messages, IXFR walks the edit history (kept across a restart through the
/// journal) and falls back to the whole zone where the history does not reach.
@Suite("Zone transfers")
struct ZoneTransferTests {
    static let key = TSIGKey(name: try! DNSName("transfer.example."), algorithm: .hmacSHA256, secret: [UInt8](repeating: 9, count: 32))
    let loop = EmbeddedEventLoop()

    func handler(_ editor: ZoneEditor, policy: TransferPolicy?) -> QueryHandler {
        QueryHandler(pipeline: Pipeline(blocks: [
            ServerBlock(zones: [ZoneEditTests.origin], plugins: [ZonePlugin(editor: editor, transfer: policy, keyring: TSIGKeyring([Self.key]))]),
        ]))
    }

    func transfer(_ handler: QueryHandler, _ query: Message, from client: String = "127.0.0.1", sign: Bool = false) throws -> [Message] {
        var bytes = try query.encode()
        if sign { bytes = TSIGSigner.signRequest(bytes, key: Self.key).bytes }
        let context = QueryContext(client: try SocketAddress(ipAddress: client, port: 5353), transport: .tcp, eventLoop: loop)
        return try #require(handler.transfer(bytes, context: context)).map { try Message(wire: $0) }
    }

    static func ixfr(serial: UInt32) throws -> Message {
        var query = ZoneFixture.query("example.test.", .ixfr, edns: nil)
        let soa = try ZoneFileParser.parse(text: "@ 3600 IN SOA ns1 hostmaster \(serial) 7200 3600 1209600 300", file: "q", origin: ZoneEditTests.origin).records[0]
        query.authorities = [soa]
        return query
    }

    static func serials(_ messages: [Message]) -> [UInt32] {
        messages.flatMap(\.answers).compactMap { if case .soa(let data) = $0.rdata { data.serial } else { nil } }
    }

    @Test("nobody may transfer without a policy; a policy checks address and key")
    func policy() throws {
        let (editor, _) = try ZoneEditTests.editor()
        let axfr = ZoneFixture.query("example.test.", .axfr, edns: nil)
        #expect(try transfer(handler(editor, policy: nil), axfr).first?.rcode == .refused)
        let both = handler(editor, policy: TransferPolicy(from: [IPPrefix("127.0.0.1")!], keys: [Self.key.name]))
        #expect(try transfer(both, axfr).first?.rcode == .refused)
        #expect(try transfer(both, axfr, from: "127.0.0.2", sign: true).first?.rcode == .refused)
        #expect(try transfer(both, axfr, sign: true).first?.rcode == .noError)
        #expect(editor.transferCounters.totals["refused"] == 3 && editor.transferCounters.totals["full"] == 1)
        // Not a transfer: the normal path answers.
        #expect(both.transfer(try ZoneFixture.query("example.test.", .soa).encode(), context: QueryContext(client: nil, transport: .tcp, eventLoop: loop)) == nil)
    }

    @Test("AXFR starts and ends with the SOA and splits a large zone into messages")
    func axfr() throws {
        let (editor, _) = try ZoneEditTests.editor()
        let many = (1...600).map { "host\($0) 300 IN TXT \"\(String(repeating: "x", count: 40))\"" }
        _ = try editor.apply([try editor.parseAdd(many)])
        let messages = try transfer(handler(editor, policy: TransferPolicy(from: [IPPrefix("127.0.0.0/8")!], keys: [])), ZoneFixture.query("example.test.", .axfr, edns: nil))
        #expect(messages.count > 1)
        let records = messages.flatMap(\.answers)
        #expect(records.first?.type == .soa && records.last?.type == .soa)
        #expect(records.count == editor.current.records.count + 1)
        #expect(messages.allSatisfy { $0.header.authoritative })
        #expect(messages.dropFirst().allSatisfy { $0.questions.isEmpty })
    }

    @Test("IXFR gives the diffs since the client's serial, the SOA alone when current, the zone when out of reach")
    func ixfr() throws {
        let (editor, file) = try ZoneEditTests.editor(serial: 7)
        _ = try editor.apply([try editor.parseAdd(["a 300 IN A 192.0.2.1"])])
        _ = try editor.apply([try editor.parseDelete(name: "www", type: "A", rdata: nil)])
        let open = TransferPolicy(from: [IPPrefix("127.0.0.1")!], keys: [])
        let diff = try transfer(handler(editor, policy: open), Self.ixfr(serial: 7))
        #expect(Self.serials(diff) == [9, 7, 8, 8, 9, 9])
        let records = diff.flatMap(\.answers)
        #expect(records.contains { $0.name.description == "a.example.test." })
        #expect(records.contains { $0.name.description == "www.example.test." })
        #expect(Self.serials(try transfer(handler(editor, policy: open), Self.ixfr(serial: 9))) == [9])
        let unknown = try transfer(handler(editor, policy: open), Self.ixfr(serial: 3))
        #expect(unknown.flatMap(\.answers).count == editor.current.records.count + 1)
        // After a restart the journal still holds both edits.
        let restarted = try ZoneEditor(file: file, origin: ZoneEditTests.origin)
        #expect(Self.serials(try transfer(handler(restarted, policy: open), Self.ixfr(serial: 8))) == [9, 8, 9, 9])
        restarted.historyLimit = 0
        #expect(try transfer(handler(restarted, policy: open), Self.ixfr(serial: 8)).flatMap(\.answers).count == restarted.current.records.count + 1)
    }

    @Test("a signed transfer is signed in every message")
    func signedStream() throws {
        let (editor, _) = try ZoneEditTests.editor()
        _ = try editor.apply([try editor.parseAdd((1...600).map { "h\($0) 300 IN TXT \"\(String(repeating: "y", count: 40))\"" })])
        let messages = try transfer(handler(editor, policy: TransferPolicy(from: [], keys: [Self.key.name])), ZoneFixture.query("example.test.", .axfr, edns: nil), sign: true)
        #expect(messages.count > 1)
        #expect(messages.allSatisfy { $0.additionals.last?.type == TSIGRecord.recordType })
    }
}
