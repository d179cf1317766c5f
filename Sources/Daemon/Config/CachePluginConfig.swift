import DNSProto
import NIOCore
import Resolver

/// YAML for the `cache` plugin: `{max_entries, max_bytes, min_ttl, max_ttl, negative_ttl,
/// servfail_ttl, serve_stale, stale_ttl, stale_timeout, optimistic, prefetch, prefetch_hits, max_followers}`,
/// all optional (defaults in `CacheSettings`).
enum CachePluginConfig {
    static let keys: Set<String> = ["max_entries", "max_bytes", "min_ttl", "max_ttl", "negative_ttl", "servfail_ttl",
                                    "serve_stale", "stale_ttl", "stale_timeout", "optimistic", "prefetch", "prefetch_hits", "max_followers"]

    static func build(_ node: ConfigNode, zones: [DNSName], context: PluginBuildContext) throws -> any Plugin {
        CachePlugin(settings: try settings(node))
    }

    static func settings(_ node: ConfigNode) throws -> CacheSettings {
        let keys = try node.mapping(allowed: Self.keys)
        var settings = CacheSettings()
        if let value = keys["max_entries"] { settings.maxEntries = try value.int(in: 1...1_000_000_000) }
        if let value = keys["max_bytes"] { settings.maxBytes = try size(value) }
        if let value = keys["min_ttl"] { settings.minTTL = try seconds(value) }
        if let value = keys["max_ttl"] { settings.maxTTL = try seconds(value) }
        if let value = keys["negative_ttl"] { settings.negativeTTL = try seconds(value) }
        if let value = keys["servfail_ttl"] {
            settings.servfailTTL = try seconds(value)
            // RFC 2308 §7.1: a server failure MUST NOT be cached for longer than five minutes.
            guard settings.servfailTTL <= 300 else { throw value.error("servfail_ttl may be at most 5m (RFC 2308 §7.1)") }
        }
        if let value = keys["serve_stale"] { settings.serveStale = try seconds(value) }
        if let value = keys["stale_ttl"] {
            settings.staleTTL = try seconds(value)
            guard settings.staleTTL > 0 else { throw value.error("stale_ttl must be at least 1s") }
        }
        if let value = keys["stale_timeout"] {
            settings.staleTimeout = try value.timeAmount(in: .zero ... .seconds(60))
        }
        if let value = keys["optimistic"] { settings.optimistic = try value.bool() }
        if let value = keys["prefetch"] { settings.prefetch = try value.bool() }
        if let value = keys["prefetch_hits"] { settings.prefetchHits = try value.int(in: 1...1_000_000) }
        if let value = keys["max_followers"] { settings.maxFollowers = try value.int(in: 1...1_000_000) }
        if settings.minTTL > settings.maxTTL {
            throw (keys["min_ttl"] ?? node).error("min_ttl (\(settings.minTTL)s) is above max_ttl (\(settings.maxTTL)s)")
        }
        return settings
    }

    /// A duration in whole seconds (`300`, `5m`, `1d`), at most 2^31-1 (RFC 2181 §8).
    static func seconds(_ node: ConfigNode) throws -> UInt32 {
        UInt32(try node.duration(in: .zero ... .seconds(Int32.max)).components.seconds)
    }

    /// A byte count: a plain integer or a number with a unit, `64MiB`, `512KiB`, `1GiB`
    /// (powers of 1024) or `64MB`, `1GB` (powers of 1000); `K`, `M`, `G` alone are binary.
    static func size(_ node: ConfigNode) throws -> Int {
        let text = try node.string().trimmingCharacters(in: .whitespaces)
        let units: [(String, Int)] = [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30),
                                      ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000),
                                      ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30), ("B", 1), ("", 1)]
        for (suffix, scale) in units where text.uppercased().hasSuffix(suffix.uppercased()) {
            let number = text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)
            guard let value = Int(number), value > 0 else { continue }
            let (bytes, overflow) = value.multipliedReportingOverflow(by: scale)
            guard !overflow else { break }
            return bytes
        }
        throw node.error("expected a size like 64MiB, 512KiB or a byte count, found '\(text)'")
    }
}
