import DNSProto
import NIOCore

/// `forward`: sends queries to upstream resolvers and returns their answers.
///
/// Parameters (YAML, see docs/plugins/forward.md): `to` (upstreams: `udp://IP[:port]`,
/// `tcp://IP[:port]`, `tls://IP[:853][@name]`, `https://HOST[:port]/PATH[@IP]`, or a
/// resolv.conf path whose `nameserver` lines are taken), `policy` (`sequential`,
/// `round_robin`, `random`, `fastest`, `parallel`), `timeout` (per upstream attempt),
/// `max_fails`, `health_check`, `idle_timeout`, `case_randomization` (0x20), `edns_udp_size`,
/// `tls_ca`, `ecs` (`mode: add|pass|strip`, `ipv4_prefix`, `ipv6_prefix`) and `except`
/// (names passed to the next plugin instead).
///
/// The upstream query is built fresh: RD set, the client's CD, our own OPT record with
/// `edns_udp_size` and the client's DO bit, and no client EDNS option except ECS as the
/// `ecs` mode says (add: the client's address truncated to the prefix, a client's /0
/// opt-out kept; pass: the client's option as sent; strip: none). The transport adds a
/// random ID (and for UDP a fresh random source port, `UDPSocketPool`) and checks that the
/// answer echoes ID and question. The answer goes back with the client's ID, question (its case) and RD, our own
/// OPT (DO as the client asked; QueryHandler sets the UDP size), and of the upstream's EDNS
/// options only extended errors (RFC 8914) and ECS.
///
/// ECS contract with the cache in front: the response carries an ECS option only when the
/// client sent one; it is then the client's option (family, source prefix, address) with the
/// upstream's scope prefix (RFC 7871 §7.2.1), or scope 0 when the upstream sent none. The cache
/// reads the scope from there. In `add` mode, when the client sent no ECS, the message keeps
/// the subnet the upstream answered for (ours, with its scope) so the cache can key the answer
/// by it; QueryHandler strips it from what such a client receives (RFC 7871 §7.2.2).
///
/// When no upstream answers (all down or disabled, or every attempt failed), the answer is
/// SERVFAIL with an extended DNS error: 22 "No Reachable Authority" when none could even be
/// asked, 23 "Network Error" when they were asked and failed. A cache in front can serve stale
/// data instead. The plugin always returns `.pending`; nothing here blocks the event loop.
public final class ForwardPlugin: Plugin, Sendable {
    public let name = "forward"
    public var resolvesForOthers: Bool { true }
    public let pool: UpstreamPool
    /// Names (and their subdomains) not forwarded: passed to the next plugin.
    public let except: [DNSName]
    public let caseRandomization: Bool
    /// The UDP payload size in the OPT record we send upstream (default 1232).
    public let ednsUDPSize: UInt16
    public let ecs: ClientSubnetPolicy

    /// What to do with EDNS Client Subnet (RFC 7871) towards the upstreams.
    public struct ClientSubnetPolicy: Sendable, Hashable {
        public enum Mode: String, Sendable, CaseIterable {
            case add, pass, strip
        }

        public var mode: Mode
        public var ipv4Prefix: UInt8
        public var ipv6Prefix: UInt8

        /// Strip, the private default; add uses /24 and /56 (RFC 7871 §11.1).
        public init(mode: Mode = .strip, ipv4Prefix: UInt8 = 24, ipv6Prefix: UInt8 = 56) {
            self.mode = mode
            self.ipv4Prefix = ipv4Prefix
            self.ipv6Prefix = ipv6Prefix
        }
    }

    public init(pool: UpstreamPool, except: [DNSName] = [], caseRandomization: Bool = false,
                ednsUDPSize: UInt16 = 1232, ecs: ClientSubnetPolicy = ClientSubnetPolicy()) {
        self.pool = pool
        self.except = except
        self.caseRandomization = caseRandomization
        self.ednsUDPSize = ednsUDPSize
        self.ecs = ecs
    }

    /// The UDP relay carries it when it can keep every promise made here: UDP upstreams only
    /// (at most 64), no `except`, and `parallel` only over a single upstream. (The relay takes
    /// only queries without an ECS option; under `ecs: add` it adds the client's; under 0x20 it
    /// sends the name in random case.)
    public var fastPath: FastPathStep {
        guard except.isEmpty, pool.policy != .parallel || pool.upstreams.count == 1,
              !pool.upstreams.isEmpty, pool.upstreams.count <= 64,
              pool.upstreams.allSatisfy({ $0.address.kind == .udp }) else { return .needsMessage }
        return .relay(self)
    }

    public func handle(_ query: Message, context: QueryContext, next: PluginChain) -> PluginOutcome {
        guard let question = query.question, !except.contains(where: { question.name.isSubdomain(of: $0) }) else {
            return next.run(query, context: context)
        }
        guard var prepared = upstreamQuery(for: query, question: question, client: context.client) else {
            return .respond(failure(to: query, code: ExtendedErrorCode.other, text: "query cannot be forwarded"), .server)
        }
        prepared.truncatedOverUDPBy = context.truncatedOverUDPBy.map(ObjectIdentifier.init)
        let upstreamQuery = prepared
        let answered = PendingOutcome(on: context.eventLoop)
        pool.resolve(upstreamQuery, on: context.eventLoop) { outcome in
            answered.succeed(self.outcome(outcome, for: query, sent: upstreamQuery))
        }
        return .pending(answered)
    }

