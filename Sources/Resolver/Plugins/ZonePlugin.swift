import DNSProto
import NIOCore

/// `zone`: answers authoritatively from a zone file (or zone text embedded in the config).
///
/// Parameters: `file` (path, relative to the config file) or `inline` (zone-file text);
/// `origin` (defaults to the server block's first zone); `compact` (journal bytes after which
/// control-socket edits are written into the zone file; docs/zone-edits.md).
/// Names outside the zone fall through to the next plugin; names inside get AA answers,
/// NXDOMAIN/NODATA with the SOA, CNAME chains, wildcards and referrals.
///
/// The zone can change while dnsd runs (`zone.add`, `zone.reload`, ...): the plugin reads it
/// through its editor's `ZoneSource` once per query, so a query sees one version of the zone.
///
/// As a primary (docs/replication.md): `transfer` (who may AXFR/IXFR), `notify` and
/// `also_notify` (secondaries told of each new serial), `history` (diffs kept for IXFR).
public final class ZonePlugin: Plugin, Sendable {
    public let name = "zone"
    /// Owns the zone's data and its edits; shared by the plugins of successive configurations
    /// that serve the same file.
    public let editor: ZoneEditor

    /// Who may transfer the zone; nil: nobody (Transfer/TransferPolicy.swift).
    public let transfer: TransferPolicy?
    /// The configuration's TSIG keys, to check signed transfer requests with.
    public let keyring: TSIGKeyring

    public init(editor: ZoneEditor, transfer: TransferPolicy? = nil, keyring: TSIGKeyring = TSIGKeyring()) {
        self.editor = editor
        self.transfer = transfer
        self.keyring = keyring
    }

    public func transferSource(for zone: DNSName) -> TransferSource? {
        guard zone == origin else { return nil }
        let (current, history) = editor.transferSnapshot()
        return TransferSource(zone: current, history: history, policy: transfer, keyring: keyring, counters: editor.transferCounters)
    }

    /// A plugin over a fixed in-memory zone (tests, inline zones): it refuses edits.
    public convenience init(zone: AuthoritativeZone) {
        self.init(editor: ZoneEditor(zone: zone))
    }

    /// The zone as it is now.
    public var zone: AuthoritativeZone { editor.current }

    public var origin: DNSName { editor.origin }

    public func isAuthoritative(for name: DNSName) -> Bool { name.isSubdomain(of: origin) }

    public func handle(_ query: Message, context: QueryContext, next: PluginChain) -> PluginOutcome {
        let zone = editor.live.snapshot.zone
        guard let question = query.question, question.name.isSubdomain(of: zone.origin) else {
            return next.run(query, context: context)
        }
        guard question.recordClass == zone.soa.recordClass || question.recordClass == .any else {
            return .respond(Message.response(to: query, rcode: .refused), .zone(zone.origin))
        }
        return .respond(zone.answer(query), .zone(zone.origin))
    }
}
