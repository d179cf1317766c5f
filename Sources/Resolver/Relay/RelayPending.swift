#if canImport(Glibc)
import Glibc
#endif
import CDatagramBatch
import DNSProto
import Foundation

/// One client waiting for a relayed answer: its datagram (for its ID, flags and question
/// case, and for the full path if it comes to that) and where to send the answer.
struct RelayClient {
    let request: [UInt8]
    let peer: sockaddr_storage
    let peerLength: socklen_t
    /// Monotonic (latency) and wall-clock (the event's time) readings at arrival.
    let arrival: UInt64
    let wall: UInt64
    /// What admission said of the query: its cookie, and the waiting slot it holds.
    var ticket: AdmissionTicket
    /// The client subnet sent upstream for it (`ecs: add`), or nil.
    var subnet: RelaySubnet?

    init(request: [UInt8], peer: UnsafePointer<sockaddr>, peerLength: socklen_t, arrival: UInt64, wall: UInt64,
         ticket: AdmissionTicket) {
        self.request = request
        self.ticket = ticket
        self.arrival = arrival
        self.wall = wall
        self.peer = sockaddr_storage(copying: peer, length: peerLength)
        self.peerLength = peerLength
    }

    /// Nobody: the asker of a background refresh (prefetch, optimistic), whose `request` is
    /// the query of the hit that found the entry due.
    init(refreshing request: [UInt8], arrival: UInt64, wall: UInt64) {
        self.request = request
        ticket = AdmissionTicket(client: nil)
        self.arrival = arrival
        self.wall = wall
        peer = sockaddr_storage()
        peerLength = 0
    }
}

/// One question on its way through the relay: who asked (the first client leads, later ones
/// with the same question and flags follow), which upstreams were tried, and where it waits now.
final class RelayPending {
    let route: RelayRoute
    let query: PacketQuery
    /// The question name, lower-cased: the query events' name and the packet-cache key.
    let name: DNSName
    /// Where it is filed in the relay's in-flight table: the question's hash, mixed with the
    /// client subnet's under `ecs: add`.
    let key: UInt64
    /// Under 0x20 (`case_randomization`): the question name as it goes upstream, its letters
    /// in random case, which the answer must echo byte for byte. nil: the leader's spelling.
    let sentName: [UInt8]?
    /// The first client, whose question goes upstream; then those that asked it while it
    /// waited. (Apart: nearly every question has one client, and an array for it would be
    /// one more allocation per relayed query.)
    let leader: RelayClient
    /// The leader still waits for an answer: false for a background refresh (nobody asked),
    /// and once it got the stale answer.
    var leaderWaits: Bool
    var followers: [RelayClient] = []
    /// The expired entry to serve if the upstreams fail or are slower than the cache's
    /// `stale_timeout` (RFC 8767), and whether the clients have had it (then the upstream's
    /// answer only refreshes the cache, and later askers get the stale answer at once).
    var stale: PacketCacheEntry?
    var staleServed = false
    /// Started by a hit to renew an entry, not by a miss: a failure keeps the old entry.
    let isRefresh: Bool
    /// Bit i: upstream i was asked.
    var tried: UInt64 = 0
    var upstream = 0
    var socket: RelaySocket?
    var id: UInt16 = 0
    /// Bumped on every send and at the end, so a deadline entry of an earlier attempt is void.
    var attempt = 0
    var sentAt: UInt64 = 0
    /// The last SERVFAIL or REFUSED answer and who sent it: the answer when nobody does better.
    var badAnswer: ([UInt8], Int)?
    var lastError: UpstreamError?
    /// `PacketCache.generation` and the cache store's generation when the query arrived: an
    /// invalidation while it waited voids what it files.
    let generation: UInt64
    let storeGeneration: UInt64

