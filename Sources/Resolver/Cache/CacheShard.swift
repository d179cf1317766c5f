import DequeModule

/// One shard of the cache: a dictionary of entries plus S3-FIFO eviction queues, guarded by
/// the store's per-shard lock (this type itself is a plain value).
///
/// Eviction is S3-FIFO (Yang et al., SOSP 2023): new entries enter a small FIFO (10% of the
/// capacity); an entry asked for again while there moves to the main FIFO, one that was not
/// is dropped and remembered in a ghost FIFO (its hash only), so if it comes back soon it goes
/// straight to main. Main is FIFO with reinsertion: an entry with hits left goes round again.
/// Why this one: DNS traffic has many one-hit names (random subdomains, scans) next to a hot
/// set; one-hit entries die in the small queue without disturbing main, so the hot set
/// survives churn (scan resistance like segmented LRU or CLOCK-Pro); and a hit only bumps a
/// 2-bit counter instead of moving list nodes, so the hit path does little under the lock.
struct CacheShard: Sendable {
    /// A class so that the dictionary holds one pointer per entry: with the answer inline its
    /// slots were ~200 bytes, and a dictionary just past a doubling is 60% empty slots. It also
    /// lets a hit bump the counters in place instead of writing the entry back (a second hash).
    /// Unchecked: a node is only touched by its shard, and a shard only under its lock.
    final class Node: @unchecked Sendable {
        /// Kept here rather than in the queues, so a queue slot is one pointer.
        let key: CacheKey
        var answer: CachedAnswer
        /// 0...3, S3-FIFO's access counter.
        var frequency: UInt8 = 0
        var inMain: Bool
        /// Times served since stored (for prefetch's "asked at least N times").
        var hits: UInt32 = 0

        init(key: CacheKey, answer: CachedAnswer, inMain: Bool) {
            self.key = key
            self.answer = answer
            self.inMain = inMain
        }
    }

    /// What a lookup found.
    enum Lookup: Sendable {
        case fresh(CachedAnswer, prefetch: Bool)
        case stale(CachedAnswer)
        case miss
    }

    let maxEntries: Int
    let maxBytes: Int
    private(set) var nodes: [CacheKey: Node] = [:]
    /// The S3-FIFO queues. A node no longer in `nodes` under its key (removed, or replaced
    /// after removal) is a tombstone and skipped.
    private var small = Deque<Node>()
    private var main = Deque<Node>()
    private var ghost = Deque<Int>()
    private var ghostCounts: [Int: Int] = [:]
    private var smallCount = 0
    private var smallBytes = 0
    private(set) var bytes = 0
    /// Per question (key without subnet): the (family << 8 | prefix) scopes stored, with counts,
    /// so a lookup probes only the prefixes that exist.
    private var scopes: [CacheKey: [UInt16: Int]] = [:]
    var statistics = CacheStatistics()

    init(maxEntries: Int, maxBytes: Int) {
        self.maxEntries = max(1, maxEntries)
        self.maxBytes = max(1, maxBytes)
    }

    /// Finds the answer for `base` (a question) as `client` sees it: the longest matching
    /// scoped entry first, then the answer for everyone. Entries past TTL + `staleWindow` are
    /// dropped on the way. `prefetchHits` 0 disables prefetch decisions.
    mutating func lookup(base: CacheKey, client: CacheClientAddress?, now: UInt64, staleWindow: UInt32,
                         prefetchHits: Int) -> Lookup {
        var candidates: [CacheKey] = []
        if let client, let known = scopes[base] {
            for code in known.keys.sorted(by: >) where UInt16(code >> 8) == client.family {
                let prefix = UInt8(truncatingIfNeeded: code)
                guard prefix <= client.knownBits else { continue }
                var key = base
                key.subnet = client.subnet(prefix: prefix)
                candidates.append(key)
            }
        }
        candidates.append(base)
        for key in candidates {
            guard let node = nodes[key] else { continue }
            let remaining = node.answer.remainingTTL(at: now)
            if remaining > 0 {
                node.frequency = min(node.frequency + 1, 3)
                node.hits &+= 1
                let prefetch = prefetchHits > 0 && node.answer.kind != .servfail && node.hits >= prefetchHits
                    && remaining * 10 < Int64(node.answer.ttl)
                statistics.hits += 1
                return .fresh(node.answer, prefetch: prefetch)
            }
            if -remaining < Int64(staleWindow) && node.answer.kind != .servfail {
                node.frequency = min(node.frequency + 1, 3)
                statistics.misses += 1
                return .stale(node.answer)
            }
            remove(key, node)
            statistics.expired += 1
        }
        statistics.misses += 1
        return .miss
    }

