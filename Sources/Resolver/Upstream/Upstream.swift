import DNSProto
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// One upstream server of a `forward` plugin: its transport, its health and its statistics.
///
/// Health: `maxFails` failures in a row (timeouts, network or protocol errors; an answer of
/// any rcode counts as success, the server is reachable) mark it down. A down upstream gets
/// no queries; instead a health probe (`. NS`) is sent after `healthCheck`, then after twice
/// that, and so on up to 16 times, until one is answered and it is up again.
/// The counters and state sit behind one lock taken briefly per exchange, never across I/O.
public final class Upstream: Sendable {
    public let address: UpstreamAddress
    let transport: any UpstreamTransport
    /// UDP upstreams retry a TC=1 answer over TCP to the same server (RFC 7766 §5).
    let tcpFallback: (any UpstreamTransport)?
    let maxFails: Int
    let healthCheck: TimeAmount
    /// Answers dropped as not answering the question sent (MismatchedAnswers.swift).
    let mismatched: MismatchedAnswers
    private let state = NIOLockedValueBox(Health())
    /// The server's address as dnstap's forwarder messages name it.
    let tapAddress: ClientAddress?

    private struct Health {
        var enabled = true
        var down = false
        var probing = false
        var consecutiveFailures = 0
        var queries = 0
        var answers: [UInt16: Int] = [:]
        var timeouts = 0
        var errors = 0
        var rtt = RTTTracker()
        var lastError: String?
    }

    init(address: UpstreamAddress, transport: any UpstreamTransport, tcpFallback: (any UpstreamTransport)?,
         maxFails: Int, healthCheck: TimeAmount, mismatched: MismatchedAnswers = MismatchedAnswers()) {
        self.address = address
        self.mismatched = mismatched
        self.transport = transport
        self.tcpFallback = tcpFallback
        self.maxFails = maxFails
        self.healthCheck = healthCheck
        tapAddress = (try? address.socketAddress()).flatMap(ClientAddress.init)
    }

    /// Builds the transport for `address`. `tlsCA` is PEM text of the CA bundle to trust for
    /// DoT/DoH instead of the system roots. Throws when TLS settings are unusable.
    public static func make(_ address: UpstreamAddress, tlsCA: [UInt8]?, idleTimeout: TimeAmount,
                            maxFails: Int, healthCheck: TimeAmount) throws -> Upstream {
        let server = try address.socketAddress()
        let transport: any UpstreamTransport
        var fallback: (any UpstreamTransport)?
        let mismatched = MismatchedAnswers()
        switch address.kind {
        case .udp:
            transport = UDPTransport(server: server, mismatched: mismatched)
            fallback = StreamTransport(server: server, tls: nil, serverName: nil, idleTimeout: idleTimeout)
        case .tcp:
            transport = StreamTransport(server: server, tls: nil, serverName: nil, idleTimeout: idleTimeout)
        case .tls:
            transport = StreamTransport(server: server, tls: try tlsContext(ca: tlsCA, alpn: []),
                                        serverName: address.verifyName, idleTimeout: idleTimeout)
        case .https:
            transport = DoHTransport(server: server, tls: try tlsContext(ca: tlsCA, alpn: ["h2"]), host: address.host,
                                     port: address.port, path: address.path, idleTimeout: idleTimeout)
        }
        return Upstream(address: address, transport: transport, tcpFallback: fallback,
                        maxFails: maxFails, healthCheck: healthCheck, mismatched: mismatched)
    }

