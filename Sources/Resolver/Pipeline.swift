import DNSProto
import NIOCore

/// Picks the server block for a query by the longest matching zone and runs its plugins.
public struct Pipeline: Sendable {
    public let blocks: [ServerBlock]
    /// (zone, block index), longest zone first, so the first match is the longest.
    private let zoneIndex: [(zone: DNSName, block: Int)]

    public init(blocks: [ServerBlock]) {
        self.blocks = blocks
        zoneIndex = blocks.enumerated()
            .flatMap { index, block in block.zones.map { (zone: $0, block: index) } }
            .sorted { $0.zone.labelCount > $1.zone.labelCount }
    }

    /// The block whose zone is the longest suffix of `name`, if any.
    public func block(for name: DNSName) -> ServerBlock? {
        zoneIndex.first { name.isSubdomain(of: $0.zone) }.map { blocks[$0.block] }
    }

    /// Runs the chain; when every plugin passes, the answer is REFUSED (we are not
    /// authoritative and have no way to resolve the name).
    public func resolve(_ query: Message, context: QueryContext) -> PluginOutcome {
        guard let question = query.question, let block = block(for: question.name) else {
            return .respond(Message.response(to: query, rcode: .refused), .server)
        }
        return run(block.plugins[...], query: query, context: context)
    }

    private func run(_ plugins: ArraySlice<any Plugin>, query: Message, context: QueryContext) -> PluginOutcome {
        guard let plugin = plugins.first else {
            return .respond(Message.response(to: query, rcode: .refused), .server)
        }
        switch plugin.handle(query, context: context) {
        case .respond(let message, let source):
            return .respond(message, source)
        case .next:
            return run(plugins.dropFirst(), query: query, context: context)
        case .pending(let future):
            let rest = plugins.dropFirst()
            return .pending(future.map { outcome in
                if case .next = outcome { return run(rest, query: query, context: context) }
                return outcome
            })
        }
    }
}
