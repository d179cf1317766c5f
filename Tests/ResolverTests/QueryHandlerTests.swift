import DNSProto
import NIOCore
import NIOEmbedded
import Testing
@testable import Resolver

@Suite("Query handler")
struct QueryHandlerTests {
    let handler = QueryHandler(pipeline: Pipeline(blocks: [
        ServerBlock(zones: [try! DNSName("example.test.")], plugins: [ZonePlugin(zone: ZoneFixture.zone)]),
    ]))
    let loop = EmbeddedEventLoop()

    func context(_ transport: Transport = .udp) -> QueryContext {
        QueryContext(client: nil, transport: transport, eventLoop: loop)
    }

    func send(_ bytes: [UInt8], _ transport: Transport = .udp) throws -> Message? {
        switch handler.handle(bytes, context: context(transport)) {
        case .drop: return nil
        case .respond(let reply): return try Message(wire: reply)
        case .pending: Issue.record("zone answers are immediate"); return nil
        }
    }

    @Test func answersAndEchoesTheQuestionCase() throws {
        let reply = try #require(try send(ZoneFixture.query("WwW.Example.TEST.", .a).encode()))
        #expect(reply.header.id == 4242)
        #expect(reply.header.recursionDesired)
        #expect(!reply.header.recursionAvailable)
        #expect(reply.question?.name.description == "WwW.Example.TEST.")
        #expect(reply.answers.count == 1)
        #expect(reply.edns?.udpPayloadSize == 1232)
    }

    @Test func noOPTInTheReplyWhenTheQueryHadNone() throws {
        let reply = try #require(try send(ZoneFixture.query("www.example.test.", .a, edns: nil).encode()))
        #expect(reply.edns == nil)
    }

    /// A plugin may leave an OPT record (with a client subnet, for the cache) in its answer;
    /// the client sees EDNS only if it used EDNS, and a subnet only if it sent one.
    @Test func ednsAndClientSubnetOnlyForClientsThatSentThem() throws {
        struct SubnetAnswering: Plugin {
            let name = "subnet"
            func handle(_ query: Message, context: QueryContext, next: PluginChain) -> PluginOutcome {
                var response = Message.response(to: query)
                response.edns = EDNS(options: [.clientSubnet(ClientSubnet(family: 1, address: [192, 0, 2, 0], sourcePrefixLength: 24, scopePrefixLength: 24))])
                return .respond(response, .upstream("test"))
            }
        }
        let handler = QueryHandler(pipeline: Pipeline(blocks: [ServerBlock(zones: [.root], plugins: [SubnetAnswering()])]))
        func ask(_ edns: EDNS?) throws -> Message {
            guard case .respond(let bytes) = handler.handle(try ZoneFixture.query("a.example.", .a, edns: edns).encode(), context: context()) else {
                throw DNSWireError.unencodable("no answer")
            }
            return try Message(wire: bytes)
        }
        #expect(try ask(nil).edns == nil)
        #expect(try ask(EDNS()).edns?.clientSubnet == nil)
        let subnet = ClientSubnet(family: 1, address: [192, 0, 2, 9], sourcePrefixLength: 24)
        #expect(try ask(EDNS(options: [.clientSubnet(subnet)])).edns?.clientSubnet?.scopePrefixLength == 24)
    }

    @Test func outOfZoneIsRefused() throws {
        let reply = try #require(try send(ZoneFixture.query("www.example.org.", .a).encode()))
        #expect(reply.rcode == .refused)
        #expect(!reply.header.authoritative)
    }

    @Test func otherOpcodesAreNotImplemented() throws {
        var query = ZoneFixture.query("www.example.test.", .a)
        query.header.opcode = .update
        #expect(try send(query.encode())?.rcode == .notImp)
        query.header.opcode = .query
        #expect(try send(ZoneFixture.query("example.test.", .axfr).encode())?.rcode == .notImp)
    }

    @Test func malformedWithAReadableHeaderIsFORMERR() throws {
        var bytes = try ZoneFixture.query("www.example.test.", .a).encode()
        bytes.removeLast(8)
        let reply = try #require(try send(bytes))
        #expect(reply.rcode == .formErr)
        #expect(reply.header.id == 4242)
        #expect(reply.questions.isEmpty)
    }

    @Test func shortPacketsAndResponsesAreDropped() throws {
        #expect(try send([1, 2, 3]) == nil)
        var response = ZoneFixture.query("www.example.test.", .a)
        response.header.isResponse = true
        #expect(try send(response.encode()) == nil)
    }

    @Test func ednsVersionAboveZeroGetsBADVERS() throws {
        var edns = EDNS()
        edns.version = 1
        let reply = try #require(try send(ZoneFixture.query("www.example.test.", .a, edns: edns).encode()))
        #expect(reply.rcode == .badVers)
        #expect(reply.questions.map(\.name) == [try DNSName("www.example.test.")], "the question is echoed")
        #expect(reply.answers.isEmpty)
        #expect(reply.edns?.version == 0)
    }

    @Test func twoQuestionsAreFORMERR() throws {
        var query = ZoneFixture.query("www.example.test.", .a)
        query.questions.append(query.questions[0])
        #expect(try send(query.encode())?.rcode == .formErr)
    }

    @Test func udpSizeLimitsFollowEDNS() {
        let plain = ZoneFixture.query("a.", .a, edns: nil)
        #expect(handler.responseSizeLimit(query: plain, transport: .udp) == 512)
        #expect(handler.responseSizeLimit(query: ZoneFixture.query("a.", .a, edns: EDNS(udpPayloadSize: 4096)), transport: .udp) == 1232)
        #expect(handler.responseSizeLimit(query: ZoneFixture.query("a.", .a, edns: EDNS(udpPayloadSize: 100)), transport: .udp) == 512)
        #expect(handler.responseSizeLimit(query: plain, transport: .tcp) == 65535)
    }

    @Test func longestZoneWins() throws {
        let child = try ZoneLoader.parse(text: "$TTL 60\n@ IN SOA ns h 1 1 1 1 1\nwww IN A 198.51.100.1\n", file: "child", origin: try DNSName("sub.example.test."))
        let pipeline = Pipeline(blocks: [
            ServerBlock(zones: [try DNSName("example.test.")], plugins: [ZonePlugin(zone: ZoneFixture.zone)]),
            ServerBlock(zones: [try DNSName("sub.example.test.")], plugins: [ZonePlugin(zone: child)]),
        ])
        #expect(pipeline.block(for: try DNSName("www.sub.example.test."))?.zones == [try DNSName("sub.example.test.")])
        #expect(pipeline.block(for: try DNSName("www.example.test."))?.zones == [try DNSName("example.test.")])
        #expect(pipeline.block(for: try DNSName("www.example.org.")) == nil)
    }
}
