#if canImport(Glibc)
import Glibc
#endif
import CDatagramBatch
import DNSProto
import DequeModule
import Foundation
import NIOCore

/// A UDP query the relay gives back to the full path, with why.
public struct RelayHandOff: @unchecked Sendable {
    public let request: [UInt8]
    public let peer: sockaddr_storage
    public let peerLength: socklen_t
    /// The upstream that answered this question truncated over UDP: the full path asks it over
    /// TCP at once instead of over UDP again (RFC 7766 §5).
    public let truncatedBy: Upstream?
    /// Admission's ticket for the query: the full path does not admit it again.
    public let ticket: AdmissionTicket
}

/// The forward path of one UDP worker for relayable server blocks (`RelayRoute`): the question
/// goes from the client's datagram to the upstream with a fresh random ID, and the upstream's
/// datagram goes back to the client with the client's ID, flags, question case and OPT,
/// on the worker's own thread, without a `Message`, a plugin call, an event-loop hop or an
/// encoder. Queries leave in one `sendmmsg` per burst, answers arrive by `recvmmsg` and go out
/// in one `sendmmsg`. What dnsdist does for a packet cache and a backend pool, with the rest
/// of what dnsd's `forward` promises kept:
///
/// - failover by the pool's policy on timeout, SERVFAIL or REFUSED; when every upstream failed,
///   the last bad answer as it came, or SERVFAIL with extended error 23;
/// - the upstreams' health and statistics (queries, answers by rcode, RTT, timeouts, marking
///   down after `max_fails`, the health probes);
/// - RFC 5452: random IDs, random source ports (each burst's queries to an upstream leave from
///   a port no query used before, chosen by the kernel across the ephemeral range, from at
///   most `limits.upstream_sockets` sockets: `RelayUpstreamSockets`), answers accepted only
///   from the server asked, with the ID and question sent (under `case_randomization`, the
///   0x20 case pattern sent, byte for byte); anything else is dropped, counted as mismatched,
///   and the wait goes on; an upstream whose port is closed (ICMP port unreachable) is failed
///   over at once;
/// - concurrent queries for the same question and flags make one upstream query (coalescing,
///   within this worker);
/// - the answer is filed in the packet cache under the block's `cache` rules
///   (`RelayedAnswer.makeCacheable`), so the next query is a hit;
/// - one query event per answer, like every other answer.
///
/// A truncated upstream answer, one that does not fit the client's size, or one that does not
/// walk cleanly goes to the full path (`handOffs`), which owns TCP fallback and truncation.
///
/// Confined to its worker's thread: not thread-safe, and needs no lock.
public final class UDPRelay: @unchecked Sendable {
    /// Slots of the query batch per upstream and of the answer batch; each is flushed when full.
    static let burst = 64
    static let querySlotSize = 512
    static let answerSlotSize = 4096

    private let queries: QueryHandler
    private let loop: EventLoop
    private let clientSocket: Int32
    /// The worker's epoll set: the relay adds its upstream sockets to it.
    private let poller: Int32
    private let answerSlots: OpaquePointer
    private let replySlots: OpaquePointer
    /// Every open socket by descriptor, idle and retired ones included.
    private var sockets: [Int32: RelaySocket] = [:]
    /// When `closeIdleSockets` last looked (the relay's clock).
    private var idleSweep: UInt64 = 0
    /// The sockets to each upstream the routes have named (retired ones until drained).
    private var upstreams: [RelayUpstreamSockets] = []
    /// The pipeline generation the upstream sockets were made for: a reload retires them.
    private var socketsGeneration: UInt64 = 0
    private var answersQueued: Int32 = 0
    private var inFlight: [UInt64: RelayPending] = [:]
    private var deadlines: [(timeout: UInt64, entries: Deque<RelayDeadline>)] = []
    private var random = RelayRandom()
    /// The last clock reading, taken once per burst or batch of answers rather than per query.
    private var clockReading: UInt64 = 0
    /// This worker's rate tokens taken ahead (RRL) for relayed answers.
    private let leases = RateLeases()
    /// Queries for the full path, collected until the worker takes them.
    private var handOffs: [RelayHandOff] = []

    /// `DNSD_UDP_RELAY=off` in the environment keeps every query on the full path (to compare
    /// the two in benchmarks, or to rule the relay out when chasing a bug).
    public static let enabledByEnvironment: Bool = {
        guard let value = getenv("DNSD_UDP_RELAY") else { return true }
        return String(cString: value) != "off"
    }()

    /// nil when the relay is off (environment, or no packet cache: it keys on the same query form).
    public init?(queries: QueryHandler, loop: EventLoop, clientSocket: Int32, poller: Int32) {
        guard Self.enabledByEnvironment, queries.usesPacketCache,
              let answers = dnsd_batch_create(Int32(Self.burst), Int32(Self.answerSlotSize)),
              let replies = dnsd_batch_create(Int32(Self.burst), Int32(Self.answerSlotSize)) else { return nil }
        self.queries = queries
        self.loop = loop
        self.clientSocket = clientSocket
        self.poller = poller
        answerSlots = answers
        replySlots = replies
    }

    deinit {
        for fd in sockets.keys { Glibc.close(fd) }
        dnsd_batch_destroy(answerSlots)
        dnsd_batch_destroy(replySlots)
    }