    init(route: RelayRoute, query: PacketQuery, name: DNSName, sentName: [UInt8]?, client: RelayClient, generation: UInt64,
         storeGeneration: UInt64, stale: PacketCacheEntry?, isRefresh: Bool) {
        key = query.hash ^ (client.subnet?.keyBits ?? 0)
        self.route = route
        self.query = query
        self.name = name
        self.sentName = sentName
        leader = client
        leaderWaits = !isRefresh
        self.stale = stale
        self.isRefresh = isRefresh
        self.generation = generation
        self.storeGeneration = storeGeneration
    }

    /// The clients still waiting: the leader (unless it is a refresh's or was answered stale),
    /// then the followers.
    func forEachClient(_ body: (RelayClient) -> Void) {
        if leaderWaits { body(leader) }
        for follower in followers { body(follower) }
    }

    /// Whether `request` asks the leader's question (name in any case, type, class).
    func asks(_ request: UnsafeRawBufferPointer, nameEnd: Int) -> Bool {
        guard nameEnd == query.nameEnd else { return false }
        return leader.request.withUnsafeBytes { asked in
            for index in 12..<nameEnd where Self.lower(asked[index]) != Self.lower(request[index]) { return false }
            for index in nameEnd..<(nameEnd + 4) where asked[index] != request[index] { return false }
            return true
        }
    }

    /// Whether `bytes` is a response to a standard query with exactly the question sent: under
    /// 0x20 the name in the case sent, byte for byte (draft-vixie-dnsext-dns0x20).
    /// (The ID and the source address were checked by the caller.)
    func isAnswered(by bytes: UnsafeRawBufferPointer) -> Bool {
        let nameEnd = query.nameEnd
        guard bytes.count >= nameEnd + 4, bytes[2] & 0xF8 == 0x80, bytes[4] == 0, bytes[5] == 1 else { return false }
        guard let sentName else { return asks(bytes, nameEnd: nameEnd) }
        for index in sentName.indices where bytes[12 + index] != sentName[index] { return false }
        return leader.request.withUnsafeBytes { asked in
            for index in nameEnd..<(nameEnd + 4) where asked[index] != bytes[index] { return false }
            return true
        }
    }

    /// The upstream query (RD, the client's CD, the question as asked, or with `sentName`, and
    /// an OPT with our UDP size, the client's DO bit and under `ecs: add` its subnet: what
    /// ForwardPlugin.upstreamQuery builds) with `id`. Returns its length.
    func writeQuery(id: UInt16, ednsUDPSize: UInt16, into out: UnsafeMutableRawBufferPointer) -> Int {
        leader.request.withUnsafeBytes { request in
            let questionEnd = query.nameEnd + 4
            let header: [UInt8] = [UInt8(id >> 8), UInt8(truncatingIfNeeded: id), 0x01, request[3] & 0x10, 0, 1, 0, 0, 0, 0, 0, 1]
            for (index, byte) in header.enumerated() { out[index] = byte }
            for index in 12..<questionEnd { out[index] = request[index] }
            if let sentName { for (index, byte) in sentName.enumerated() { out[12 + index] = byte } }
            let subnet = leader.subnet?.option ?? []
            let opt: [UInt8] = [0, 0, 41, UInt8(ednsUDPSize >> 8), UInt8(truncatingIfNeeded: ednsUDPSize), 0, 0,
                                query.dnssecOK ? 0x80 : 0, 0, UInt8(subnet.count >> 8), UInt8(truncatingIfNeeded: subnet.count)] + subnet
            for (index, byte) in opt.enumerated() { out[questionEnd + index] = byte }
            return questionEnd + opt.count
        }
    }

    private static func lower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }
}

/// One of the relay's upstream sockets (connected to `upstream`'s address): the queries
/// waiting on it by ID.
final class RelaySocket {
    let fd: Int32
    /// Weak: the relay holds the socket sets.
    weak var upstream: RelayUpstreamSockets?
    var waiting: [UInt16: RelayPending] = [:]
    /// In its upstream's `idle` list, since `idleSince` (the relay's clock).
    var isIdle = false
    var idleSince: UInt64 = 0
    /// No new queries; closed once the last one is answered or timed out.
    var retired = false

