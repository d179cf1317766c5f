import Foundation
import Testing

/// The caps on work that waits for an upstream beyond the relay's table (InFlightLimits.swift,
/// CacheInFlight.swift; docs/access.md, docs/plugins/cache.md), each filled by a flood against
/// an upstream that never answers: `limits.miss_waiting` (misses a UDP worker handed to the
/// full path), `cache.max_followers` (queries waiting for one question in a cache) and
/// `limits.relay_followers` (clients waiting for one relayed question). Past a cap the query
/// is answered at once, SERVFAIL naming the key, or dropped, and counted in stats.get.
@Suite("Miss and follower limits", .serialized)
struct MissLimitsTests {
    /// `limits.miss_waiting` for the flood: a few seconds of it go well past it.
    static let missCap = 200

    @Test(arguments: ["servfail", "drop"])
    func aUniqueNameFloodOnTheFullPathStaysWithinMissWaiting(action: String) throws {
        let (hole, holePort) = try InFlightLimitsTests.blackHole()
        defer { kill(hole.processIdentifier, SIGKILL) }
        let live = try FaultyUpstream(mode: "answer", address: "192.0.2.7")
        // `except` keeps the flooded block off the relay (docs/fast-path.md): its misses are
        // handed to the full path.
        let servers = """
              - zones: [flood.test.]
                plugins:
                  - cache: {}
                  - forward: {to: [udp://127.0.0.1:\(holePort)], timeout: 3s, max_fails: 0, except: [other.flood.test.]}
              - zones: [cached.test.]
                plugins:
                  - cache: {}
                  - forward: {to: [\(live.url())]}
            """
        let settings = "threads: 1\nlimits: {miss_waiting: \(Self.missCap), inflight_action: \(action)}\n"
        try ForwardDnsd.with(servers: servers, settings: settings) { dnsd in
            let control = try ControlSocketClient(path: dnsd.controlSocket)
            #expect(try FloodWatch.cachedAnswer(dnsd, id: 1) != nil, "the cached name must resolve before the flood")
            var watch = try FloodWatch(dnsd)
            let flood = try FloodWatch.flood(dnsd, name: "flood.test", count: 12_000, seconds: 3, wait: 4)
            try watch.watch(flood.process, dnsd: dnsd, control: control, gauge: "udp.miss_waiting")
            let counts = try FloodWatch.counts(of: flood)
            let counted = try control.stats("limits.miss_waiting")["limits.miss_waiting"] ?? 0
            let peak = try control.stats("udp.miss_waiting_peak")["udp.miss_waiting_peak"] ?? -1
            let over = counts["over:limits.miss_waiting"] ?? 0

            #expect(watch.mostInFlight <= Self.missCap && peak <= Self.missCap && peak >= Self.missCap * 9 / 10,
                    "udp.miss_waiting reached \(watch.mostInFlight) (peak \(peak)) with a cap of \(Self.missCap)")
            if action == "servfail" {
                #expect(over > 5000, "the excess must be answered SERVFAIL naming limits.miss_waiting: \(counts)")
                #expect(counted >= over, "counted in stats.get: \(counted)")
            } else {
                #expect(over == 0 && (counts["sent"] ?? 0) - (counts["answers"] ?? 0) > 5000, "the excess must be dropped: \(counts)")
                #expect(counted > 5000, "the drops counted in stats.get: \(counted)")
            }
            // The upstream sockets are a fixed pool, whatever the number of waiting queries.
            #expect(watch.peakFiles - watch.baselineFiles <= Self.missCap + 20, "open files went from \(watch.baselineFiles) to \(watch.peakFiles)")
            #expect(watch.peakRSS - watch.baselineRSS < InFlightLimitsTests.growthKiB, "RSS grew from \(watch.baselineRSS) KiB to \(watch.peakRSS) KiB")
            #expect(watch.unanswered == 0 && watch.slowest < 0.5, "the cached name: \(watch.unanswered) unanswered, slowest \(watch.slowest) s")
            print("full-path flood (\(action)): \(counts); udp.miss_waiting at most \(watch.mostInFlight), peak \(peak), "
                  + "counted \(counted); \(watch.summary)")
        }
    }

    /// A cap on the clients of one question, and the block whose path has it.
    struct FollowerCap: CustomTestStringConvertible, Sendable {
        /// The key the SERVFAIL and stats.get name.
        let key: String
        let followers: Int
        /// The block's plugins for an upstream at PORT, and top-level settings.
        let plugins: String
        let settings: String

        var testDescription: String { key }

        static let all = [
            // `except` keeps the block on the full path, where the cache coalesces.
            FollowerCap(key: "cache.max_followers", followers: 50, plugins: "[{cache: {max_followers: 50}}, FULLPATHFORWARD]", settings: ""),
            // `[forward]` alone is relayed.
            FollowerCap(key: "limits.relay_followers", followers: 20, plugins: "[FORWARD]", settings: "limits: {relay_followers: 20}\n"),
        ]
    }

    /// One popular name behind a black hole: the leader and the followers wait for the
    /// upstream, every other query for it is answered at once.
    @Test(arguments: FollowerCap.all)
    func identicalQueriesPastTheFollowersAreAnsweredAtOnce(cap: FollowerCap) throws {
        let (hole, holePort) = try InFlightLimitsTests.blackHole()
        defer { kill(hole.processIdentifier, SIGKILL) }
        let forward = "{forward: {to: [udp://127.0.0.1:\(holePort)], timeout: 8s, max_fails: 0}}"
        let fullPathForward = "{forward: {to: [udp://127.0.0.1:\(holePort)], timeout: 8s, max_fails: 0, except: [other.flood.test.]}}"
        let plugins = cap.plugins.replacingOccurrences(of: "FULLPATHFORWARD", with: fullPathForward)
            .replacingOccurrences(of: "FORWARD", with: forward)
        let servers = """
              - zones: [flood.test.]
                plugins: \(plugins)
            """
        try ForwardDnsd.with(servers: servers, settings: "threads: 1\n" + cap.settings) { dnsd in
            let control = try ControlSocketClient(path: dnsd.controlSocket)
            let flood = try FloodWatch.flood(dnsd, name: "same.flood.test", count: 2000, seconds: 1, wait: 10, same: true)
            let counts = try FloodWatch.counts(of: flood)
            let over = counts["over:\(cap.key)"] ?? 0
            let counter = cap.key == "cache.max_followers" ? "limits.cache_followers" : cap.key
            let counted = try control.stats(counter)[counter] ?? 0
            #expect(over >= 1500, "queries past the followers must be answered SERVFAIL naming \(cap.key): \(counts)")
            #expect((counts["answers"] ?? 0) - over <= cap.followers + 1, "only the leader and \(cap.followers) followers may wait: \(counts)")
            #expect(counted >= over, "counted in stats.get as \(counter): \(counted)")
            print("identical queries past \(cap.key): \(counts); counted \(counted)")
        }
    }
}