    /// Queries waiting for an upstream.
    public var waiting: Int { inFlight.count }

    /// What one burst of client datagrams shares: the routes in force, the packet cache's
    /// generation read before them, and one clock reading for all arrivals.
    private var burst = Burst(routes: nil, admission: nil, limits: InFlightLimits(), generation: 0, arrival: 0, wall: 0)
    /// The admission of the pipeline the last burst was read under: answers it sends pass
    /// through its `finish` (RRL, cookies).
    private var admission: Admission?

    private struct Burst {
        var routes: RelayRoutes?
        var admission: Admission?
        /// `relay_waiting` and `relay_followers` (InFlightLimits.swift).
        var limits: InFlightLimits
        var generation: UInt64
        var arrival: UInt64
        var wall: UInt64
    }

    /// Call before the `take`s of a burst, with the clock readings of its arrival (shared
    /// with the burst's packet-cache hits: `HitBurst`) and the pipeline its hits were admitted
    /// under.
    /// `generation`: the packet cache's, read before `current` (a reload in between voids what
    /// this burst files).
    public func beginBurst(arrival: UInt64, wall: UInt64, pipeline current: Pipeline, generation: UInt64) {
        if generation != socketsGeneration {
            socketsGeneration = generation
            retireUpstreams()
        }
        clockReading = arrival
        closeIdleSockets(now: arrival)
        burst = Burst(routes: current.relayRoutes, admission: current.admission, limits: current.admission.inFlight, generation: generation,
                      arrival: arrival, wall: wall)
        admission = current.admission
    }

    /// Takes the client's query (`query`: `request` as the packet-cache lookup read it,
    /// `ticket`: what admission said of it, `stale`: the expired entry the lookup found) when
    /// its block is relayable and no plugin of the block claims the name; false leaves it to
    /// the full path. A client with all its waiting slots taken is answered (or dropped) as
    /// `limits.action` says, here; so is a query past `limits.relay_waiting` (questions in
    /// flight on this worker) or `limits.relay_followers` (clients waiting for one question):
    /// one integer compare each, and nothing is queued past them.
    public func take(_ request: UnsafeRawBufferPointer, query: PacketQuery, peer: UnsafePointer<sockaddr>, peerLength: socklen_t,
                     ticket: AdmissionTicket, stale: PacketCacheEntry? = nil) -> Bool {
        guard let routes = burst.routes, let admission = burst.admission,
              let route = routes.route(for: request, nameEnd: query.nameEnd) else { return false }
        var name: DNSName?
        if route.hasClaims {
            name = DNSName(lowercasingWire: UnsafeRawBufferPointer(rebasing: request[12..<query.nameEnd]))
            guard let name, !route.isClaimed(name) else { return false }
        }
        var ticket = ticket
        guard admission.enterWaiting(&ticket) else {
            reject(admission.waitingRejection, request, query: query, peer: peer, peerLength: peerLength, ticket: ticket, admission: admission)
            return true
        }
        var subnet: RelaySubnet?
        if let prefixes = route.subnetPrefixes {
            subnet = RelaySubnet(peer: peer, ipv4Prefix: prefixes.ipv4, ipv6Prefix: prefixes.ipv6)
        }
        var leader: RelayPending?
        if let pending = inFlight[query.hash ^ (subnet?.keyBits ?? 0)], pending.query.meta == query.meta, pending.route === route,
           pending.leader.subnet == subnet, pending.asks(request, nameEnd: query.nameEnd) {
            leader = pending
        }
        let over: InFlightLimits.Limit?
        if let leader {
            over = leader.followers.count >= burst.limits.relayFollowers ? .relayFollowers : nil
        } else {
            over = inFlight.count >= burst.limits.relayWaiting ? .relayWaiting : nil
        }
        if let over {
            admission.leaveWaiting(&ticket)
            if let stale, answerStale(stale, route: route, request, query: query, peer: peer, peerLength: peerLength, ticket: ticket,
                                      admission: admission) {
                return true
            }
            reject(admission.rejectOverLimit(over), request, query: query, peer: peer, peerLength: peerLength, ticket: ticket,
                   admission: admission)
            return true
        }
        var client = RelayClient(request: Array(request), peer: peer, peerLength: peerLength, arrival: burst.arrival, wall: burst.wall,
                                 ticket: ticket)
        client.subnet = subnet
        if let leader {
            if leader.stale == nil, let stale {
                leader.stale = stale
                armStaleTimer(leader)
            }
            leader.followers.append(client)
            // Its clients already had the stale answer: this one gets it at once too.
            if leader.staleServed { serveStale(leader) }
            return true
        }
        guard let first = route.next(tried: 0),  // all down: the full path says so (EDE 22)
              let name = name ?? DNSName(lowercasingWire: UnsafeRawBufferPointer(rebasing: request[12..<query.nameEnd])) else {
            admission.leaveWaiting(&ticket)
            return false
        }
        let sentName = route.caseRandomization ? random.mixedCase(UnsafeRawBufferPointer(rebasing: request[12..<query.nameEnd])) : nil
        let pending = RelayPending(route: route, query: query, name: name, sentName: sentName, client: client, generation: burst.generation,
                                   storeGeneration: route.cache?.store.generation ?? 0, stale: stale, isRefresh: false)
        // A question with other flags (or a colliding hash) may hold the slot: it still gets its
        // answer through its socket, it just takes no more followers.
        inFlight[pending.key] = pending
        send(pending, to: first)
        armStaleTimer(pending)
        return true
    }