    /// The client's answer for what the pool came back with.
    private func outcome(_ outcome: UpstreamPool.Outcome, for query: Message, sent upstreamQuery: UpstreamQuery) -> PluginOutcome {
        switch outcome {
        case .answer(let message, let upstream):
            return .respond(response(to: query, from: message, sent: upstreamQuery.question),
                            .upstream(upstream.address.description))
        case .failed(let noneAvailable, let lastError):
            if noneAvailable {
                return .respond(failure(to: query, code: ExtendedErrorCode.noReachableAuthority,
                                        text: "all upstreams are down"), .server)
            }
            return .respond(failure(to: query, code: ExtendedErrorCode.networkError,
                                    text: "no upstream answered (\(lastError?.description ?? "unknown"))"), .server)
        }
    }

    /// Per-upstream counters and state, in configured order.
    public func statistics() -> [UpstreamStatistics] { pool.upstreams.map { $0.statistics() } }

    /// Enables or disables the upstream configured as `name` (e.g. `udp://10.0.0.1:53`);
    /// false when there is no such upstream.
    @discardableResult
    public func setEnabled(_ enabled: Bool, for name: String) -> Bool {
        guard let upstream = pool.upstream(named: name) else { return false }
        upstream.setEnabled(enabled)
        return true
    }

    // MARK: - Building the upstream query

    func upstreamQuery(for query: Message, question: Question, client: SocketAddress?) -> UpstreamQuery? {
        var header = Header(id: 0)
        header.recursionDesired = true
        header.checkingDisabled = query.header.checkingDisabled
        var sent = question
        if caseRandomization { sent.name = Self.randomizeCase(question.name) }
        var edns = EDNS(udpPayloadSize: ednsUDPSize, dnssecOK: query.edns?.dnssecOK ?? false)
        if let subnet = clientSubnet(for: query, client: client) { edns.options = [.clientSubnet(subnet)] }
        let message = Message(header: header, questions: [sent], edns: edns)
        guard let wire = try? message.encode() else { return nil }
        return UpstreamQuery(wire: wire, question: sent, caseExact: caseRandomization)
    }

    /// The ECS option to send upstream, by mode.
    func clientSubnet(for query: Message, client: SocketAddress?) -> ClientSubnet? {
        let sent = query.edns?.clientSubnet
        switch ecs.mode {
        case .strip:
            return nil
        case .pass:
            return sent
        case .add:
            // RFC 7871 §7.1.2: a client's /0 asks that no subnet be used; keep its wish.
            if let sent, sent.sourcePrefixLength == 0 { return sent }
            guard let text = client?.ipAddress else { return nil }
            if let v4 = IPv4Address(text) {
                return ClientSubnet(family: 1, address: v4.bytes, sourcePrefixLength: min(ecs.ipv4Prefix, 32))
            }
            if let v6 = IPv6Address(text) {
                if v6.isIPv4Mapped {
                    return ClientSubnet(family: 1, address: Array(v6.bytes[12...]), sourcePrefixLength: min(ecs.ipv4Prefix, 32))
                }
                return ClientSubnet(family: 2, address: v6.bytes, sourcePrefixLength: min(ecs.ipv6Prefix, 128))
            }
            return nil
        }
    }

    /// DNS 0x20 (draft-vixie-dnsext-dns0x20): flips the case of each letter at random, so an
    /// off-path forger must also guess the pattern, which a genuine answer echoes.
    static func randomizeCase(_ name: DNSName) -> DNSName {
        var generator = PooledKernelRandom()
        return name.randomizingCase(using: &generator)
    }

    // MARK: - Building the client's response

    func response(to query: Message, from upstream: Message, sent: Question) -> Message {
        let rcode = upstream.rcode
        var response = upstream
        if let asked = query.question, asked.name.wire != sent.name.wire {
            // Under 0x20 the owner names echo the random case; give the client back its own.
            func restore(_ records: inout [ResourceRecord]) {
                for index in records.indices where records[index].name.wire == sent.name.wire {
                    records[index].name = asked.name
                }
            }
            restore(&response.answers)
            restore(&response.authorities)
            restore(&response.additionals)
        }
        response.header.id = query.header.id
        response.header.recursionDesired = query.header.recursionDesired
        response.header.checkingDisabled = query.header.checkingDisabled
        response.questions = query.questions
        // The subnet the upstream answered for (ours under `ecs: add`, with its scope). It stays
        // in the message even for clients that sent none, so the cache can key the answer by
        // it; QueryHandler strips it from what such clients receive.
        let upstreamSubnet = upstream.edns?.clientSubnet
        if let clientEDNS = query.edns {
            var edns = EDNS(udpPayloadSize: ednsUDPSize, dnssecOK: clientEDNS.dnssecOK)
            edns.options = upstream.edns?.options.filter { $0.code == EDNSOption.extendedErrorCode } ?? []
            if var subnet = clientEDNS.clientSubnet {
                subnet.scopePrefixLength = upstreamSubnet?.scopePrefixLength ?? 0
                edns.options.append(.clientSubnet(subnet))
            } else if let upstreamSubnet {
                edns.options.append(.clientSubnet(upstreamSubnet))
            }
            response.edns = edns
            response.rcode = rcode
        } else {
            // An extended rcode cannot be said without EDNS (RFC 6891 §6.1.3).
            let shown = rcode.rawValue > 15 ? Rcode.servFail : rcode
            response.edns = upstreamSubnet.map { EDNS(udpPayloadSize: ednsUDPSize, options: [.clientSubnet($0)]) }
            response.rcode = shown
        }
        return response
    }

    func failure(to query: Message, code: UInt16, text: String) -> Message {
        var response = Message.response(to: query, rcode: .servFail, udpPayloadSize: ednsUDPSize)
        response.header.recursionAvailable = true
        if response.edns != nil {
            response.edns!.options = [.extendedError(code: code, text: text)]
        }
        return response
    }
}
