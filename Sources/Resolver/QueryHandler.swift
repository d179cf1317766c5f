import DNSProto
import Foundation
import NIOCore

/// Turns request bytes into response bytes: validates the message, runs the pipeline, and
/// encodes the answer for the transport. This is the whole query path minus the sockets.
/// Every answer sent is reported once to the observers (counters, event ring, metrics).
public struct QueryHandler: Sendable {
    /// What a listener does with a packet.
    public enum Result: Sendable {
        /// Send nothing (unreadable header, or a response sent to us).
        case drop
        case respond([UInt8])
        case pending(PendingResponse)
    }

    public let pipeline: PipelineReference
    /// The UDP payload size we advertise and the most we send over UDP to EDNS clients
    /// (`PipelineReference.maxUDPPayload`: `edns_udp_size`, which a reload may change).
    public var maxUDPPayload: UInt16 { pipeline.maxUDPPayload }
    public let observers: [any QueryObserver]
    /// Whether answers go through `pipeline.packetCache` (PacketCache.swift: repeated questions
    /// answered from wire copies before any parsing).
    public let usesPacketCache: Bool

    public init(pipeline: PipelineReference, observers: [any QueryObserver] = [],
                packetCache: Bool = PacketCache.enabledByEnvironment) {
        self.pipeline = pipeline
        self.observers = observers
        self.usesPacketCache = packetCache
    }

    public init(pipeline: Pipeline, maxUDPPayload: UInt16 = 1232, observers: [any QueryObserver] = [],
                packetCache: Bool = PacketCache.enabledByEnvironment) {
        self.init(pipeline: PipelineReference(pipeline, maxUDPPayload: maxUDPPayload), observers: observers, packetCache: packetCache)
    }

    /// When the query arrived: monotonic for latency, wall clock for the event log.
    struct Arrival {
        let uptime = DispatchTime.now().uptimeNanoseconds
        let wall = UInt64(Date().timeIntervalSince1970 * 1_000_000_000)
        /// The query as received, kept only while dnstap is on (its CLIENT_QUERY message).
        var request: [UInt8]?

        /// Wall-clock seconds, as DNS cookie timestamps count them.
        var wallSeconds: UInt32 { UInt32(truncatingIfNeeded: wall / 1_000_000_000) }
    }

    /// `packetCacheTried`: the caller already asked the packet cache (the UDP workers do,
    /// before handing a miss over), so it is not asked twice. `admitted`: the caller's
    /// admission ticket when it already ran the admission step on the raw query (the UDP
    /// workers, for plain queries), so nothing is counted twice.
    public func handle(_ bytes: [UInt8], context: QueryContext, packetCacheTried: Bool = false,
                       admitted: AdmissionTicket? = nil) -> Result {
        // Read before the pipeline: a reload in between voids what this query files in the
        // packet cache (packetCacheFill).
        let generation = pipeline.packetCache.generation
        let current = pipeline.current
        let admission = current.admission
        var ticket = admitted
        var rejected: (Admission.Rejection, AdmissionTicket)?
        if !packetCacheTried {
            switch streamLookup(bytes, context: context, admission: admission) {
            case .answered(let answer): return .respond(answer)
            case .rejected(let rejection, let rejectedTicket): rejected = (rejection, rejectedTicket)
            case .missed(let admitted): ticket = admitted
            }
        }
        var arrival = Arrival()
        guard let header = Header.peek(bytes), !header.isResponse else { return .drop }
        if TapPoint.current != nil { arrival.request = bytes }
        let query: Message
        do {
            query = try Message(wire: bytes)
        } catch {
            return respond(Self.headerOnlyResponse(to: header, rcode: .formErr), query: nil, source: .server, arrival: arrival,
                           context: context, admission: admission, ticket: ticket)
        }
        if query.header.opcode == .notify { return .respond(answerNotify(query, bytes: bytes, context: context)) }
        // Paired with the `record` in `respond`, which fires for exactly these queries.
        if !observers.isEmpty, query.question != nil { for observer in observers { observer.queryStarted() } }
        let block = query.question.flatMap { current.blockIndex(for: $0.name) }
        if let (rejection, rejectedTicket) = rejected {
            return reject(rejection, query: query, arrival: arrival, context: context, admission: admission, ticket: rejectedTicket)
        }
        if ticket == nil {
            switch admission.check(query, block: block, client: context.client.flatMap(ClientAddress.init), transport: context.transport,
                                   now: arrival.uptime, wallSeconds: arrival.wallSeconds) {
            case .admit(let admitted):
                ticket = admitted
            case .reject(let rejection, let rejected):
                return reject(rejection, query: query, arrival: arrival, context: context, admission: admission, ticket: rejected)
            }
        }
        if let early = validate(query, transport: context.transport) {
            return respond(early, query: query, source: .server, arrival: arrival, context: context, admission: admission, ticket: ticket)
        }
        if let question = query.question, admission.isMinimalAny(type: question.type, block: block, transport: context.transport) {
            return respond(Self.minimalAny(to: query), query: query, source: .admission("any:minimal"), arrival: arrival, context: context,
                           admission: admission, ticket: ticket)
        }
        var admitted = ticket ?? AdmissionTicket(client: context.client.flatMap(ClientAddress.init))
        // A query that may wait on an upstream holds one of its client's waiting slots until
        // it is answered (`limits.waiting_per_client`).
        if let block, current.blocks[block].plugins.contains(where: { $0.resolvesForOthers }), !admission.enterWaiting(&admitted) {
            return reject(admission.waitingRejection, query: query, arrival: arrival, context: context, admission: admission, ticket: admitted)
        }
        let fill = packetCacheFill(bytes, query: query, pipeline: current, generation: generation, transport: context.transport)
        return finish(current.resolve(query, context: context), query: query, arrival: arrival, context: context, fill: fill,
                      admission: admission, ticket: admitted)
    }

