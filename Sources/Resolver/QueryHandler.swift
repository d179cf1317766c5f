import DNSProto
import NIOCore

/// Turns request bytes into response bytes: validates the message, runs the pipeline, and
/// encodes the answer for the transport. This is the whole query path minus the sockets.
public struct QueryHandler: Sendable {
    /// What a listener does with a packet.
    public enum Result: Sendable {
        /// Send nothing (unreadable header, or a response sent to us).
        case drop
        case respond([UInt8])
        case pending(EventLoopFuture<[UInt8]?>)
    }

    public let pipeline: Pipeline
    /// The UDP payload size we advertise and the most we send over UDP to EDNS clients
    /// (1232: the DNS flag day 2020 value that avoids IP fragmentation).
    public let maxUDPPayload: UInt16

    public init(pipeline: Pipeline, maxUDPPayload: UInt16 = 1232) {
        self.pipeline = pipeline
        self.maxUDPPayload = maxUDPPayload
    }

    public func handle(_ bytes: [UInt8], context: QueryContext) -> Result {
        guard let header = Header.peek(bytes), !header.isResponse else { return .drop }
        let query: Message
        do {
            query = try Message(wire: bytes)
        } catch {
            return respond(Self.headerOnlyResponse(to: header, rcode: .formErr), query: nil, context: context)
        }
        if let early = validate(query) {
            return respond(early, query: query, context: context)
        }
        return finish(pipeline.resolve(query, context: context), query: query, context: context)
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
            // RFC 6891 §6.1.3: BADVERS, advertising the version we do speak.
            var response = Message.response(to: query, rcode: .badVers, udpPayloadSize: maxUDPPayload)
            response.questions = []
            return response
        }
        if question.type == .axfr || question.type == .ixfr {
            return Message.response(to: query, rcode: .notImp)
        }
        if question.type.isMetaType && question.type != .any {
            return Message.response(to: query, rcode: .formErr)
        }
        return nil
    }

    private func finish(_ outcome: PluginOutcome, query: Message, context: QueryContext) -> Result {
        switch outcome {
        case .respond(let message, _):
            return respond(message, query: query, context: context)
        case .pending(let future):
            return .pending(future.flatMap { outcome in
                switch finish(outcome, query: query, context: context) {
                case .drop: return context.eventLoop.makeSucceededFuture(nil)
                case .respond(let bytes): return context.eventLoop.makeSucceededFuture(bytes)
                case .pending(let inner): return inner
                }
            })
        }
    }

    private func respond(_ message: Message, query: Message?, context: QueryContext) -> Result {
        var message = message
        if message.edns != nil { message.edns!.udpPayloadSize = maxUDPPayload }
        let limit = responseSizeLimit(query: query, transport: context.transport)
        do {
            return .respond(try message.encode(maxSize: limit))
        } catch {
            // Only a question too big for the limit gets here; answer SERVFAIL without sections.
            var failure = Message.response(to: message, rcode: .servFail)
            failure.questions = []
            return (try? failure.encode(maxSize: limit)).map { .respond($0) } ?? .drop
        }
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