    /// Asks the upstream again for a packet-cache entry a hit found due (prefetch, or an
    /// optimistic stale answer), with nobody waiting; the answer replaces the entry, a failure
    /// leaves it. Nothing is sent when the question is already on its way, or past
    /// `limits.relay_waiting`.
    public func refresh(_ refresh: PacketRefresh) {
        let query = refresh.query
        let found = refresh.request.withUnsafeBytes { request -> (RelayRoute, DNSName)? in
            guard let routes = burst.routes, let route = routes.route(for: request, nameEnd: query.nameEnd), route.cache != nil,
                  let name = DNSName(lowercasingWire: UnsafeRawBufferPointer(rebasing: request[12..<query.nameEnd])) else { return nil }
            return (route, name)
        }
        guard let (route, name) = found, inFlight.count < burst.limits.relayWaiting, let first = route.next(tried: 0) else {
            // Not sent: a later hit may try again.
            refresh.entry.releaseRefresh()
            return
        }
        var asker = RelayClient(refreshing: refresh.request, arrival: burst.arrival, wall: burst.wall)
        if route.subnetPrefixes != nil { asker.subnet = .anyone }
        let sentName = route.caseRandomization
            ? refresh.request.withUnsafeBytes { random.mixedCase(UnsafeRawBufferPointer(rebasing: $0[12..<query.nameEnd])) } : nil
        let pending = RelayPending(route: route, query: query, name: name, sentName: sentName, client: asker, generation: burst.generation,
                                   storeGeneration: route.cache?.store.generation ?? 0, stale: nil, isRefresh: true)
        guard inFlight[pending.key] == nil else { return }
        inFlight[pending.key] = pending
        send(pending, to: first)
    }

    /// With a stale answer at hand, the clients wait for the upstream no longer than the
    /// cache's `stale_timeout` (RFC 8767 §5, the client response timer).
    private func armStaleTimer(_ pending: RelayPending) {
        guard pending.stale != nil, !pending.staleServed, let timeout = pending.route.cache?.settings.staleTimeout,
              timeout > .zero else { return }
        var timer = RelayDeadline(at: burst.arrival + UInt64(timeout.nanoseconds), pending: pending, attempt: 0)
        timer.staleTimer = true
        addDeadline(timer, timeout: UInt64(timeout.nanoseconds))
    }

    // MARK: - Upstream queries

    /// Queues `pending`'s question for upstream `index` in this burst's batch.
    private func send(_ pending: RelayPending, to index: Int) {
        let server = pending.route.servers[index]
        guard let upstream = upstreamSockets(for: server), let socket = burstSocket(of: upstream) else {
            return failed(pending, upstream: index, error: .connection("no upstream socket: errno \(errno)"))
        }
        var id = random.id()
        while socket.waiting[id] != nil { id = random.id() }
        pending.tried |= 1 << UInt64(index)
        pending.upstream = index
        pending.socket = socket
        pending.id = id
        pending.attempt += 1
        pending.sentAt = clockReading
        socket.waiting[id] = pending
        server.upstream.recordQuery()
        addDeadline(pending, timeout: pending.route.timeoutNanoseconds, now: pending.sentAt)

        if upstream.queued == Int32(Self.burst) { flushQueries(upstream) }
        let slot = upstream.queued
        let length = pending.writeQuery(id: id, ednsUDPSize: pending.route.ednsUDPSize,
                                        into: UnsafeMutableRawBufferPointer(start: dnsd_batch_buffer(upstream.batch, slot), count: Self.querySlotSize))
        dnsd_batch_set_length(upstream.batch, slot, Int32(length))
        dnsd_batch_clear_address(upstream.batch, slot)
        upstream.queued += 1
        if let tap = TapPoint.current {
            let sent = UnsafeRawBufferPointer(start: dnsd_batch_buffer(upstream.batch, slot), count: length)
            tap.record(TapMessage(kind: .forwarderQuery, transport: .udp, peer: server.upstream.tapAddress, query: Array(sent),
                                  queryTime: QueryHandler.wallNow()))
        }
    }

    /// The socket set for `server`'s address, made on its first query.
    private func upstreamSockets(for server: RelayRoute.Server) -> RelayUpstreamSockets? {
        if let known = upstreams.first(where: { !$0.retired && $0.serves(server) }) { return known }
        guard let made = RelayUpstreamSockets(server: server, burst: Self.burst, slotSize: Self.querySlotSize) else { return nil }
        upstreams.append(made)
        return made
    }

    /// The socket this burst's queries to `upstream` leave from, on a port no query used
    /// before: an idle socket moved to a new port, else a new one while fewer than
    /// `limits.upstream_sockets` are open. At the cap an idle socket of another upstream is
    /// closed to make room, and failing that the burst shares the port of a socket of this
    /// upstream that still has queries out (it then carries queries of several bursts).
    private func burstSocket(of upstream: RelayUpstreamSockets) -> RelaySocket? {
        if let socket = upstream.burstSocket { return socket }
        let socket = reuseIdleSocket(of: upstream) ?? openSocket(to: upstream) ?? busySocket(of: upstream)
        upstream.burstSocket = socket
        return socket
    }