    /// The answer to a query turned away because a worker is at an in-flight cap
    /// (`InFlightLimits`): SERVFAIL naming the cap, or nothing, as `limits.inflight_action`
    /// says; counted either way. Parses the query: this is the path of the excess only.
    public func rejectOverLimit(_ bytes: [UInt8], context: QueryContext, limit: InFlightLimits.Limit, admitted: AdmissionTicket?) -> Result {
        let admission = pipeline.current.admission
        let rejection = admission.rejectOverLimit(limit)
        guard let query = try? Message(wire: bytes), !query.header.isResponse else { return .drop }
        if !observers.isEmpty, query.question != nil { for observer in observers { observer.queryStarted() } }
        return reject(rejection, query: query, arrival: Arrival(), context: context, admission: admission,
                      ticket: admitted ?? AdmissionTicket(client: context.client.flatMap(ClientAddress.init)))
    }

    /// The answer to a query admission turned away (drops are only recorded).
    private func reject(_ rejection: Admission.Rejection, query: Message, arrival: Arrival, context: QueryContext,
                        admission: Admission, ticket: AdmissionTicket) -> Result {
        let rcode: Rcode
        var extendedError: EDNSOption?
        switch rejection {
        case .refuse: rcode = .refused
        case .filter: rcode = .noError
        case .badCookie: rcode = .badCookie
        case .servfail(_, let text):
            rcode = .servFail
            extendedError = .extendedError(code: ExtendedErrorCode.other, text: text)
        case .blocked(let why, let answer, let ttl):
            return respond(Self.blockedAnswer(to: query, why: why, answer: answer, ttl: ttl, udpPayloadSize: maxUDPPayload), query: query,
                           source: rejection.source, arrival: arrival, context: context, admission: admission, ticket: ticket)
        case .drop:
            recordDrop(query: query, source: rejection.source, arrival: arrival, context: context)
            return .drop
        }
        var response = Message.response(to: query, rcode: rcode, udpPayloadSize: maxUDPPayload)
        if rcode == .badCookie && response.edns == nil { response.rcode = .formErr }
        if let extendedError, response.edns != nil { response.edns!.options.append(extendedError) }
        return respond(response, query: query, source: rejection.source, arrival: arrival, context: context, admission: admission,
                       ticket: ticket)
    }

    /// The full path's form of `Admission.writeBlocked`: the same answer as a message.
    static func blockedAnswer(to query: Message, why: String, answer: Blocklists.Answer, ttl: UInt32, udpPayloadSize: UInt16) -> Message {
        var response = Message.response(to: query, rcode: Admission.rcode(of: answer), udpPayloadSize: udpPayloadSize)
        if answer == .null, let question = query.question {
            switch question.type {
            case .a: response.answers = [ResourceRecord(name: question.name, ttl: ttl, rdata: .a(IPv4Address(bytes: [0, 0, 0, 0])!))]
            case .aaaa: response.answers = [ResourceRecord(name: question.name, ttl: ttl, rdata: .aaaa(IPv6Address(bytes: [UInt8](repeating: 0, count: 16))!))]
            default: break
            }
        }
        if response.edns != nil { response.edns!.options.append(.extendedError(code: ExtendedErrorCode.blocked, text: why)) }
        return response
    }

