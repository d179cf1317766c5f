import DNSProto
import Foundation
import Resolver
import SwiftProtobuf

/// Turns a `TapMessage` into dnstap protobuf payloads (schema: proto/dnstap.proto), as the
/// server block of its question selected: a client exchange becomes CLIENT_QUERY and
/// CLIENT_RESPONSE, an upstream one FORWARDER_QUERY or FORWARDER_RESPONSE. Runs on the
/// dnstap writer's thread.
struct DnstapEncoder {
    let identity: [UInt8]
    let version: [UInt8]

    func encode(_ tapped: TapMessage, selection: (DNSName) -> TapSelection) -> [[UInt8]] {
        let response = tapped.response ?? (try? tapped.decodedResponse?.encode())
        guard let name = Self.questionName(tapped.query ?? response) else { return [] }
        let selected = selection(name)
        var messages: [Dnstap_Message] = []
        switch tapped.kind {
        case .client:
            guard selected.client else { return [] }
            var query = base(tapped, type: .clientQuery)
            query.clientSide(tapped.peer)
            query.queryMessage = Data(tapped.query ?? [])
            var answer = query
            answer.type = .clientResponse
            if tapped.responseTime != 0 { answer.setResponseTime(tapped.responseTime) }
            if let response { answer.responseMessage = Data(response) }
            messages = [query, answer]
        case .forwarderQuery:
            guard selected.forwarder else { return [] }
            var query = base(tapped, type: .forwarderQuery)
            query.serverSide(tapped.peer)
            query.queryMessage = Data(tapped.query ?? [])
            messages = [query]
        case .forwarderResponse:
            guard selected.forwarder else { return [] }
            var answer = base(tapped, type: .forwarderResponse)
            answer.serverSide(tapped.peer)
            if tapped.responseTime != 0 { answer.setResponseTime(tapped.responseTime) }
            if let response { answer.responseMessage = Data(response) }
            messages = [answer]
        }
        return messages.compactMap { message -> [UInt8]? in
            var frame = Dnstap_Dnstap()
            frame.identity = Data(identity)
            frame.version = Data(version)
            frame.type = .message
            frame.message = message
            return try? frame.serializedBytes()
        }
    }

    private func base(_ tapped: TapMessage, type: Dnstap_Message.TypeEnum) -> Dnstap_Message {
        var message = Dnstap_Message()
        message.type = type
        message.socketProtocol = switch tapped.transport {
        case .udp: .udp
        case .tcp: .tcp
        case .tls: .dot
        case .https: .doh
        }
        if let peer = tapped.peer { message.socketFamily = peer.family == 4 ? .inet : .inet6 }
        if tapped.queryTime != 0 {
            message.queryTimeSec = tapped.queryTime / 1_000_000_000
            message.queryTimeNsec = UInt32(tapped.queryTime % 1_000_000_000)
        }
        return message
    }

    /// The question's name in a DNS message, or nil when it has none.
    static func questionName(_ bytes: [UInt8]?) -> DNSName? {
        guard let bytes, bytes.count > 12, bytes[4] != 0 || bytes[5] != 0 else { return nil }
        var reader = WireReader(bytes, position: 12)
        return try? reader.readName()
    }
}

private extension Dnstap_Message {
    /// The client is the query's sender (dnsd's own address is left out).
    mutating func clientSide(_ peer: ClientAddress?) {
        guard let peer else { return }
        queryAddress = Data(peer.addressBytes)
        queryPort = UInt32(peer.port)
    }

    /// The upstream is the query's receiver.
    mutating func serverSide(_ peer: ClientAddress?) {
        guard let peer else { return }
        responseAddress = Data(peer.addressBytes)
        responsePort = UInt32(peer.port)
    }

    mutating func setResponseTime(_ nanos: UInt64) {
        responseTimeSec = nanos / 1_000_000_000
        responseTimeNsec = UInt32(nanos % 1_000_000_000)
    }
}