    private func reuseIdleSocket(of upstream: RelayUpstreamSockets) -> RelaySocket? {
        while let socket = upstream.idle.popLast() {
            socket.isIdle = false
            if upstream.movePort(of: socket) { return socket }
            close(socket)
        }
        return nil
    }

    private func openSocket(to upstream: RelayUpstreamSockets) -> RelaySocket? {
        if sockets.count >= burst.limits.upstreamSockets {
            guard let other = upstreams.first(where: { !$0.idle.isEmpty }), let oldest = other.idle.popFirst() else { return nil }
            close(oldest)
        }
        guard let fd = upstream.connectSocket() else { return nil }
        guard dnsd_poller_add(poller, fd) == 0 else {
            Glibc.close(fd)
            return nil
        }
        let socket = RelaySocket(fd: fd, upstream: upstream)
        sockets[fd] = socket
        upstream.open += 1
        return socket
    }

    /// A random socket of `upstream` with queries out, for when no other can be had.
    private func busySocket(of upstream: RelayUpstreamSockets) -> RelaySocket? {
        let candidates = sockets.values.filter { $0.upstream === upstream && !$0.retired && !$0.isIdle }
        return candidates.isEmpty ? nil : candidates[random.index(below: candidates.count)]
    }

    private func flushQueries(_ upstream: RelayUpstreamSockets) {
        guard upstream.queued > 0, let socket = upstream.burstSocket else { return }
        _ = dnsd_batch_send(socket.fd, upstream.batch, upstream.queued)
        upstream.queued = 0
    }

    /// After a reload: the sockets made for the old routes take no new queries and close
    /// once their last one is over; the new routes' queries get fresh ones.
    private func retireUpstreams() {
        for upstream in upstreams where !upstream.retired {
            flushQueries(upstream)
            upstream.retired = true
            upstream.burstSocket = nil
            while let socket = upstream.idle.popFirst() { close(socket) }
        }
        for socket in sockets.values where socket.upstream?.retired ?? true {
            socket.retired = true
            settle(socket)
        }
        upstreams.removeAll { $0.retired && $0.open == 0 }
    }

    /// Sends what this round queued: queries upstream, answers to clients. The next burst
    /// takes new sockets, on new ports.
    public func flush() {
        for upstream in upstreams {
            guard let socket = upstream.burstSocket else { continue }
            flushQueries(upstream)
            upstream.burstSocket = nil
            settle(socket)
        }
        flushAnswers()
    }

    /// Closes the sockets idle for a second or more (looking at most once a second), so the
    /// open ones follow the last second's need. Called with every burst, and by the worker
    /// when its socket has been quiet.
    public func closeIdleSockets(now: UInt64) {
        guard now &- idleSweep >= 1_000_000_000 else { return }
        idleSweep = now
        for upstream in upstreams {
            while let oldest = upstream.idle.first, now &- oldest.idleSince >= 1_000_000_000 {
                upstream.idle.removeFirst()
                close(oldest)
            }
        }
    }

    // MARK: - Upstream answers

    /// Reads what arrived on the upstream socket `fd` and answers the clients it is for.
    /// Returns false when `fd` is none of the relay's.
    @discardableResult
    public func readable(_ fd: Int32) -> Bool {
        guard let socket = sockets[fd] else { return false }
        clockReading = DispatchTime.now().uptimeNanoseconds
        defer { settle(socket) }
        let count = Int(dnsd_batch_receive(socket.fd, replySlots))
        if count < 0 && errno == ECONNREFUSED {
            refused(socket)
            return true
        }
        guard count > 0 else { return true }
        for slot in 0..<Int32(count) {
            let length = Int(dnsd_batch_length(replySlots, slot))
            guard length >= 12 else { continue }
            let bytes = UnsafeRawBufferPointer(start: dnsd_batch_buffer(replySlots, slot), count: length)
            let id = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
            guard let pending = socket.waiting[id] else { continue }
            let server = pending.route.servers[pending.upstream]
            let genuine = server.address.withSockaddrPointer {
                dnsd_sockaddr_equal($0, server.length, dnsd_batch_address(replySlots, slot), dnsd_batch_address_length(replySlots, slot)) != 0
            }
            // RFC 5452 §9.1: a stray or forged datagram neither answers nor ends the wait.
            guard genuine else { continue }
            guard pending.isAnswered(by: bytes) else {
                server.upstream.recordMismatch()
                continue
            }
            socket.waiting.removeValue(forKey: id)
            answered(pending, bytes)
        }
        return true
    }

    /// The upstream's port is closed (the kernel got an ICMP port unreachable for one of this
    /// socket's queries): every query waiting on the socket goes to the next upstream now.
    private func refused(_ socket: RelaySocket) {
        let waiting = Array(socket.waiting.values)
        socket.waiting.removeAll()
        for pending in waiting {
            failed(pending, upstream: pending.upstream, error: .connection("port unreachable"))
        }
    }