    /// RFC 8482 §4.2: one HINFO record ("RFC8482", "") for an ANY query, which a client
    /// that wanted everything should take as "ask for the types you need".
    static func minimalAny(to query: Message) -> Message {
        var response = Message.response(to: query, rcode: .noError)
        if let question = query.question, let hinfo = try? HINFO(cpu: "RFC8482", os: "") {
            response.answers = [ResourceRecord(name: question.name, ttl: 3600, rdata: .hinfo(hinfo))]
        }
        return response
    }

    /// Answers that need no plugin: wrong opcode, question count, EDNS version.
    private func validate(_ query: Message, transport: Transport) -> Message? {
        guard query.header.opcode == .query else {
            return Message.response(to: query, rcode: .notImp)
        }
        guard query.questions.count == 1, let question = query.question else {
            return Message.response(to: query, rcode: .formErr)
        }
        if let edns = query.edns, edns.version != 0 {
            // RFC 6891 §6.1.3: BADVERS, advertising the version we do speak. The question is
            // echoed, as NSD, Knot and BIND do: clients match the answer to their query by it.
            return Message.response(to: query, rcode: .badVers, udpPayloadSize: maxUDPPayload)
        }
        if question.type == .axfr || question.type == .ixfr {
            // Transfers run on stream connections (`transfer`, QueryHandler+Transfer.swift).
            // RFC 1995 §2: an IXFR over UDP that does not fit is answered so the client asks
            // again over TCP; AXFR over UDP is refused (RFC 5936 §4.2).
            var response = Message.response(to: query, rcode: question.type == .ixfr && transport == .udp ? .noError : .refused)
            response.header.truncated = question.type == .ixfr && transport == .udp
            return response
        }
        if question.type.isMetaType && question.type != .any {
            return Message.response(to: query, rcode: .formErr)
        }
        return nil
    }

    private func finish(_ outcome: PluginOutcome, query: Message, arrival: Arrival, context: QueryContext,
                        fill: PacketCacheFill? = nil, admission: Admission, ticket: AdmissionTicket) -> Result {
        switch outcome {
        case .respond(let message, let source):
            var ticket = ticket
            admission.leaveWaiting(&ticket)
            admission.countPluginLimit(source)
            return respond(message, query: query, source: source, arrival: arrival, context: context, fill: fill, admission: admission,
                           ticket: ticket)
        case .pending(let pending):
            return .pending(PendingResponse(loop: context.eventLoop) { ready in
                answer(when: pending, query: query, arrival: arrival, context: context, fill: fill, admission: admission, ticket: ticket,
                       ready: ready)
            })
        }
    }

    /// Hands `ready` the encoded answer once `pending` (and any outcome still pending after it)
    /// is in.
    private func answer(when pending: PendingOutcome, query: Message, arrival: Arrival, context: QueryContext,
                        fill: PacketCacheFill?, admission: Admission, ticket: AdmissionTicket, ready: @escaping ([UInt8]?) -> Void) {
        pending.whenComplete { result in
            var ticket = ticket
            switch result {
            case .success(.pending(let inner)):
                answer(when: inner, query: query, arrival: arrival, context: context, fill: fill, admission: admission, ticket: ticket,
                       ready: ready)
            case .success(.respond(let message, let source)):
                admission.leaveWaiting(&ticket)
                admission.countPluginLimit(source)
                ready(bytes(respond(message, query: query, source: source, arrival: arrival, context: context, fill: fill,
                                    admission: admission, ticket: ticket)))
            case .failure:
                admission.leaveWaiting(&ticket)
                // A plugin's failure is the server's failure: SERVFAIL, never silence.
                let failure = Message.response(to: query, rcode: .servFail)
                ready(bytes(respond(failure, query: query, source: .server, arrival: arrival, context: context, admission: admission,
                                    ticket: ticket)))
            }
        }
    }

    private func bytes(_ result: Result) -> [UInt8]? {
        if case .respond(let bytes) = result { return bytes }
        return nil
    }

