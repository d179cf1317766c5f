#if canImport(Glibc)
import Glibc
#endif
import DNSProto
import NIOCore

/// A server block the UDP workers serve on the fast path: every plugin in its chain can work on
/// wire data (`Plugin.fastPath`, FastPathStep.swift), and the chain ends in a `forward` the
/// relay can carry. For its names the UDP workers relay the client's question straight to the
/// upstream and its answer straight back (`UDPRelay`), instead of parsing both into messages,
/// running the plugin chain and encoding again. The answer is what the full path would send,
/// and a `cache` in the block keeps it in the packet-cache tier by all of the cache's rules:
/// TTL bounds, negative and SERVFAIL TTLs, serve-stale, optimistic answers and prefetch.
///
/// Plugins that answer some names themselves (`hosts` with fallthrough) send only those names
/// down the full path (`isClaimed`). A plugin that needs a parsed message for every query
/// (`zone`, `recurse`, a `forward` over TCP/TLS/HTTPS or with `except`) keeps its
/// whole block on the full path; so does a query the relay cannot take.
/// Under 0x20 the relay sends the name in random case and checks the answer echoes it.
final class RelayRoute: Sendable {
    /// One upstream's socket address, as the relay compares answers' sources against it.
    struct Server: @unchecked Sendable {
        let upstream: Upstream
        let address: sockaddr_storage
        let length: socklen_t
        let family: Int32
        /// The source the query events name (`upstream(...)`), made once.
        let source: AnswerSource
    }

    let pool: UpstreamPool
    let servers: [Server]
    let cache: CachePlugin?
    /// Plugins before the forward that answer some names themselves (`FastPathStep.claims`).
    private let claims: [@Sendable (DNSName) -> Bool]
    /// `ecs: {mode: add}`: the prefixes of the client subnet each query carries upstream.
    let subnetPrefixes: (ipv4: UInt8, ipv6: UInt8)?
    /// The UDP payload size of the OPT sent upstream (`edns_udp_size`).
    let ednsUDPSize: UInt16
    /// `case_randomization`: DNS 0x20 on the names sent.
    let caseRandomization: Bool
    let timeoutNanoseconds: UInt64

    private init(pool: UpstreamPool, servers: [Server], cache: CachePlugin?, claims: [@Sendable (DNSName) -> Bool], ednsUDPSize: UInt16,
                 subnetPrefixes: (ipv4: UInt8, ipv6: UInt8)?, caseRandomization: Bool) {
        self.subnetPrefixes = subnetPrefixes
        self.pool = pool
        self.servers = servers
        self.cache = cache
        self.claims = claims
        self.ednsUDPSize = ednsUDPSize
        self.caseRandomization = caseRandomization
        timeoutNanoseconds = UInt64(max(1, pool.timeout.nanoseconds))
    }

    /// The route for `block`, or nil when the block needs the full path (see the type's comment).
    static func make(for block: ServerBlock) -> RelayRoute? {
        var cache: CachePlugin?
        var claims: [@Sendable (DNSName) -> Bool] = []
        for (index, plugin) in block.plugins.enumerated() {
            switch plugin.fastPath {
            case .needsMessage:
                return nil
            case .claims(let claim):
                claims.append(claim)
            case .packetCache(let plugin):
                guard cache == nil else { return nil }
                cache = plugin
            case .relay(let forward):
                // Nothing runs after a forward: it answers every question it is given.
                guard index == block.plugins.count - 1 else { return nil }
                return make(forward: forward, cache: cache, claims: claims)
            }
        }
        return nil
    }

    private static func make(forward: ForwardPlugin, cache: CachePlugin?, claims: [@Sendable (DNSName) -> Bool]) -> RelayRoute? {
        var servers: [Server] = []
        for upstream in forward.pool.upstreams {
            guard upstream.address.kind == .udp, let address = try? upstream.address.socketAddress() else { return nil }
            let (storage, length) = address.withSockAddr { pointer, length in
                (sockaddr_storage(copying: pointer, length: socklen_t(length)), socklen_t(length))
            }
            servers.append(Server(upstream: upstream, address: storage, length: length, family: Int32(storage.ss_family),
                                  source: .upstream(upstream.address.description)))
        }
        let subnet = forward.ecs.mode == .add ? (forward.ecs.ipv4Prefix, forward.ecs.ipv6Prefix) : nil
        return RelayRoute(pool: forward.pool, servers: servers, cache: cache, claims: claims, ednsUDPSize: forward.ednsUDPSize,
                          subnetPrefixes: subnet, caseRandomization: forward.caseRandomization)
    }

    var hasClaims: Bool { !claims.isEmpty }

    /// Whether a plugin in the chain answers `name` itself: then the full path takes the query.
    func isClaimed(_ name: DNSName) -> Bool {
        claims.contains { $0(name) }
    }

    /// The upstream to ask next, by the pool's policy, among those available and not yet
    /// tried (bit i of `tried` is upstream i); nil when none is left.
    func next(tried: UInt64) -> Int? {
        if servers.count == 1 { return tried == 0 && servers[0].upstream.isAvailable ? 0 : nil }
        var available: [Int] = []
        for index in servers.indices where tried & (1 << UInt64(index)) == 0 && servers[index].upstream.isAvailable {
            available.append(index)
        }
        guard available.count > 1 else { return available.first }
        var rtts: [Int: Double] = [:]
        if pool.policy == .fastest {
            for index in available { rtts[index] = servers[index].upstream.smoothedRTT }
        }
        var generator = SystemRandomNumberGenerator()
        return pool.policy.order(available, counter: pool.nextCounter(), rtts: rtts, using: &generator).first
    }
}

/// The relay routes of a pipeline, matched against raw question names (no `DNSName` made).
struct RelayRoutes: Sendable {
    /// Each zone's block's route, longest zone first (`WireZoneIndex`).
    private let zones: WireZoneIndex<RelayRoute?>
    let isEmpty: Bool
    /// The zones whose blocks are relayed, in that order (for the log lines).
    let relayedZones: [DNSName]
    /// The most answers a relayed block's `cache` may keep (0 when none has one): the packet
    /// cache, the relay's only store, must hold that many.
    let largestCache: Int

    init(zoneIndex: [(zone: DNSName, block: Int)], blocks: [ServerBlock]) {
        let routes = blocks.map { RelayRoute.make(for: $0) }
        zones = WireZoneIndex(zoneIndex.map { ($0.zone.lowercasedWire, routes[$0.block]) })
        isEmpty = routes.allSatisfy { $0 == nil }
        relayedZones = zoneIndex.filter { routes[$0.block] != nil }.map(\.zone)
        largestCache = routes.compactMap { $0?.cache?.settings.maxEntries }.max() ?? 0
    }

    /// The route for the question name at `bytes[12..<nameEnd]` (uncompressed, validated by
    /// `PacketQuery`), or nil when its block is not relayable.
    func route(for bytes: UnsafeRawBufferPointer, nameEnd: Int) -> RelayRoute? {
        guard !isEmpty else { return nil }
        return zones.lookup(bytes, nameEnd: nameEnd) ?? nil
    }
}