    private func answered(_ pending: RelayPending, _ bytes: UnsafeRawBufferPointer) {
        let upstream = pending.route.servers[pending.upstream].upstream
        if let tap = TapPoint.current {
            tap.record(TapMessage(kind: .forwarderResponse, transport: .udp, peer: upstream.tapAddress, response: Array(bytes),
                                  queryTime: 0, responseTime: QueryHandler.wallNow()))
        }
        let rcode = bytes[3] & 0x0F
        let milliseconds = Double(clockReading &- pending.sentAt) / 1_000_000
        upstream.recordSuccess(rcode: Rcode(rawValue: UInt16(rcode)), milliseconds: milliseconds)
        if bytes[2] & 0x02 != 0 {
            return handOff(pending, truncatedBy: upstream)
        }
        if rcode == 2 || rcode == 5 {
            // SERVFAIL and REFUSED mean "ask someone else" (UpstreamPool.isGood).
            pending.badAnswer = (Array(bytes), pending.upstream)
            return tryNext(pending, error: nil)
        }
        deliver(pending, bytes, from: pending.upstream)
    }

    /// Answers every client of `pending` from the upstream's `bytes`, and files the answer.
    private func deliver(_ pending: RelayPending, _ bytes: UnsafeRawBufferPointer, from upstream: Int) {
        guard let layout = RelayedAnswer(bytes, nameEnd: pending.query.nameEnd) else { return handOff(pending, truncatedBy: nil) }
        let query = pending.query
        let leader = pending.leader
        let out = slot(for: leader)
        let length = leader.request.withUnsafeBytes { request -> Int? in
            layout.writeAnswer(from: bytes, request: request, query: query, udpSize: queries.maxUDPPayload, limit: query.limit, into: out)
        }
        guard let length else { return handOff(pending, truncatedBy: nil) }
        let answer = UnsafeMutableRawBufferPointer(rebasing: out[0..<length])
        if let sent = pending.sentName {
            leader.request.withUnsafeBytes { layout.restoreCase(answer, from: bytes, sent: sent, request: $0) }
        }
        // With a cache in the block the client gets what the cache would serve (the full path
        // renders its fresh entry): TTLs within min_ttl/max_ttl, AA clear, AD only when asked.
        var keptFor: UInt32?
        // An answer scoped to the client's subnet (RFC 7871 §7.3.1) is for that subnet only:
        // the packet cache, keyed by question, keeps only answers good for everyone.
        if let cache = pending.route.cache {
            if (layout.subnetScope ?? 0) == 0 {
                keptFor = leader.request.withUnsafeBytes { layout.makeCacheable(answer, query: query, request: $0, settings: cache.settings) }
            }
            if keptFor == nil { answer[2] &= ~0x04 }
        }
        let written = Array(UnsafeRawBufferPointer(answer))
        let rcode = layout.rcode(bytes, clientEDNS: query.meta & (1 << 16) != 0)
        let source = pending.route.servers[upstream].source
        let optStart = query.meta & (1 << 16) != 0 ? layout.bodyEnd : nil
        // CNAME cloaking (Admission+CNAMECloaking.swift): decided per client; such an answer
        // stays out of the packet cache.
        let targets = admission?.cnameTargets(bytes, questionEnd: query.nameEnd + 4) ?? []
        let cloaked = admission?.anyListHolds(targets) ?? false
        if cloaked { keptFor = nil }
        if pending.leaderWaits {
            if !cloaked || !sendBlocked(targets, to: leader, of: pending) {
                send(length, optStart: optStart, to: leader, of: pending, rcode: rcode, source: source)
            }
        }
        for follower in pending.followers {
            if cloaked && sendBlocked(targets, to: follower, of: pending) { continue }
            let copy = slot(for: follower)
            written.withUnsafeBytes { copy.copyMemory(from: $0) }
            follower.request.withUnsafeBytes { request in
                copy[0] = request[0]
                copy[1] = request[1]
                for index in 12..<query.nameEnd { copy[index] = request[index] }
            }
            send(length, optStart: optStart, to: follower, of: pending, rcode: rcode, source: source)
        }
        finish(pending)
        if cloaked { return }
        if let keptFor {
            file(pending, (written, keptFor), layout: layout)
        } else if rcode == 2 {
            fileFailure(pending, written, ttlOffsets: layout.ttlOffsets, optStart: optStart)
        }
    }

    private func file(_ pending: RelayPending, _ cached: (wire: [UInt8], ttl: UInt32), layout: RelayedAnswer) {
        guard let cache = pending.route.cache else { return }
        let query = pending.query
        let packetCache = queries.pipeline.packetCache
        let now = packetCache.clock()
        let entry = PacketCacheEntry(
            name: pending.name, type: RecordType(rawValue: query.type), recordClass: query.recordClass, meta: query.meta,
            wire: cached.wire, ttlOffsets: layout.ttlOffsets, optStart: query.meta & (1 << 16) != 0 ? layout.bodyEnd : nil, storedAt: now, expiresAt: now + UInt64(cached.ttl) * 1_000_000_000,
            store: cache.store, storeGeneration: pending.storeGeneration, generation: pending.generation,
            rcode: Rcode(rawValue: UInt16(cached.wire[3] & 0x0F)), expiry: PacketCacheExpiry(settings: cache.settings))
        packetCache.insert(entry, hash: query.hash)
    }