    private func respond(_ message: Message, query: Message?, source: AnswerSource, arrival: Arrival, context: QueryContext,
                         fill: PacketCacheFill? = nil, admission: Admission, ticket: AdmissionTicket?) -> Result {
        var message = message
        var source = source
        var fill = fill
        if admission.blocklists != nil, let query, source == .cache || source.isUpstream {
            let targets = admission.cnameTargets(message)
            if admission.anyListHolds(targets) {
                fill = nil
                if let rejection = admission.blockingChain(targets, client: ticket?.client ?? context.client.flatMap(ClientAddress.init)),
                   case .blocked(let why, let answer, let ttl) = rejection {
                    message = Self.blockedAnswer(to: query, why: why, answer: answer, ttl: ttl, udpPayloadSize: maxUDPPayload)
                    source = rejection.source
                }
            }
        }
        if let query, message.edns != nil {
            // EDNS in a reply only for clients that used it (RFC 6891 §7), and a client subnet
            // only for clients that sent one (RFC 7871 §7.2.1): plugins may carry them for the
            // cache's sake.
            if query.edns == nil {
                let rcode = message.rcode
                message.edns = nil
                message.rcode = rcode.rawValue > 15 ? .servFail : rcode
            } else if query.edns?.clientSubnet == nil {
                message.edns!.options.removeAll { $0.code == EDNSOption.clientSubnetCode }
            }
        }
        if message.edns != nil { message.edns!.udpPayloadSize = maxUDPPayload }
        let limit = responseSizeLimit(query: query, transport: context.transport)
        var bytes: [UInt8]
        do {
            bytes = try message.encode(maxSize: limit)
        } catch {
            // Only a question too big for the limit gets here; answer SERVFAIL without sections.
            message = Message.response(to: message, rcode: .servFail)
            message.questions = []
            guard let failure = try? message.encode(maxSize: limit) else { return .drop }
            bytes = failure
        }
        // Filed as encoded, before the client's cookie is added: the entry serves everyone.
        if let fill, let query { fill.file(bytes, source: source, query: query, rcode: message.rcode, dnssec: message.dnssecStatus) }
        // The encoder writes the OPT record last.
        let optStart = message.edns.map { bytes.count - $0.wireSize }
        let delivery = admission.finish(&bytes, optStart: optStart, limit: limit,
                                        ticket: ticket ?? AdmissionTicket(client: context.client.flatMap(ClientAddress.init)),
                                        transport: context.transport, now: arrival.uptime, wallSeconds: arrival.wallSeconds)
        switch delivery {
        case .send: break
        case .slip: source = .admission("rrl:slip")
        case .drop:
            if let query { recordDrop(query: query, source: .admission("rrl:drop"), arrival: arrival, context: context) }
            return .drop
        }
        if !observers.isEmpty, let question = query?.question {
            let event = QueryEvent(
                timeNanos: arrival.wall, client: context.client.flatMap(ClientAddress.init), transport: context.transport, name: question.name,
                type: question.type, rcode: message.rcode,
                latencyNanos: DispatchTime.now().uptimeNanoseconds - arrival.uptime,
                source: source, truncated: bytes.count > 2 && bytes[2] & 0x02 != 0,
                dnssecOK: query?.edns?.dnssecOK ?? false, responseBytes: bytes.count,
                dnssec: message.dnssecStatus, dnssecReason: message.dnssecStatus == .bogus ? message.extendedErrorText : nil)
            for observer in observers { observer.record(event) }
        }
        if let request = arrival.request, let tap = TapPoint.current {
            tap.record(TapMessage(kind: .client, transport: context.transport, peer: context.client.flatMap(ClientAddress.init),
                                  query: request, response: bytes, queryTime: arrival.wall, responseTime: Self.wallNow()))
        }
        return .respond(bytes)
    }

    /// The wall clock in nanoseconds since 1970 (dnstap's response times).
    static func wallNow() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1_000_000_000) }

    /// The event of a query that got no answer (admission dropped it).
    private func recordDrop(query: Message, source: AnswerSource, arrival: Arrival, context: QueryContext) {
        guard !observers.isEmpty, let question = query.question else { return }
        let event = QueryEvent(
            timeNanos: arrival.wall, client: context.client.flatMap(ClientAddress.init), transport: context.transport, name: question.name,
            type: question.type, rcode: .noError, latencyNanos: DispatchTime.now().uptimeNanoseconds - arrival.uptime, source: source,
            truncated: false, dnssecOK: query.edns?.dnssecOK ?? false, responseBytes: 0)
        for observer in observers { observer.record(event) }
    }

    /// RFC 6891 §6.2.5: over UDP, the requestor's size (never below 512) capped by ours;
    /// 512 without EDNS. Stream transports carry up to 65535.
    func responseSizeLimit(query: Message?, transport: Transport) -> Int {
        guard transport == .udp else { return 65535 }
        guard let edns = query?.edns else { return 512 }
        return Int(max(512, min(edns.udpPayloadSize, maxUDPPayload)))
    }

    /// FORMERR for a message whose header we could read but whose body we could not.
    static func headerOnlyResponse(to header: Header, rcode: Rcode) -> Message {
        var reply = Header(id: header.id)
        reply.isResponse = true
        reply.opcode = header.opcode
        reply.recursionDesired = header.recursionDesired
        reply.rcodeLow = UInt8(rcode.rawValue & 0x0F)
        return Message(header: reply)
    }
}
