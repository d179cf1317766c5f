import DNSProto
import Logging

extension QueryHandler {
    private static let notifyLogger = Logger(label: "dnsd.notify")

    /// Answers a NOTIFY (RFC 1996): the plugin that keeps the zone as a secondary answers it
    /// (and starts a refresh); for a zone no plugin keeps that way the answer is REFUSED.
    /// NOTIFY takes no part in admission, the packet cache or the query events: it is a
    /// message between servers, checked by its source address and TSIG.
    func answerNotify(_ query: Message, bytes: [UInt8], context: QueryContext) -> [UInt8] {
        if let question = query.question, let block = pipeline.current.block(for: question.name) {
            for plugin in block.plugins {
                if let answer = plugin.answerNotify(query, bytes: bytes, client: context.client) { return answer }
            }
        }
        Self.notifyLogger.notice("NOTIFY \(query.question?.name.description ?? "?") from \(context.client.map(SecondaryZone.describe) ?? "?") refused: no secondary zone here")
        return Self.notifyReply(to: query, rcode: .refused)
    }

    /// A NOTIFY response: the question echoed, AA set when we hold the zone, no OPT (a TSIG
    /// record, if any, must come last).
    static func notifyReply(to query: Message, rcode: Rcode, authoritative: Bool = false) -> [UInt8] {
        var response = Message.response(to: query, rcode: rcode)
        response.edns = nil
        response.header.authoritative = authoritative
        return (try? response.encode()) ?? []
    }
}