    init(fd: Int32, upstream: RelayUpstreamSockets) {
        self.fd = fd
        self.upstream = upstream
    }
}

/// When a relayed query's upstream has had its time, or (`staleTimer`) when its clients
/// have waited the cache's `stale_timeout` and get the stale answer instead.
struct RelayDeadline {
    let at: UInt64
    let pending: RelayPending
    let attempt: Int
    var staleTimer = false

    /// Still due: the query's current attempt (not answered, failed over or finished since);
    /// for a stale timer, the query still open and its clients not yet answered stale.
    var isLive: Bool { staleTimer ? pending.socket != nil && !pending.staleServed : pending.attempt == attempt }
}

/// IDs and socket choices from the kernel's CSPRNG (RFC 5452 §4: unpredictable), drawn 512
/// bytes at a time: a `getrandom` per 256 queries instead of one per query.
struct RelayRandom {
    private var pool = [UInt8](repeating: 0, count: 512)
    private var used = 512

    mutating func id() -> UInt16 {
        if used + 2 > pool.count { refill() }
        defer { used += 2 }
        return UInt16(pool[used]) << 8 | UInt16(pool[used + 1])
    }

    mutating func index(below count: Int) -> Int { Int(id()) % count }

    /// `name` (wire form, uncompressed) with each letter's case drawn at random: DNS 0x20.
    /// (Length octets are at most 63, below every letter, so only label text changes.)
    mutating func mixedCase(_ name: UnsafeRawBufferPointer) -> [UInt8] {
        var mixed = Array(name)
        var bits: UInt16 = 0
        var left = 0
        for index in mixed.indices {
            let lower = mixed[index] | 0x20
            guard lower >= UInt8(ascii: "a"), lower <= UInt8(ascii: "z") else { continue }
            if left == 0 { bits = id(); left = 16 }
            mixed[index] = bits & 1 == 0 ? lower : lower & ~0x20
            bits >>= 1
            left -= 1
        }
        return mixed
    }

    private mutating func refill() {
        let filled = pool.withUnsafeMutableBytes { dnsd_random_fill($0.baseAddress, $0.count) } == 0
        if !filled {
            // getrandom cannot fail on Linux 3.17+ once seeded; fall back rather than repeat bytes.
            var generator = SystemRandomNumberGenerator()
            for index in pool.indices { pool[index] = generator.next() }
        }
        used = 0
    }
}

/// The SERVFAIL the relay sends when no upstream answered: what ForwardPlugin.failure says
/// (RA set, extended error 23 "Network Error" with the reason, for EDNS clients).
enum RelayFailure {
    static func write(request: UnsafeRawBufferPointer, query: PacketQuery, udpSize: UInt16, text: String,
                      into out: UnsafeMutableRawBufferPointer) -> Int {
        let questionEnd = query.nameEnd + 4
        let clientEDNS = query.meta & (1 << 16) != 0
        out[0] = request[0]
        out[1] = request[1]
        out[2] = 0x80 | request[2] & 0x01
        out[3] = 0x80 | request[3] & 0x10 | 2
        let counts: [UInt8] = [0, 1, 0, 0, 0, 0, 0, clientEDNS ? 1 : 0]
        for (index, byte) in counts.enumerated() { out[4 + index] = byte }
        for index in 12..<questionEnd { out[index] = request[index] }
        guard clientEDNS else { return questionEnd }
        let reason = Array(text.utf8.prefix(200))
        let optionLength = 2 + reason.count
        var bytes: [UInt8] = [0, 0, 41, UInt8(udpSize >> 8), UInt8(truncatingIfNeeded: udpSize), 0, 0,
                              query.dnssecOK ? 0x80 : 0, 0, 0, UInt8(4 + optionLength)]
        bytes += [0, UInt8(EDNSOption.extendedErrorCode), 0, UInt8(optionLength), 0, UInt8(ExtendedErrorCode.networkError)]
        bytes += reason
        for (index, byte) in bytes.enumerated() { out[questionEnd + index] = byte }
        return questionEnd + bytes.count
    }
}
