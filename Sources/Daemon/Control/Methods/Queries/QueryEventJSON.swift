import ControlProto
import Foundation
import Resolver

/// How a query event looks on the control socket.
enum QueryEventJSON {
    static func encode(_ event: QueryEvent) -> JSONValue {
        .object([
            "time": .double(Double(event.timeNanos / 1_000_000) / 1000),
            "client": .string(event.clientAddress),
            "transport": .string(event.transport.rawValue),
            "name": .string(event.name.description),
            "type": .string(event.type.description),
            "rcode": .string(event.rcode.description),
            "latency_us": .int(Int(event.latencyNanos / 1000)),
            "source": .string(event.source.description),
            "tc": .bool(event.truncated),
            "do": .bool(event.dnssecOK),
            "size": .int(event.responseBytes),
            "dnssec": event.dnssec.map { .string($0.description) } ?? .null,
            "dnssec_reason": event.dnssecReason.map { .string($0) } ?? .null,
        ])
    }
}

/// The filters of `queries.subscribe`.
struct QueryEventFilter: Sendable {
    var suffix: DNSNameText?
    var client: String?
    var rcode: String?
    var minLatencyNanos: UInt64 = 0
    var sample: Int = 1

    func matches(_ event: QueryEvent) -> Bool {
        if let suffix, !event.name.isSubdomain(of: suffix.name) { return false }
        if let client, event.clientAddress != client { return false }
        if let rcode, event.rcode.description != rcode { return false }
        return event.latencyNanos >= minLatencyNanos
    }
}

import DNSProto

/// A name given as text by the caller, parsed once.
struct DNSNameText: Sendable {
    let name: DNSName
    init(_ text: String) throws {
        do { name = try DNSName(text.hasSuffix(".") ? text : text + ".") } catch {
            throw RPCError.badParams("'\(text)' is not a domain name: \(error)")
        }
    }
}
