import DNSProto
import NIOCore

/// Picks the server block for a query by the longest matching zone and runs its plugins.
public struct Pipeline: Sendable {
    public let blocks: [ServerBlock]
    /// (zone, block index), longest zone first, so the first match is the longest.
    private let zoneIndex: [(zone: DNSName, block: Int)]
    /// The blocks the UDP workers may relay for (RelayRoute.swift), by the same zone order.
    let relayRoutes: RelayRoutes
    /// Who may ask what, and how much (Admission.swift): asked before every answer.
    public let admission: Admission

    /// `admission`: the daemon's access rules and limits; `.open` (everyone, no limits) only
    /// for pipelines built without a configuration.
    public init(blocks: [ServerBlock], admission: AdmissionSetup = .open) {
        self.blocks = blocks
        zoneIndex = blocks.enumerated()
            .flatMap { index, block in block.zones.map { (zone: $0, block: index) } }
            .sorted { $0.zone.labelCount > $1.zone.labelCount }
        relayRoutes = RelayRoutes(zoneIndex: zoneIndex, blocks: blocks)
        self.admission = Admission(setup: admission, blocks: blocks, zoneIndex: zoneIndex)
    }

    /// The zones whose UDP misses the workers relay (RelayRoute.swift), as the start-up and
    /// reload log lines show them: space-separated, or "-" for none (or the relay switched off).
    public var relayedZonesDescription: String {
        let zones = relayRoutes.relayedZones
        return zones.isEmpty || !UDPRelay.enabledByEnvironment ? "-" : zones.map(\.description).joined(separator: " ")
    }

    /// The block whose zone is the longest suffix of `name`, if any.
    public func block(for name: DNSName) -> ServerBlock? {
        blockIndex(for: name).map { blocks[$0] }
    }

    /// The index in `blocks` of `block(for:)`.
    func blockIndex(for name: DNSName) -> Int? {
        zoneIndex.first { name.isSubdomain(of: $0.zone) }?.block
    }

    /// The block that answers `question`: the one whose zone is the longest suffix of its
    /// name, except for DS at the apex of a zone served here. DS is data of the parent side of
    /// the cut (RFC 4035 §3.1.4.1), so when a block holding the parent zone's data is also
    /// configured (the nearest enclosing zone with an authoritative plugin), it answers, as NSD,
    /// Knot and BIND do; only without one does the child's block answer (NODATA from the child).
    /// A child block that forwards is left alone: the UDP relay (RelayRoute.swift) forwards its
    /// DS queries too, and every transport must give the same answer.
    public func block(answering question: Question) -> ServerBlock? {
        let name = question.name
        guard let index = zoneIndex.firstIndex(where: { name.isSubdomain(of: $0.zone) }) else { return nil }
        let match = zoneIndex[index]
        if question.type == .ds, match.zone == name, blocks[match.block].isAuthoritative(for: name),
           let parent = zoneIndex[(index + 1)...].first(where: {
               $0.zone != name && name.isSubdomain(of: $0.zone) && blocks[$0.block].isAuthoritative(for: name)
           }) {
            return blocks[parent.block]
        }
        return blocks[match.block]
    }

    /// Runs the chain; when every plugin passes, the answer is REFUSED (we are not
    /// authoritative and have no way to resolve the name).
    public func resolve(_ query: Message, context: QueryContext) -> PluginOutcome {
        guard let question = query.question, let block = block(answering: question) else {
            return .respond(Message.response(to: query, rcode: .refused), .server)
        }
        return PluginChain(block.plugins[...]).run(query, context: context)
    }
}