    /// Keeps a SERVFAIL for the cache's `servfail_ttl` (RFC 2308 §7), as the full path's cache
    /// does; never one that would push out an answer still servable stale, nor a refresh's.
    private func fileFailure(_ pending: RelayPending, _ wire: [UInt8], ttlOffsets: TTLOffsets, optStart: Int?) {
        guard let cache = pending.route.cache, cache.settings.servfailTTL > 0, pending.stale == nil, !pending.isRefresh else { return }
        let query = pending.query
        let packetCache = queries.pipeline.packetCache
        let now = packetCache.clock()
        let entry = PacketCacheEntry(
            name: pending.name, type: RecordType(rawValue: query.type), recordClass: query.recordClass, meta: query.meta, wire: wire,
            ttlOffsets: ttlOffsets, optStart: optStart, storedAt: now, expiresAt: now + UInt64(cache.settings.servfailTTL) * 1_000_000_000,
            store: cache.store, storeGeneration: pending.storeGeneration, generation: pending.generation, rcode: .servFail)
        packetCache.insert(entry, hash: query.hash)
    }

    // MARK: - Failover and time-outs

    /// Fails queries whose upstream did not answer in time over to the next upstream.
    public func expire() {
        guard !deadlines.isEmpty else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        clockReading = now
        for queue in deadlines.indices {
            while let front = deadlines[queue].entries.first, front.at <= now || !front.isLive {
                deadlines[queue].entries.removeFirst()
                if front.staleTimer {
                    if front.isLive { serveStale(front.pending) }
                    continue
                }
                guard front.isLive, let socket = front.pending.socket else { continue }
                socket.waiting.removeValue(forKey: front.pending.id)
                failed(front.pending, upstream: front.pending.upstream, error: .timeout)
                settle(socket)
            }
        }
    }

    /// Milliseconds until the earliest deadline, at most `limit` (for poll).
    public func pollTimeout(limit: Int32) -> Int32 {
        let now = DispatchTime.now().uptimeNanoseconds
        var earliest: UInt64?
        for index in deadlines.indices {
            while let front = deadlines[index].entries.first, !front.isLive { deadlines[index].entries.removeFirst() }
            if let at = deadlines[index].entries.first?.at { earliest = min(earliest ?? at, at) }
        }
        guard let earliest else { return limit }
        guard earliest > now else { return 0 }
        return Int32(min(UInt64(limit), (earliest - now + 999_999) / 1_000_000))
    }

    private func addDeadline(_ pending: RelayPending, timeout: UInt64, now: UInt64) {
        addDeadline(RelayDeadline(at: now + timeout, pending: pending, attempt: pending.attempt), timeout: timeout)
    }

    /// Deadlines are queued by their timeout, so each queue is in time order.
    private func addDeadline(_ entry: RelayDeadline, timeout: UInt64) {
        if let index = deadlines.firstIndex(where: { $0.timeout == timeout }) {
            deadlines[index].entries.append(entry)
        } else {
            deadlines.append((timeout, [entry]))
        }
    }

    private func failed(_ pending: RelayPending, upstream index: Int, error: UpstreamError) {
        let upstream = pending.route.servers[index].upstream
        if upstream.recordFailure(error) { upstream.startProbing(on: loop) }
        pending.tried |= 1 << UInt64(index)
        tryNext(pending, error: error)
    }

    /// The next upstream by policy, or the end: the stale answer when there is one and no
    /// upstream did better than SERVFAIL, else the last bad answer, else SERVFAIL. A refresh
    /// that fails ends quietly: the entry it meant to renew stays.
    private func tryNext(_ pending: RelayPending, error: UpstreamError?) {
        if let error { pending.lastError = error }
        if let next = pending.route.next(tried: pending.tried) { return send(pending, to: next) }
        let refused = pending.badAnswer.map { $0.0[3] & 0x0F == 5 } ?? false
        if pending.stale != nil, !refused {
            serveStale(pending)
            return finish(pending)
        }
        if pending.isRefresh && pending.followers.isEmpty { return finish(pending) }
        if let (bytes, upstream) = pending.badAnswer {
            return bytes.withUnsafeBytes { deliver(pending, $0, from: upstream) }
        }
        let text = "no upstream answered (\(pending.lastError?.description ?? "unknown"))"
        let optStart = pending.query.meta & (1 << 16) != 0 ? pending.query.nameEnd + 4 : nil
        var failure: [UInt8]?
        pending.forEachClient { client in
            let out = slot(for: client)
            let length = client.request.withUnsafeBytes { request in
                RelayFailure.write(request: request, query: pending.query, udpSize: queries.maxUDPPayload, text: text, into: out)
            }
            if failure == nil { failure = Array(UnsafeRawBufferPointer(rebasing: out[0..<length])) }
            send(length, optStart: optStart, to: client, of: pending, rcode: 2, source: .server)
        }
        finish(pending)
        if let failure { fileFailure(pending, failure, ttlOffsets: TTLOffsets(), optStart: optStart) }
    }

    /// Answers the waiting clients with the stale entry (TTL `stale_ttl`, extended error 3);
    /// the query goes on, and its answer, if any, renews the cache.
    private func serveStale(_ pending: RelayPending) {
        guard let stale = pending.stale, let cache = pending.route.cache else { return }
        pending.forEachClient { client in
            let out = slot(for: client)
            // The entry fit this query's size when it was found (the followers share its flags).
            guard let length = client.request.withUnsafeBytes({ request in
                PacketCache.writeStale(stale, query: pending.query, bytes: request, staleTTL: cache.settings.staleTTL, into: out)
            }) else {
                var ticket = client.ticket
                admission?.leaveWaiting(&ticket)
                return
            }
            cache.store.count(\.staleServed, for: stale.statisticsKey)
            send(length, optStart: stale.optStart, to: client, of: pending, rcode: stale.rcode.rawValue, source: .cache)
        }
        pending.leaderWaits = false
        pending.followers.removeAll()
        pending.staleServed = true
    }

