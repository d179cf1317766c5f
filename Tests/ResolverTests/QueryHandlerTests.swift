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
        // Transfers run on stream connections (`QueryHandler.transfer`): over UDP AXFR is
        // refused and IXFR told to come back over TCP.
        #expect(try send(ZoneFixture.query("example.test.", .axfr).encode())?.rcode == .refused)
        let ixfr = try #require(try send(ZoneFixture.query("example.test.", .ixfr).encode()))
        #expect(ixfr.rcode == .noError && ixfr.header.truncated && ixfr.answers.isEmpty)
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

    /// RFC 4035 §3.1.4.1: DS at a served child's apex comes from the parent's block; every
    /// other question about the child (and DS below its apex) stays with the child's block.
    @Test func dsAtAServedChildApexIsAnsweredByTheParentsBlock() throws {
        let child = try ZoneLoader.parse(text: "$TTL 60\n@ IN SOA ns h 1 1 1 1 1\n@ IN NS ns\nns IN A 192.0.2.53\n", file: "child", origin: try DNSName("sub.example.test."))
        let parentZone = try DNSName("example.test."), childZone = try DNSName("sub.example.test.")
        let pipeline = Pipeline(blocks: [
            ServerBlock(zones: [parentZone], plugins: [ZonePlugin(zone: ZoneFixture.zone)]),
            ServerBlock(zones: [childZone], plugins: [ZonePlugin(zone: child)]),
        ])
        func zone(_ name: String, _ type: RecordType) throws -> DNSName? {
            pipeline.block(answering: Question(name: try DNSName(name), type: type))?.zones.first
        }
        #expect(try zone("sub.example.test.", .ds) == parentZone)
        #expect(try zone("sub.example.test.", .soa) == childZone)
        #expect(try zone("sub.example.test.", .ns) == childZone)
        #expect(try zone("ns.sub.example.test.", .ds) == childZone)
        #expect(try zone("example.test.", .ds) == parentZone)
        let answered = QueryHandler(pipeline: pipeline).handle(try ZoneFixture.query("sub.example.test.", .ds).encode(), context: context())
        guard case .respond(let bytes) = answered else { Issue.record("zone answers are immediate"); return }
        let reply = try Message(wire: bytes)
        #expect(reply.answerTexts == ["sub.example.test. DS 12345 13 2 ABCDEF0123456789"])
        #expect(reply.header.authoritative)

        // A parent block that only forwards holds no parent data: the child answers.
        let forwarding = Pipeline(blocks: [
            ServerBlock(zones: [parentZone], plugins: []),
            ServerBlock(zones: [childZone], plugins: [ZonePlugin(zone: child)]),
        ])
        #expect(forwarding.block(answering: Question(name: childZone, type: .ds))?.zones == [childZone])
        // Nor does a child block that only forwards (the UDP relay forwards its DS queries too).
        let forwardedChild = Pipeline(blocks: [
            ServerBlock(zones: [parentZone], plugins: [ZonePlugin(zone: ZoneFixture.zone)]),
            ServerBlock(zones: [childZone], plugins: []),
        ])
        #expect(forwardedChild.block(answering: Question(name: childZone, type: .ds))?.zones == [childZone])
    }
}
