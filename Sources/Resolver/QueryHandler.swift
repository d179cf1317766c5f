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
    /// (1232: the DNS flag day 2020 value that avoids IP fragmentation).
    public let maxUDPPayload: UInt16
    public let observers: [any QueryObserver]
    /// Whether answers go through `pipeline.packetCache` (PacketCache.swift: repeated questions
    /// answered from wire copies before any parsing).
    public let usesPacketCache: Bool

    public init(pipeline: PipelineReference, maxUDPPayload: UInt16 = 1232, observers: [any QueryObserver] = [],
                packetCache: Bool = PacketCache.enabledByEnvironment) {
        self.pipeline = pipeline
        self.maxUDPPayload = maxUDPPayload
        self.observers = observers
        self.usesPacketCache = packetCache
    }

    public init(pipeline: Pipeline, maxUDPPayload: UInt16 = 1232, observers: [any QueryObserver] = [],
                packetCache: Bool = PacketCache.enabledByEnvironment) {
        self.init(pipeline: PipelineReference(pipeline), maxUDPPayload: maxUDPPayload, observers: observers, packetCache: packetCache)
    }

    /// When the query arrived: monotonic for latency, wall clock for the event log.
    struct Arrival {
        let uptime = DispatchTime.now().uptimeNanoseconds
        let wall = UInt64(Date().timeIntervalSince1970 * 1_000_000_000)
    }

    /// `packetCacheTried`: the caller already asked the packet cache (the UDP workers do,
    /// before handing a miss over), so it is not asked twice.
    public func handle(_ bytes: [UInt8], context: QueryContext, packetCacheTried: Bool = false) -> Result {
        if !packetCacheTried, let cached = cachedAnswer(bytes, context: context) { return .respond(cached) }
        let arrival = Arrival()
        guard let header = Header.peek(bytes), !header.isResponse else { return .drop }
        let query: Message
        do {
            query = try Message(wire: bytes)
        } catch {
            return respond(Self.headerOnlyResponse(to: header, rcode: .formErr), query: nil, source: .server, arrival: arrival, context: context)
        }
        // Paired with the `record` in `respond`, which fires for exactly these queries.
        if !observers.isEmpty, query.question != nil { for observer in observers { observer.queryStarted() } }
        if let early = validate(query) {
            return respond(early, query: query, source: .server, arrival: arrival, context: context)
        }
        let generation = pipeline.packetCache.generation
        let current = pipeline.current
        let fill = packetCacheFill(bytes, query: query, pipeline: current, generation: generation, transport: context.transport)
        return finish(current.resolve(query, context: context), query: query, arrival: arrival, context: context, fill: fill)
    }

    /// Answers that need no plugin: wrong opcode, question count, EDNS version.
    private func validate(_ query: Message) -> Message? {
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
            return Message.response(to: query, rcode: .notImp)
        }
        if question.type.isMetaType && question.type != .any {
            return Message.response(to: query, rcode: .formErr)
        }
        return nil
    }

    private func finish(_ outcome: PluginOutcome, query: Message, arrival: Arrival, context: QueryContext,
                        fill: PacketCacheFill? = nil) -> Result {
        switch outcome {
        case .respond(let message, let source):
            return respond(message, query: query, source: source, arrival: arrival, context: context, fill: fill)
        case .pending(let pending):
            return .pending(PendingResponse(loop: context.eventLoop) { ready in
                answer(when: pending, query: query, arrival: arrival, context: context, fill: fill, ready: ready)
            })
        }
    }

    /// Hands `ready` the encoded answer once `pending` (and any outcome still pending after it)
    /// is in.
    private func answer(when pending: PendingOutcome, query: Message, arrival: Arrival, context: QueryContext,
                        fill: PacketCacheFill?, ready: @escaping ([UInt8]?) -> Void) {
        pending.whenComplete { result in
            switch result {
            case .success(.pending(let inner)):
                answer(when: inner, query: query, arrival: arrival, context: context, fill: fill, ready: ready)
            case .success(.respond(let message, let source)):
                ready(bytes(respond(message, query: query, source: source, arrival: arrival, context: context, fill: fill)))
            case .failure:
                // A plugin's failure is the server's failure: SERVFAIL, never silence.
                let failure = Message.response(to: query, rcode: .servFail)
                ready(bytes(respond(failure, query: query, source: .server, arrival: arrival, context: context)))
            }
        }
    }

    private func bytes(_ result: Result) -> [UInt8]? {
        if case .respond(let bytes) = result { return bytes }
        return nil
    }

    private func respond(_ message: Message, query: Message?, source: AnswerSource, arrival: Arrival, context: QueryContext,
                         fill: PacketCacheFill? = nil) -> Result {
        var message = message
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
        if !observers.isEmpty, let question = query?.question {
            let event = QueryEvent(
                timeNanos: arrival.wall, client: context.client.flatMap(ClientAddress.init), transport: context.transport, name: question.name,
                type: question.type, rcode: message.rcode, latencyNanos: DispatchTime.now().uptimeNanoseconds - arrival.uptime,
                source: source, truncated: bytes.count > 2 && bytes[2] & 0x02 != 0,
                dnssecOK: query?.edns?.dnssecOK ?? false, responseBytes: bytes.count)
            for observer in observers { observer.record(event) }
        }
        if let fill, let query { fill.file(bytes, source: source, query: query, rcode: message.rcode) }
        return .respond(bytes)
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