    private func handOff(_ pending: RelayPending, truncatedBy upstream: Upstream?) {
        pending.forEachClient { client in
            // The full path takes the waiting slot again, for as long as it waits.
            var ticket = client.ticket
            admission?.leaveWaiting(&ticket)
            handOffs.append(RelayHandOff(request: client.request, peer: client.peer, peerLength: client.peerLength, truncatedBy: upstream,
                                         ticket: ticket))
        }
        finish(pending)
    }

    /// The hand-offs collected so far, leaving none.
    public func takeHandOffs() -> [RelayHandOff] {
        defer { handOffs.removeAll(keepingCapacity: true) }
        return handOffs
    }

    private func finish(_ pending: RelayPending) {
        pending.attempt += 1  // voids its deadline entry
        pending.socket = nil
        if inFlight[pending.key] === pending { inFlight.removeValue(forKey: pending.key) }
    }

    /// A socket whose last query is over: idle until a burst takes it (or closed, when retired).
    private func settle(_ socket: RelaySocket) {
        guard socket.waiting.isEmpty, !socket.isIdle, let upstream = socket.upstream, upstream.burstSocket !== socket else { return }
        guard !socket.retired else { return close(socket) }
        socket.isIdle = true
        socket.idleSince = clockReading
        upstream.idle.append(socket)
    }

    private func close(_ socket: RelaySocket) {
        guard sockets.removeValue(forKey: socket.fd) != nil else { return }
        Glibc.close(socket.fd)
        if let upstream = socket.upstream {
            upstream.open -= 1
            if upstream.retired && upstream.open == 0 { upstreams.removeAll { $0 === upstream } }
        }
    }

    // MARK: - Answers to clients

    /// The next answer slot, addressed to `client` (flushing first when the batch is full).
    private func slot(for client: RelayClient) -> UnsafeMutableRawBufferPointer {
        if answersQueued == Int32(Self.burst) { flushAnswers() }
        client.peer.withSockaddrPointer { dnsd_batch_set_address(answerSlots, answersQueued, $0, client.peerLength) }
        return currentSlot()
    }

