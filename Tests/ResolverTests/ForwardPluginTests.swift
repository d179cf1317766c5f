import DNSProto
import NIOCore
import NIOPosix
import Testing
@testable import Resolver

@Suite("Forward plugin")
struct ForwardPluginTests {
    static let name = try! DNSName("www.example.test.")

    func plugin(ecs: ForwardPlugin.ClientSubnetPolicy = .init(), caseRandomization: Bool = false,
                upstreams: [Upstream] = [], timeout: TimeAmount = .seconds(1), policy: UpstreamPolicy = .sequential) -> ForwardPlugin {
        ForwardPlugin(pool: UpstreamPool(upstreams: upstreams, policy: policy, timeout: timeout),
                      caseRandomization: caseRandomization, ecs: ecs)
    }

    func query(edns: EDNS? = EDNS(udpPayloadSize: 4096, dnssecOK: true), name: DNSName = Self.name) -> Message {
        var header = Header(id: 0x1234)
        header.recursionDesired = true
        return Message(header: header, questions: [Question(name: name, type: .a)], edns: edns)
    }

    @Test("the upstream query has our EDNS size, the client's DO, RD, and no client options but ECS")
    func upstreamQueryShape() throws {
        var client = query()
        client.edns!.options = [.cookie(client: [1, 2, 3, 4, 5, 6, 7, 8], server: []), .padding(length: 8)]
        let built = try #require(plugin().upstreamQuery(for: client, question: client.question!, client: nil))
        let sent = try Message(wire: built.wire)
        #expect(sent.edns?.udpPayloadSize == 1232)
        #expect(sent.edns?.dnssecOK == true)
        #expect(sent.edns?.options.isEmpty == true)
        #expect(sent.header.recursionDesired)
        #expect(sent.question == client.question)
    }

    @Test("ECS add derives the subnet from the client address, truncated to the prefix")
    func ecsAdd() throws {
        let forward = plugin(ecs: .init(mode: .add, ipv4Prefix: 24, ipv6Prefix: 56))
        let v4 = forward.clientSubnet(for: query(), client: try SocketAddress(ipAddress: "198.51.100.77", port: 5353))
        #expect(v4 == ClientSubnet(family: 1, address: [198, 51, 100, 0], sourcePrefixLength: 24))
        let v6 = forward.clientSubnet(for: query(), client: try SocketAddress(ipAddress: "2001:db8:1234:5678::1", port: 5353))
        #expect(v6?.family == 2 && v6?.sourcePrefixLength == 56 && v6?.address == [0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56])
        var optOut = query()
        optOut.edns!.options = [.clientSubnet(ClientSubnet(family: 1, address: [], sourcePrefixLength: 0))]
        #expect(forward.clientSubnet(for: optOut, client: try SocketAddress(ipAddress: "198.51.100.77", port: 1))?.sourcePrefixLength == 0)
    }

    @Test("ECS pass forwards the client's option; strip sends none")
    func ecsPassAndStrip() throws {
        var client = query()
        let subnet = ClientSubnet(family: 1, address: [203, 0, 113, 0], sourcePrefixLength: 24)
        client.edns!.options = [.clientSubnet(subnet)]
        let address = try SocketAddress(ipAddress: "192.0.2.1", port: 1)
        #expect(plugin(ecs: .init(mode: .pass)).clientSubnet(for: client, client: address) == subnet)
        #expect(plugin(ecs: .init(mode: .strip)).clientSubnet(for: client, client: address) == nil)
        #expect(plugin(ecs: .init(mode: .pass)).clientSubnet(for: query(), client: address) == nil)
    }

    @Test("the response gets the client's ID, question case, own EDNS; the upstream's ECS scope stays for the cache")
    func responseShape() throws {
        let forward = plugin()
        var client = query(name: try DNSName("WwW.Example.TEST."))
        let sent = Question(name: try DNSName("wWw.eXample.test."), type: .a)
        var upstream = Message(header: Header(id: 0x9999), questions: [sent])
        upstream.header.isResponse = true
        upstream.header.recursionAvailable = true
        upstream.answers = [ResourceRecord(name: sent.name, ttl: 60, rdata: .a(IPv4Address("192.0.2.1")!))]
        upstream.edns = EDNS(udpPayloadSize: 4096, options: [
            .clientSubnet(ClientSubnet(family: 1, address: [203, 0, 113, 0], sourcePrefixLength: 24, scopePrefixLength: 20)),
            .cookie(client: [1, 2, 3, 4, 5, 6, 7, 8], server: [9, 9, 9, 9, 9, 9, 9, 9]),
            .extendedError(code: 18, text: "blocked"),
        ])
        var response = forward.response(to: client, from: upstream, sent: sent)
        #expect(response.header.id == 0x1234)
        #expect(response.questions == client.questions && response.question!.name.wire == client.question!.name.wire)
        #expect(response.answers[0].name.wire == client.question!.name.wire, "0x20 case restored in owner names")
        #expect(response.edns?.dnssecOK == true)
        // The subnet the upstream answered for stays in the message for the cache to key on;
        // QueryHandler removes it for clients that sent none. Cookies never pass through.
        let upstreamSubnet = ClientSubnet(family: 1, address: [203, 0, 113, 0], sourcePrefixLength: 24, scopePrefixLength: 20)
        #expect(response.edns?.options == [.extendedError(code: 18, text: "blocked"), .clientSubnet(upstreamSubnet)])

        let clientSubnet = ClientSubnet(family: 1, address: [203, 0, 113, 0], sourcePrefixLength: 24)
        client.edns!.options = [.clientSubnet(clientSubnet)]
        response = forward.response(to: client, from: upstream, sent: sent)
        #expect(response.edns?.clientSubnet?.scopePrefixLength == 20)
        #expect(response.edns?.clientSubnet?.address == clientSubnet.address)

        response = forward.response(to: query(edns: nil), from: upstream, sent: sent)
        #expect(response.edns?.options == [.clientSubnet(upstreamSubnet)])
        upstream.edns = EDNS(udpPayloadSize: 4096)
        #expect(forward.response(to: query(edns: nil), from: upstream, sent: sent).edns == nil)
    }

