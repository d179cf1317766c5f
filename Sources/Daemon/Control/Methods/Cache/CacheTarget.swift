import ControlProto
import Resolver

/// The cache plugins the cache.* methods act on, named by their server block.
enum CacheTarget {
    static func caches(_ context: ControlContext) throws -> [(block: String, cache: CachePlugin)] {
        let found = context.runtime.plugins(of: CachePlugin.self).map { (block: $0.block.zones.map(\.description).joined(separator: " "), cache: $0.plugin) }
        guard !found.isEmpty else {
            throw RPCError(code: RPCError.operationFailed, message: "no server block has a cache plugin")
        }
        return found
    }

    static func entryJSON(_ entry: CacheEntryInfo) -> JSONValue {
        .object([
            "key": .string(entry.key.description), "kind": .string(entry.kind.rawValue), "rcode": .string(entry.rcode.description),
            "ttl": .int(Int(entry.remainingTTL)), "original_ttl": .int(Int(entry.originalTTL)),
            "bytes": .int(entry.bytes), "records": .array(entry.records.map { .string($0) }),
            "dnssec": entry.dnssecStatus.map { .string($0.description) } ?? .null,
            "dnssec_reason": entry.dnssecReason.map { .string($0) } ?? .null,
        ])
    }

    static func packetEntryJSON(_ entry: PacketCacheEntryInfo) -> JSONValue {
        .object([
            "key": .string(entry.question), "kind": .string("packet"), "flags": .array(entry.flags.map { .string($0) }),
            "rcode": .string(entry.rcode.description), "ttl": .int(Int(entry.remainingTTL)), "original_ttl": .int(Int(entry.originalTTL)),
            "bytes": .int(entry.bytes), "records": .array(entry.records.map { .string($0) }),
            "dnssec": entry.dnssecStatus.map { .string($0.description) } ?? .null,
        ])
    }
}