    private func currentSlot() -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: dnsd_batch_buffer(answerSlots, answersQueued), count: Self.answerSlotSize)
    }

    /// Sends the answer of `length` bytes written into `client`'s slot, once admission's
    /// `finish` has had it (RRL, the client's cookie), and frees the client's waiting slot.
    private func send(_ length: Int, optStart: Int?, to client: RelayClient, of pending: RelayPending, rcode: UInt16,
                      source: AnswerSource) {
        var ticket = client.ticket
        guard let admission else {
            tap(client, answer: length)
            commitAnswer(length)
            return report(pending, client: client, rcode: rcode, source: source, bytes: length)
        }
        admission.leaveWaiting(&ticket)
        // The cookie's timestamp: when the query arrived (read once per burst), not a clock read per answer.
        let wallSeconds = UInt32(truncatingIfNeeded: client.wall / 1_000_000_000)
        switch admission.finish(currentSlot(), length: length, optStart: optStart, questionEnd: pending.query.nameEnd + 4,
                                limit: pending.query.limit, ticket: ticket, transport: .udp, now: clockReading, wallSeconds: wallSeconds,
                                leases: leases) {
        case .send(let count):
            tap(client, answer: count)
            commitAnswer(count)
            report(pending, client: client, rcode: rcode, source: source, bytes: count)
        case .slip(let count):
            tap(client, answer: count)
            commitAnswer(count)
            report(pending, client: client, rcode: rcode, source: .admission("rrl:slip"), bytes: count)
        case .drop:
            report(pending, client: client, rcode: rcode, source: .admission("rrl:drop"), bytes: 0)
        }
    }

    /// Sends `client` the blocked answer when a list that applies to it holds one of the
    /// answer's CNAME `targets`; false when none does (the answer goes as it came).
    private func sendBlocked(_ targets: [[UInt8]], to client: RelayClient, of pending: RelayPending) -> Bool {
        guard let admission, let rejection = admission.blockingChain(targets, client: client.ticket.client),
              case .blocked(let why, let answer, let ttl) = rejection else { return false }
        let out = slot(for: client)
        let written = client.request.withUnsafeBytes { request in
            admission.writeBlocked(why, answer: answer, ttl: ttl, request: request, query: pending.query, udpSize: queries.maxUDPPayload, into: out)
        }
        guard let (length, optStart) = written else { return false }
        send(length, optStart: optStart, to: client, of: pending, rcode: UInt16(out[3] & 0x0F), source: rejection.source)
        return true
    }

    /// Answers (or drops) a query turned away before it waits: its client has all its waiting
    /// slots taken, or the relay is at one of its in-flight caps.
    private func reject(_ rejection: Admission.Rejection, _ request: UnsafeRawBufferPointer, query: PacketQuery, peer: UnsafePointer<sockaddr>,
                        peerLength: socklen_t, ticket: AdmissionTicket, admission: Admission) {
        let rcode: Rcode = rejection.isServfail ? .servFail : .refused
        answerNow(request, query: query, peer: peer, peerLength: peerLength, ticket: ticket, admission: admission, rcode: rcode,
                  source: rejection.source) { out in
            admission.writeRejection(rejection, request: request, query: query, udpSize: queries.maxUDPPayload, into: out)
        }
    }

    /// Answers a query past `relay_waiting` or `relay_followers` with the expired answer at
    /// hand, as the full path's cache does past `max_followers`, rather than SERVFAIL.
    /// False when the route has no cache to say how (then it is rejected).
    private func answerStale(_ stale: PacketCacheEntry, route: RelayRoute, _ request: UnsafeRawBufferPointer, query: PacketQuery,
                             peer: UnsafePointer<sockaddr>, peerLength: socklen_t, ticket: AdmissionTicket, admission: Admission) -> Bool {
        guard let cache = route.cache else { return false }
        cache.store.count(\.staleServed, for: stale.statisticsKey)
        answerNow(request, query: query, peer: peer, peerLength: peerLength, ticket: ticket, admission: admission, rcode: stale.rcode,
                  source: .cache) { out in
            PacketCache.writeStale(stale, query: query, bytes: request, staleTTL: cache.settings.staleTTL, into: out)
                .map { ($0, stale.optStart) }
        }
        return true
    }

    /// Answers a query that does not wait: `write` puts the answer (length, OPT start) into
    /// the next slot, or nothing for a drop; admission's `finish` has it, and it is reported.
    private func answerNow(_ request: UnsafeRawBufferPointer, query: PacketQuery, peer: UnsafePointer<sockaddr>, peerLength: socklen_t,
                           ticket: AdmissionTicket, admission: Admission, rcode: Rcode, source: AnswerSource,
                           write: (UnsafeMutableRawBufferPointer) -> (Int, Int?)?) {
        if answersQueued == Int32(Self.burst) { flushAnswers() }
        let out = currentSlot()
        var sent = 0
        if let (length, optStart) = write(out) {
            let wallSeconds = UInt32(truncatingIfNeeded: burst.wall / 1_000_000_000)
            switch admission.finish(out, length: length, optStart: optStart, questionEnd: query.nameEnd + 4, limit: query.limit,
                                    ticket: ticket, transport: .udp, now: clockReading, wallSeconds: wallSeconds) {
            case .send(let count), .slip(let count):
                dnsd_batch_set_address(answerSlots, answersQueued, peer, peerLength)
                if let tap = TapPoint.current {
                    tap.record(TapMessage(kind: .client, transport: .udp, peer: ticket.client, query: Array(request),
                                          response: Array(UnsafeRawBufferPointer(rebasing: out[0..<count])), queryTime: burst.wall,
                                          responseTime: burst.wall))
                }
                commitAnswer(count)
                sent = count
            case .drop:
                break
            }
        }
        guard !queries.observers.isEmpty,
              let name = DNSName(lowercasingWire: UnsafeRawBufferPointer(rebasing: request[12..<query.nameEnd])) else { return }
        let event = QueryEvent(
            timeNanos: burst.wall, client: ticket.client, transport: .udp, name: name, type: RecordType(rawValue: query.type),
            rcode: sent == 0 ? .noError : rcode, latencyNanos: 0, source: source, truncated: false,
            dnssecOK: query.dnssecOK, responseBytes: sent)
        for observer in queries.observers {
            observer.queryStarted()
            observer.record(event)
        }
    }

    /// dnstap's CLIENT_QUERY/CLIENT_RESPONSE for the answer of `length` bytes in the current
    /// slot, when dnstap is on: a copy of the answer, the request as kept.
    private func tap(_ client: RelayClient, answer length: Int) {
        guard let tap = TapPoint.current else { return }
        let address = client.peer.withSockaddrPointer { ClientAddress($0) }
        tap.record(TapMessage(kind: .client, transport: .udp, peer: address, query: client.request,
                              response: Array(UnsafeRawBufferPointer(rebasing: currentSlot()[0..<length])), queryTime: client.wall,
                              responseTime: QueryHandler.wallNow()))
    }

    /// The answer written into the current slot is `length` bytes: queue it.
    private func commitAnswer(_ length: Int) {
        dnsd_batch_set_length(answerSlots, answersQueued, Int32(length))
        answersQueued += 1
    }

    private func flushAnswers() {
        guard answersQueued > 0 else { return }
        _ = dnsd_batch_send(clientSocket, answerSlots, answersQueued)
        answersQueued = 0
    }

    // MARK: - Query events

    /// One event per answer, as the full path records it. `queryStarted` is said just before,
    /// not when the query is taken: a query handed off is started again by the full path.
    private func report(_ pending: RelayPending, client: RelayClient, rcode: UInt16, source: AnswerSource, bytes: Int) {
        guard !queries.observers.isEmpty else { return }
        let address = client.peer.withSockaddrPointer { ClientAddress($0) }
        let event = QueryEvent(
            timeNanos: client.wall, client: address, transport: .udp, name: pending.name,
            type: RecordType(rawValue: pending.query.type), rcode: Rcode(rawValue: rcode),
            latencyNanos: clockReading &- client.arrival, source: source, truncated: false,
            dnssecOK: pending.query.dnssecOK, responseBytes: bytes)
        for observer in queries.observers {
            observer.queryStarted()
            observer.record(event)
        }
    }
}