    /// A client TLS context verifying the server's chain and name (TLS 1.2 or later).
    static func tlsContext(ca: [UInt8]?, alpn: [String]) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        configuration.applicationProtocols = alpn
        if let ca {
            // Certificates from bytes, never `.file`: a truncated file must be an error, not a crash.
            configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
        }
        return try NIOSSLContext(configuration: configuration)
    }

    /// Up and enabled: may take queries.
    var isAvailable: Bool { state.withLockedValue { $0.enabled && !$0.down } }
    var isEnabled: Bool { state.withLockedValue { $0.enabled } }
    var smoothedRTT: Double? { state.withLockedValue { $0.rtt.smoothed } }

    /// Sends `query`, retrying over TCP when a UDP answer is truncated, records the outcome and
    /// hands it to `done` on `loop`. A failure that marks the upstream down starts the health
    /// probes on `loop`.
    func query(_ query: UpstreamQuery, on loop: EventLoop, timeout: TimeAmount, then done: @escaping UpstreamReply) {
        if let tap = TapPoint.current { return tapped(query, tap: tap, on: loop, timeout: timeout, then: done) }
        untapped(query, on: loop, timeout: timeout, then: done)
    }

    /// `query` with dnstap's FORWARDER_QUERY before and FORWARDER_RESPONSE after; the answer
    /// goes to the writer decoded, and is encoded there.
    private func tapped(_ query: UpstreamQuery, tap: any WireTap, on loop: EventLoop, timeout: TimeAmount, then done: @escaping UpstreamReply) {
        let transport = address.kind.tapTransport
        let sent = QueryHandler.wallNow()
        tap.record(TapMessage(kind: .forwarderQuery, transport: transport, peer: tapAddress, query: query.wire, queryTime: sent))
        untapped(query, on: loop, timeout: timeout) { result in
            if case .success(let message) = result {
                tap.record(TapMessage(kind: .forwarderResponse, transport: transport, peer: self.tapAddress, decodedResponse: message,
                                      queryTime: sent, responseTime: QueryHandler.wallNow()))
            }
            done(result)
        }
    }

    private func untapped(_ query: UpstreamQuery, on loop: EventLoop, timeout: TimeAmount, then done: @escaping UpstreamReply) {
        let start = NIODeadline.now()
        state.withLockedValue { $0.queries += 1 }
        if query.truncatedOverUDPBy == ObjectIdentifier(self), let tcpFallback {
            // The UDP relay already had a truncated answer from us: straight to TCP.
            return tcpFallback.exchange(query, on: loop, timeout: timeout) { self.record(result: $0, since: start, on: loop, then: done) }
        }
        transport.exchange(query, on: loop, timeout: timeout) { result in
            if case .success(let message) = result, message.header.truncated, let tcpFallback = self.tcpFallback {
                self.state.withLockedValue { $0.queries += 1 }
                return tcpFallback.exchange(query, on: loop, timeout: timeout) { self.record(result: $0, since: start, on: loop, then: done) }
            }
            self.record(result: result, since: start, on: loop, then: done)
        }
    }

    /// A query sent by the UDP relay (it records the outcome with `recordSuccess`/`recordFailure`).
    func recordQuery() { state.withLockedValue { $0.queries += 1 } }

    /// An answer the UDP relay dropped as not answering the question sent.
    func recordMismatch() { mismatched.record() }

    private func record(result: Result<Message, any Error>, since start: NIODeadline, on loop: EventLoop, then done: UpstreamReply) {
        switch result {
        case .success(let message):
            let elapsed = Double((NIODeadline.now() - start).nanoseconds) / 1_000_000
            recordSuccess(rcode: message.rcode, milliseconds: elapsed)
        case .failure(let error):
            if recordFailure(UpstreamError.from(error)) { startProbing(on: loop) }
        }
        done(result)
    }

    func recordSuccess(rcode: Rcode, milliseconds: Double) {
        state.withLockedValue { health in
            health.answers[rcode.rawValue, default: 0] += 1
            health.rtt.record(milliseconds: milliseconds)
            health.consecutiveFailures = 0
            health.down = false
        }
    }

    /// Returns true when this failure marked the upstream down and no probe runs yet.
    func recordFailure(_ error: UpstreamError) -> Bool {
        state.withLockedValue { health in
            if case .timeout = error { health.timeouts += 1 } else { health.errors += 1 }
            health.lastError = error.description
            health.consecutiveFailures += 1
            guard maxFails > 0, health.consecutiveFailures >= maxFails, !health.down else { return false }
            health.down = true
            guard !health.probing else { return false }
            health.probing = true
            return true
        }
    }

    /// Probes with `. NS` until the upstream answers, backing off from `healthCheck` to 16x.
    func startProbing(on loop: EventLoop) {
        scheduleProbe(on: loop, after: healthCheck)
    }

    private func scheduleProbe(on loop: EventLoop, after delay: TimeAmount) {
        let probe = Self.probeQuery
        loop.scheduleTask(in: delay) {
            guard self.state.withLockedValue({ $0.down }) else {
                self.state.withLockedValue { $0.probing = false }
                return
            }
            self.state.withLockedValue { $0.queries += 1 }
            self.transport.exchange(probe, on: loop, timeout: max(self.healthCheck, .seconds(1))).whenComplete { result in
                switch result {
                case .success(let message):
                    self.recordSuccess(rcode: message.rcode, milliseconds: 0)
                    self.state.withLockedValue { $0.probing = false }
                case .failure(let error):
                    _ = self.recordFailure(UpstreamError.from(error))
                    let next = TimeAmount.nanoseconds(min(delay.nanoseconds * 2, self.healthCheck.nanoseconds * 16))
                    self.scheduleProbe(on: loop, after: next)
                }
            }
        }
    }

    /// `. IN NS` with RD and EDNS: every recursive server and most authoritative ones answer
    /// it (REFUSED counts as an answer: the server is reachable).
    static let probeQuery: UpstreamQuery = {
        var header = Header(id: 0)
        header.recursionDesired = true
        let question = Question(name: .root, type: .ns)
        let message = Message(header: header, questions: [question], edns: EDNS(udpPayloadSize: 1232))
        return UpstreamQuery(wire: (try? message.encode()) ?? [], question: question, caseExact: false)
    }()

    /// Operator switch; a disabled upstream gets no queries. Enabling also clears "down".
    func setEnabled(_ enabled: Bool) {
        state.withLockedValue { health in
            health.enabled = enabled
            if enabled {
                health.down = false
                health.consecutiveFailures = 0
            }
        }
    }

    public func statistics() -> UpstreamStatistics {
        state.withLockedValue { health in
            UpstreamStatistics(
                name: address.description,
                state: !health.enabled ? .disabled : health.down ? .down : .up,
                queries: health.queries,
                answersByRcode: Dictionary(uniqueKeysWithValues: health.answers.map { (Rcode(rawValue: $0.key).description, $0.value) }),
                timeouts: health.timeouts, errors: health.errors, mismatched: mismatched.total,
                consecutiveFailures: health.consecutiveFailures,
                smoothedRTT: health.rtt.smoothed, p50RTT: health.rtt.percentile(50), p99RTT: health.rtt.percentile(99),
                lastError: health.lastError)
        }
    }
}