    @Test("0x20 flips letter case only, and the name stays equal")
    func caseRandomization() throws {
        let name = try DNSName("a-very-long-name-with-many-letters.example.test.")
        var patterns = Set<[UInt8]>()
        for _ in 0..<20 {
            let randomized = ForwardPlugin.randomizeCase(name)
            #expect(randomized == name)
            patterns.insert(randomized.wire)
        }
        #expect(patterns.count > 15)
    }

    @Test("an answer must echo ID, question name (case-exact under 0x20), type and class")
    func answerMatching() throws {
        let question = Question(name: try DNSName("wWw.example.test."), type: .a)
        let exact = UpstreamQuery(wire: [], question: question, caseExact: true)
        let loose = UpstreamQuery(wire: [], question: question, caseExact: false)
        func reply(id: UInt16, name: String, type: RecordType = .a, response: Bool = true) throws -> [UInt8] {
            var header = Header(id: id)
            header.isResponse = response
            return try Message(header: header, questions: [Question(name: try DNSName(name), type: type)]).encode()
        }
        #expect(exact.accept(try reply(id: 7, name: "wWw.example.test."), id: 7) != nil)
        #expect(exact.accept(try reply(id: 7, name: "www.example.test."), id: 7) == nil)
        #expect(loose.accept(try reply(id: 7, name: "www.example.test."), id: 7) != nil)
        #expect(loose.accept(try reply(id: 8, name: "www.example.test."), id: 7) == nil)
        #expect(loose.accept(try reply(id: 7, name: "other.example.test."), id: 7) == nil)
        #expect(loose.accept(try reply(id: 7, name: "www.example.test.", type: .aaaa), id: 7) == nil)
        #expect(loose.accept(try reply(id: 7, name: "www.example.test.", response: false), id: 7) == nil)
        #expect(loose.accept([0, 7, 0x80], id: 7) == nil)
    }

    @Test("with every upstream down: SERVFAIL with extended error 22, without waiting")
    func allDown() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let silent = try DatagramBootstrap(group: group).bind(host: "127.0.0.1", port: 0).wait()
        defer { try? silent.close().wait() }
        let address = try UpstreamAddress.parse("udp://127.0.0.1:\(silent.localAddress!.port!)")
        let upstream = try Upstream.make(address, tlsCA: nil, idleTimeout: .seconds(1), maxFails: 2, healthCheck: .seconds(60))
        let forward = plugin(upstreams: [upstream], timeout: .milliseconds(100))
        let loop = group.next()
        let context = QueryContext(client: nil, transport: .udp, eventLoop: loop)
        func ask() throws -> Message {
            guard case .pending(let future) = forward.handle(query(), context: context, next: PluginChain([])),
                  case .respond(let message, _) = try future.futureResult.wait() else { throw UpstreamError.protocolError("not pending") }
            return message
        }
        for _ in 0..<2 {
            let failed = try ask()
            #expect(failed.rcode == .servFail)
            #expect(failed.edns?.options == [.extendedError(code: 23, text: "no upstream answered (timeout)")])
        }
        let stats = forward.statistics()[0]
        #expect(stats.state == .down && stats.timeouts == 2 && stats.queries == 2 && stats.consecutiveFailures == 2)
        #expect(stats.lastError == "timeout")
        let down = try ask()
        #expect(down.edns?.options.first?.code == EDNSOption.extendedErrorCode)
        if case .extendedError(let code, _)? = down.edns?.options.first { #expect(code == 22) }
        #expect(forward.setEnabled(true, for: address.description))
        #expect(forward.statistics()[0].state == .up)
        #expect(forward.setEnabled(false, for: address.description))
        #expect(forward.statistics()[0].state == .disabled)
        #expect(!forward.setEnabled(false, for: "udp://192.0.2.1"))
    }
}
