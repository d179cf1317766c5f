#if canImport(Glibc)
import Glibc
#endif
import DNSProto
import NIOCore

/// A server block whose whole job is "forward over UDP, keep the answer": `[forward]` or
/// `[cache, forward]`. For its names the UDP workers relay the client's question straight to
/// the upstream and its answer straight back (`UDPRelay`), instead of parsing both into
/// messages, running the plugin chain and encoding again. The answer is what the full path
/// would send, and a `cache` in the block files it in the packet cache by the cache's rules.
///
/// A block qualifies only when the relay can keep every promise its plugins make:
/// - `forward` with UDP upstreams only, no `except`, ECS `strip` or `pass` (the relay takes
///   only queries without ECS), and not `parallel` over several upstreams (0x20 is kept: the
///   relay sends the name in random case and checks the answer echoes it);
/// - a `cache` without `serve_stale`, `optimistic`, `prefetch` or `servfail_ttl`: those need the
///   record cache, which only the full path fills.
/// Anything else, or a query the relay cannot take, goes the full path as before.
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
    /// The UDP payload size of the OPT sent upstream (`edns_udp_size`).
    let ednsUDPSize: UInt16
    /// `case_randomization`: DNS 0x20 on the names sent.
    let caseRandomization: Bool
    let timeoutNanoseconds: UInt64

    private init(pool: UpstreamPool, servers: [Server], cache: CachePlugin?, ednsUDPSize: UInt16, caseRandomization: Bool) {
        self.pool = pool
        self.servers = servers
        self.cache = cache
        self.ednsUDPSize = ednsUDPSize
        self.caseRandomization = caseRandomization
        timeoutNanoseconds = UInt64(max(1, pool.timeout.nanoseconds))
    }

    /// The route for `block`, or nil when the block needs the full path (see the type's comment).
    static func make(for block: ServerBlock) -> RelayRoute? {
        let forward: ForwardPlugin
        var cache: CachePlugin?
        switch block.plugins.count {
        case 1:
            guard let plugin = block.plugins[0] as? ForwardPlugin else { return nil }
            forward = plugin
        case 2:
            guard let first = block.plugins[0] as? CachePlugin, let second = block.plugins[1] as? ForwardPlugin else { return nil }
            let settings = first.settings
            guard settings.serveStale == 0, !settings.optimistic, !settings.prefetch, settings.servfailTTL == 0 else { return nil }
            cache = first
            forward = second
        default:
            return nil
        }
        guard forward.except.isEmpty, forward.ecs.mode != .add,
              forward.pool.policy != .parallel || forward.pool.upstreams.count == 1,
              !forward.pool.upstreams.isEmpty, forward.pool.upstreams.count <= 64 else { return nil }
        var servers: [Server] = []
        for upstream in forward.pool.upstreams {
            guard upstream.address.kind == .udp, let address = try? upstream.address.socketAddress() else { return nil }
            let (storage, length) = address.withSockAddr { pointer, length in
                (sockaddr_storage(copying: pointer, length: socklen_t(length)), socklen_t(length))
            }
            servers.append(Server(upstream: upstream, address: storage, length: length, family: Int32(storage.ss_family),
                                  source: .upstream(upstream.address.description)))
        }
        return RelayRoute(pool: forward.pool, servers: servers, cache: cache, ednsUDPSize: forward.ednsUDPSize,
                          caseRandomization: forward.caseRandomization)
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