    /// The fresh answer for everyone under `base`, without counting a hit (the packet cache
    /// asks); nil when there is none, it is stale, or scoped (ECS) answers exist for the question.
    func freshForEveryone(base: CacheKey, now: UInt64) -> CachedAnswer? {
        guard scopes[base] == nil, let node = nodes[base], node.answer.remainingTTL(at: now) > 0 else { return nil }
        return node.answer
    }

    /// Stores (or replaces) the answer for `key`, then evicts down to the caps.
    mutating func insert(_ key: CacheKey, _ answer: CachedAnswer) {
        statistics.insertions += 1
        if let node = nodes[key] {
            bytes += answer.size - node.answer.size
            if !node.inMain { smallBytes += answer.size - node.answer.size }
            node.answer = answer
        } else {
            let toMain = ghostCounts[key.hashValue] != nil
            let node = Node(key: key, answer: answer, inMain: toMain)
            nodes[key] = node
            bytes += answer.size
            if toMain {
                main.append(node)
            } else {
                small.append(node)
                smallCount += 1
                smallBytes += answer.size
            }
            if let subnet = key.subnet {
                scopes[key.base, default: [:]][UInt16(subnet.family) << 8 | UInt16(subnet.prefix), default: 0] += 1
            }
        }
        evict()
        compact()
    }

    private mutating func evict() {
        while !nodes.isEmpty && (nodes.count > maxEntries || bytes > maxBytes) {
            let smallOverShare = smallCount * 10 > maxEntries || smallBytes * 10 > maxBytes
            if smallCount > 0 && (smallOverShare || nodes.count == smallCount) {
                evictFromSmall()
            } else {
                evictFromMain()
            }
        }
    }

    /// Pops the oldest small-queue entry: promoted to main if it was asked for again,
    /// otherwise dropped and remembered in the ghost queue.
    private mutating func evictFromSmall() {
        while let node = small.popFirst() {
            guard isLive(node), !node.inMain else { continue }
            if node.frequency > 0 {
                node.inMain = true
                smallCount -= 1
                smallBytes -= node.answer.size
                main.append(node)
            } else {
                remove(node.key, node)
                statistics.evictions += 1
                rememberGhost(node.key.hashValue)
            }
            return
        }
    }

    /// Drops the oldest main-queue entry that has no hits left, giving the others another round.
    private mutating func evictFromMain() {
        while let node = main.popFirst() {
            guard isLive(node), node.inMain else { continue }
            if node.frequency > 0 {
                node.frequency -= 1
                main.append(node)
                continue
            }
            remove(node.key, node)
            statistics.evictions += 1
            return
        }
    }

    private func isLive(_ node: Node) -> Bool { nodes[node.key] === node }

    private mutating func rememberGhost(_ hash: Int) {
        ghost.append(hash)
        ghostCounts[hash, default: 0] += 1
        while ghost.count > maxEntries, let old = ghost.popFirst() {
            if let count = ghostCounts[old], count > 1 { ghostCounts[old] = count - 1 } else { ghostCounts[old] = nil }
        }
    }

    private mutating func remove(_ key: CacheKey, _ node: Node) {
        nodes[key] = nil
        bytes -= node.answer.size
        if !node.inMain {
            smallCount -= 1
            smallBytes -= node.answer.size
        }
        if let subnet = key.subnet {
            let base = key.base, code = UInt16(subnet.family) << 8 | UInt16(subnet.prefix)
            if let count = scopes[base]?[code], count > 1 {
                scopes[base]![code] = count - 1
            } else {
                scopes[base]?[code] = nil
                if scopes[base]?.isEmpty == true { scopes[base] = nil }
            }
        }
    }

    /// Removed and replaced entries leave slots behind in the queues; drop them once they
    /// outnumber the live ones, so the queues stay proportional to the entries.
    private mutating func compact() {
        if small.count > 2 * smallCount + 64 {
            small = Deque(small.filter { isLive($0) && !$0.inMain })
        }
        let mainCount = nodes.count - smallCount
        if main.count > 2 * mainCount + 64 {
            main = Deque(main.filter { isLive($0) && $0.inMain })
        }
    }

    /// Removes every entry whose key matches; returns how many.
    mutating func removeAll(where matches: (CacheKey) -> Bool) -> Int {
        let doomed = nodes.filter { matches($0.key) }
        for (key, node) in doomed { remove(key, node) }
        compact()
        return doomed.count
    }

    /// Empties the shard; statistics counters are kept.
    mutating func removeAll() -> Int {
        let count = nodes.count
        let statistics = self.statistics
        self = CacheShard(maxEntries: maxEntries, maxBytes: maxBytes)
        self.statistics = statistics
        return count
    }

    var snapshot: CacheStatistics {
        var result = statistics
        result.entries = nodes.count
        result.bytes = bytes
        return result
    }
}
