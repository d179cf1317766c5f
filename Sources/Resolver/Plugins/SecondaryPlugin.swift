import DNSProto
import Logging
import NIOCore

/// `secondary`: answers authoritatively for a zone kept from its primaries by AXFR
/// (docs/replication.md, docs/plugins/secondary.md).
///
/// Parameters: `primaries` (addresses the zone is transferred from, tried in order), `key`
/// (a `tsig_keys` name: transfer requests are signed and answers checked with it, and NOTIFY
/// must carry it), `file` (where the zone is kept across restarts), `origin`.
/// Queries are answered from the version held, like the `zone` plugin; before the first copy
/// arrives and after the SOA's expire passed with no primary answering, SERVFAIL.
/// NOTIFY is taken from the primaries' addresses only (REFUSED from anywhere else), and with
/// a key only when signed with it; it starts a refresh at once.
public final class SecondaryPlugin: Plugin, Sendable {
    public let name = "secondary"
    /// Shared by the plugins of successive configurations that keep the same zone.
    public let zone: SecondaryZone
    private let logger = Logger(label: "dnsd.notify")

    public init(zone: SecondaryZone) { self.zone = zone }

    public var origin: DNSName { zone.origin }

    public func isAuthoritative(for name: DNSName) -> Bool { name.isSubdomain(of: origin) }

    public func handle(_ query: Message, context: QueryContext, next: PluginChain) -> PluginOutcome {
        guard let question = query.question, question.name.isSubdomain(of: origin) else {
            return next.run(query, context: context)
        }
        guard let held = zone.servable else {
            // RFC 1034 §4.3.5: an expired (or never loaded) secondary zone is not answered from.
            return .respond(Message.response(to: query, rcode: .servFail), .zone(origin))
        }
        guard question.recordClass == held.soa.recordClass || question.recordClass == .any else {
            return .respond(Message.response(to: query, rcode: .refused), .zone(origin))
        }
        return .respond(held.answer(query), .zone(origin))
    }

    public func answerNotify(_ query: Message, bytes: [UInt8], client: SocketAddress?) -> [UInt8]? {
        guard let question = query.question, question.name == origin else { return nil }
        let from = client.map(SecondaryZone.describe) ?? "?"
        guard let client, zone.isPrimary(client) else {
            logger.notice("NOTIFY \(origin) from \(from) refused: not a primary of the zone")
            return QueryHandler.notifyReply(to: query, rcode: .refused)
        }
        let reply = QueryHandler.notifyReply(to: query, rcode: .noError, authoritative: true)
        guard let key = zone.settings.key else {
            logger.info("NOTIFY \(origin) from \(from): refreshing")
            zone.refreshNow()
            return reply
        }
        switch TSIGSigner.verifyRequest(bytes, keyring: TSIGKeyring([key])) {
        case .signed(let key, let mac):
            logger.info("NOTIFY \(origin) from \(from), TSIG key \(key.name): refreshing")
            zone.refreshNow()
            var stream = TSIGSigner.Stream(key: key, requestMAC: mac)
            return stream.sign(reply)
        case .unsigned:
            logger.notice("NOTIFY \(origin) from \(from) refused: not signed with key \(key.name)")
            return QueryHandler.notifyReply(to: query, rcode: .refused)
        case .failed(let error, let record, let known):
            logger.notice("NOTIFY \(origin) from \(from) refused: TSIG error \(error) with key \(record.keyName)")
            return TSIGSigner.failure(QueryHandler.notifyReply(to: query, rcode: .notAuth), error: error, request: record, key: known)
        }
    }
}
