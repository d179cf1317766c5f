import DNSProto
import NIOCore

/// `zone`: answers authoritatively from a zone file (or zone text embedded in the config).
///
/// Parameters: `file` (path, relative to the config file) or `inline` (zone-file text);
/// `origin` (defaults to the server block's first zone).
/// Names outside the zone fall through to the next plugin; names inside get AA answers,
/// NXDOMAIN/NODATA with the SOA, CNAME chains, wildcards and referrals.
public final class ZonePlugin: Plugin, Sendable {
    public let name = "zone"
    public let zone: AuthoritativeZone

    public init(zone: AuthoritativeZone) {
        self.zone = zone
    }

    public func handle(_ query: Message, context: QueryContext, next: PluginChain) -> PluginOutcome {
        guard let question = query.question, question.name.isSubdomain(of: zone.origin) else {
            return next.run(query, context: context)
        }
        guard question.recordClass == zone.soa.recordClass || question.recordClass == .any else {
            return .respond(Message.response(to: query, rcode: .refused), .zone(zone.origin))
        }
        return .respond(zone.answer(query), .zone(zone.origin))
    }
}
