import DNSProto
import NIOCore

/// One query ready for an upstream: the encoded message (its ID is patched in by the
/// transport, which picks it) and what a genuine answer must echo.
public struct UpstreamQuery: Sendable {
    /// The encoded query; bytes 0-1 (the ID) are overwritten per attempt.
    public var wire: [UInt8]
    /// The question exactly as sent (with the 0x20 case pattern, when that is on).
    public var question: Question
    /// 0x20 is on: the answer's question name must match the sent case byte for byte.
    public var caseExact: Bool
    /// The upstream (by identity) that already answered this question truncated to the UDP
    /// relay: it is asked over TCP at once (`QueryContext.truncatedOverUDPBy`).
    var truncatedOverUDPBy: ObjectIdentifier?

    public init(wire: [UInt8], question: Question, caseExact: Bool) {
        self.wire = wire
        self.question = question
        self.caseExact = caseExact
    }

    /// `wire` with `id` in the header.
    func wire(id: UInt16) -> [UInt8] {
        var bytes = wire
        bytes[0] = UInt8(id >> 8)
        bytes[1] = UInt8(truncatingIfNeeded: id)
        return bytes
    }

    /// Parses `bytes` and accepts them only as the answer to this query sent with `id`:
    /// a response, the same ID, exactly one question with the same type, class and name
    /// (case-exact under 0x20). Anything else is nil, and the caller keeps waiting: a forged
    /// or stray packet must neither be accepted nor end the wait (RFC 5452 §9.1).
    public func accept(_ bytes: [UInt8], id: UInt16) -> Message? {
        guard let header = Header.peek(bytes), header.isResponse, header.id == id,
              let message = try? Message(wire: bytes), message.questions.count == 1,
              let answered = message.question,
              answered.type == question.type, answered.recordClass == question.recordClass,
              caseExact ? answered.name.wire == question.name.wire : answered.name == question.name
        else { return nil }
        return message
    }

    /// A random query ID (RFC 5452 §4: IDs must not be predictable).
    static func randomID() -> UInt16 {
        var random = PooledKernelRandom()
        return UInt16.random(in: 0...UInt16.max, using: &random)
    }
}

/// Why an upstream exchange failed without an answer.
public enum UpstreamError: Error, Sendable, CustomStringConvertible {
    case timeout
    case connection(String)
    case protocolError(String)
    case disabled

    public var description: String {
        switch self {
        case .timeout: return "timeout"
        case .connection(let text): return "connection failed: \(text)"
        case .protocolError(let text): return text
        case .disabled: return "upstream disabled"
        }
    }

    /// Turns any error from NIO/TLS into one of ours, keeping its text.
    static func from(_ error: any Error) -> UpstreamError {
        (error as? UpstreamError) ?? .connection("\(error)")
    }
}

/// What an upstream exchange hands back, on the loop it was asked on.
typealias UpstreamReply = @Sendable (Result<Message, any Error>) -> Void

/// A transport to one upstream server: sends a query and yields the matching answer.
/// Implementations never block; the future may complete on another event loop.
protocol UpstreamTransport: Sendable {
    func exchange(_ query: UpstreamQuery, on loop: EventLoop, timeout: TimeAmount) -> EventLoopFuture<Message>
    /// The same, handing the result to `done` on `loop`: the forward path's form, which UDP
    /// implements without a future.
    func exchange(_ query: UpstreamQuery, on loop: EventLoop, timeout: TimeAmount, then done: @escaping UpstreamReply)
}

extension UpstreamTransport {
    func exchange(_ query: UpstreamQuery, on loop: EventLoop, timeout: TimeAmount, then done: @escaping UpstreamReply) {
        exchange(query, on: loop, timeout: timeout).hop(to: loop).whenComplete(done)
    }
}
