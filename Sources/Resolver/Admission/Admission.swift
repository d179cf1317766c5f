import DNSProto

/// The admission step in front of every answer (DESIGN.md, Wave 2): one object per
/// configuration generation that every transport asks, on wire data, before anything is
/// answered, forwarded or cached: the UDP workers' packet-cache hits and relayed misses, the
/// full plugin chain, TCP, DoT and DoH. Its decisions are data (`Verdict`), counted per rule
/// and carried in the query event (`AnswerSource.admission`).
///
/// Before the answer (`check`): the server block's access rules, the query's DNS cookie
/// (RFC 7873), and the client's query rate. After it, over UDP (`finish`): response rate
/// limiting and the COOKIE option of the answer. In between, the forward paths hold a
/// waiting slot of the client for each query sent upstream (`enterWaiting`).
///
/// Cost on the hit path: a zone match on the raw name only when blocks differ in their rules,
/// a few compares per rule, one striped counter, and one rate-table lock when RRL is on.
public final class Admission: Sendable {
    /// Why a query is not answered as usual.
    public enum Rejection: Sendable, Equatable {
        /// REFUSED; the text names what decided (`acl:NAME`, `limit:qps`, ...).
        case refuse(String)
        /// NOERROR, empty.
        case filter(String)
        /// Nothing sent.
        case drop(String)
        /// BADCOOKIE with a fresh server cookie (RFC 7873 §5.2.3).
        case badCookie
        /// SERVFAIL with extended error 0 "Other" carrying `text` (RFC 8914): a server limit
        /// (`InFlightLimits`), not the client's doing.
        case servfail(String, text: String)
        /// A blocklist's answer (`Blocklists.Answer`); the text names the list (`policy:NAME`).
        case blocked(String, Blocklists.Answer, ttl: UInt32)

        var isServfail: Bool {
            if case .servfail = self { return true }
            return false
        }

        /// The query event's source for it.
        public var source: AnswerSource {
            switch self {
            case .refuse(let why), .filter(let why), .drop(let why), .servfail(let why, _), .blocked(let why, _, _): return .admission(why)
            case .badCookie: return .admission("cookie:bad")
            }
        }
    }

    public enum Verdict: Sendable {
        case admit(AdmissionTicket)
        case reject(Rejection, AdmissionTicket)
    }

    /// What happens to an answer over UDP.
    public enum Delivery: Equatable {
        /// Send this many bytes.
        case send(Int)
        /// Send this many bytes: the answer cut to its question with TC set (RRL slip).
        case slip(Int)
        case drop
    }

    public let counters: AdmissionCounters
    let cookies: ServerCookies?
    let settings: AdmissionSettings
    private let lists: [AccessList]
    /// The block index of each zone, for the raw-name lookup.
    private let zones: WireZoneIndex<Int>
    /// Set when every block has the same rules: no zone match needed.
    private let uniform: AccessList?
    /// Per block: whether it resolves for others (cache, forward, recurse).
    private let resolving: [Bool]
    private let rrl: ResponseRateLimiter?
    let limits: ClientLimits
    /// The `blocklists:` section (Admission+Policy.swift), and what outlives it.
    public let blocklists: Blocklists?
    public let policyState: PolicyState
    /// Each list's counter slot in `policyState`.
    let listSlots: [Int]

    init(setup: AdmissionSetup, blocks: [ServerBlock], zoneIndex: [(zone: DNSName, block: Int)]) {
        settings = setup.settings
        counters = setup.counters
        cookies = setup.cookies
        resolving = blocks.map { $0.plugins.contains { $0.resolvesForOthers } }
        let lists = blocks.indices.map { index in
            let fallback = blocks[index].plugins.contains { $0.resolvesForOthers } ? AccessList.localOnly : AccessList.open
            let rules = blocks[index].accessRules + setup.settings.rules + fallback
            return AccessList(rules: rules, slots: rules.map { setup.counters.slot(for: $0) })
        }
        self.lists = lists
        zones = WireZoneIndex(zoneIndex.map { ($0.zone.lowercasedWire, $0.block) })
        uniform = lists.dropFirst().allSatisfy { $0 == lists.first } ? lists.first : nil
        rrl = setup.settings.rrl.isOn ? ResponseRateLimiter(settings: setup.settings.rrl) : nil
        limits = ClientLimits(settings: setup.settings.limits)
        blocklists = setup.blocklists
        policyState = setup.policyState
        listSlots = setup.blocklists?.lists.map { setup.policyState.slot(for: $0.name) } ?? []
    }

    /// The start-up line's account of who may ask: per block, its own rules or the default.
    public func describe(blocks: [ServerBlock]) -> String {
        blocks.indices.map { index in
            let zones = blocks[index].zones.map(\.description).joined(separator: ",")
            let explicit = !blocks[index].accessRules.isEmpty || !settings.rules.isEmpty
            let rule = explicit ? "acl" : resolving[index] ? "default: loopback and localnets only" : "default: everyone"
            return "\(zones) (\(rule))"
        }.joined(separator: "; ")
    }

    // MARK: - Before the answer

    /// The wire query's verdict (the UDP workers: `query` as the packet cache read it).
    func check(wire request: UnsafeRawBufferPointer, query: PacketQuery, client: ClientAddress?, transport: Transport,
               now: UInt64, wallSeconds: UInt32) -> Verdict {
        let list = uniform ?? zones.lookup(request, nameEnd: query.nameEnd).map { lists[$0] }
        var cookie = CookieState()
        if cookies != nil, query.cookieOffset > 0 {
            cookie = readCookie(request, at: query.cookieOffset, length: query.cookieLength)
        }
        let verdict = check(list: list, type: query.type, client: client, transport: transport, cookie: cookie, now: now, wallSeconds: wallSeconds)
        guard blocklists != nil, case .admit(let ticket) = verdict,
              let rejection = blocking(UnsafeRawBufferPointer(rebasing: request[12..<query.nameEnd]), client: client) else { return verdict }
        return .reject(rejection, ticket)
    }

    /// The parsed query's verdict (the full path), with `block` its server block's index.
    func check(_ query: Message, block: Int?, client: ClientAddress?, transport: Transport, now: UInt64, wallSeconds: UInt32) -> Verdict {
        let type = query.question?.type.rawValue ?? 0
        var cookie = CookieState()
        if cookies != nil, let option = query.edns?.options.first(where: { $0.code == EDNSOption.cookieCode }) {
            let data = option.data
            cookie = data.withUnsafeBytes { readCookie($0, at: 0, length: data.count) }
        }
        let verdict = check(list: block.map { lists[$0] }, type: type, client: client, transport: transport, cookie: cookie, now: now,
                            wallSeconds: wallSeconds)
        guard case .admit(let ticket) = verdict else { return verdict }
        if blocklists != nil, let name = query.question?.name,
           let rejection = name.wire.withUnsafeBytes({ blocking($0, client: client) }) {
            return .reject(rejection, ticket)
        }
        guard let rejection = anyOverUDP(type: type, block: block, transport: transport) else { return verdict }
        return .reject(rejection, ticket)
    }

    /// ANY over UDP to a resolving block: refused here, or nil (the minimal answer is the full
    /// path's to make: `isMinimalAny`).
    private func anyOverUDP(type: UInt16, block: Int?, transport: Transport) -> Rejection? {
        guard type == RecordType.any.rawValue, transport == .udp, settings.anyOverUDP == .refuse,
              let block, resolving[block] else { return nil }
        counters.increment(.anyRefused)
        return .refuse("any:refused")
    }

    /// Whether the full path answers this query with RFC 8482's single HINFO record.
    func isMinimalAny(type: RecordType, block: Int?, transport: Transport) -> Bool {
        guard type == .any, transport == .udp, settings.anyOverUDP == .minimal, let block, resolving[block] else { return false }
        counters.increment(.anyMinimal)
        return true
    }

    private func check(list: AccessList?, type: UInt16, client: ClientAddress?, transport: Transport, cookie: CookieState,
                       now: UInt64, wallSeconds: UInt32) -> Verdict {
        var ticket = AdmissionTicket(client: client)
        if let list {
            let (rule, slot) = list.decide(client, type: type)
            counters.countRule(slot: slot)
            switch rule.action {
            case .allow: break
            case .block: return .reject(.refuse("acl:\(rule.name)"), ticket)
            case .filter: return .reject(.filter("acl:\(rule.name)"), ticket)
            case .drop: return .reject(.drop("acl:\(rule.name)"), ticket)
            }
        }
        if cookie.present, let client, let cookies {
            var judged = cookie
            if cookie.invalid {
                counters.increment(.cookieInvalid)
            } else if cookie.server != (0, 0) {
                judged.valid = cookies.verify(clientCookie: cookie.clientCookie, server: cookie.server, client: client, now: wallSeconds)
                judged.invalid = !judged.valid
                counters.increment(judged.valid ? .cookieValid : .cookieInvalid)
            } else {
                counters.increment(.cookieClientOnly)
            }
            ticket.cookie = judged
            if judged.invalid && transport == .udp {
                counters.increment(.cookieBadCookieSent)
                return .reject(.badCookie, ticket)
            }
        }
        if let client, limits.settings.queriesPerSecond > 0, !ticket.cookie.valid, !limits.isExempt(client),
           !limits.allowQuery(from: client, now: now) {
            counters.increment(.limitQueriesPerSecond)
            return .reject(limits.settings.action == .drop ? .drop("limit:qps") : .refuse("limit:qps"), ticket)
        }
        return .admit(ticket)
    }

    /// The COOKIE option's data at `bytes[offset..<offset+length]`: client cookie, and the
    /// server cookie when it has RFC 9018's 16 bytes (any other length cannot be ours).
    private func readCookie(_ bytes: UnsafeRawBufferPointer, at offset: Int, length: Int) -> CookieState {
        var state = CookieState()
        guard length >= 8, offset + length <= bytes.count else { return state }
        func word(_ at: Int) -> UInt64 {
            var value: UInt64 = 0
            for index in at..<(at + 8) { value = value << 8 | UInt64(bytes[index]) }
            return value
        }
        state.present = true
        state.clientCookie = word(offset)
        if length == 24 {
            state.server = (word(offset + 8), word(offset + 16))
        } else if length > 8 {
            state.invalid = true
        }
        return state
    }

    // MARK: - Waiting slots

    /// Takes a waiting slot of the ticket's client for a query about to wait on an upstream;
    /// false when the client already has `waiting_per_client` waiting (the query is then
    /// rejected: `waitingRejection`).
    func enterWaiting(_ ticket: inout AdmissionTicket) -> Bool {
        guard limits.settings.waitingPerClient > 0, let client = ticket.client, !ticket.waiting,
              !limits.isExempt(client) else { return true }
        let limit = ticket.cookie.valid ? limits.settings.waitingPerCookieClient : limits.settings.waitingPerClient
        guard limits.enter(client, limit: limit) else {
            counters.increment(.limitWaiting)
            return false
        }
        ticket.waiting = true
        return true
    }

    func leaveWaiting(_ ticket: inout AdmissionTicket) {
        guard ticket.waiting, let client = ticket.client else { return }
        limits.leave(client)
        ticket.waiting = false
    }

    var waitingRejection: Rejection {
        limits.settings.action == .drop ? .drop("limit:waiting") : .refuse("limit:waiting")
    }

    /// The caps on what the UDP workers hold for waiting queries (InFlightLimits.swift).
    public var inFlight: InFlightLimits { settings.inFlight }

    /// Counts an answer a plugin gave because it was at its cap (`PluginLimit`); one enum
    /// case test for every other answer.
    func countPluginLimit(_ source: AnswerSource) {
        guard case .admission = source, let limit = PluginLimit(source: source) else { return }
        counters.increment(AdmissionCounters.Fixed(limit))
    }

    /// Counts a query over `limit` and says what it gets.
    func rejectOverLimit(_ limit: InFlightLimits.Limit) -> Rejection {
        counters.increment(AdmissionCounters.Fixed(limit))
        return settings.inFlight.rejection(limit)
    }

    // MARK: - After the answer

    /// Applies RRL (UDP) and adds the COOKIE option to the answer in `out[0..<length]`, whose
    /// OPT record starts at `optStart` (nil: no OPT) and ends the message; `limit` is what the
    /// client can take. `questionEnd`: where the question section ends (for a slip).
    /// `leases`: the calling UDP worker's rate tokens taken ahead (RateLeases.swift).
    func finish(_ out: UnsafeMutableRawBufferPointer, length: Int, optStart: Int?, questionEnd: Int, limit: Int,
                ticket: AdmissionTicket, transport: Transport, now: UInt64, wallSeconds: UInt32, leases: RateLeases? = nil) -> Delivery {
        if transport == .udp, let rrl, let client = ticket.client, length >= 12 {
            if ticket.cookie.valid || rrl.isExempt(client) {
                counters.increment(.rrlExempt)
            } else {
                let kind = ResponseKind(response: UnsafeRawBufferPointer(rebasing: out[0..<length]))
                switch rrl.decide(client, kind: kind, now: now, leases: leases) {
                case .send:
                    counters.increment(.rrlSent)
                case .drop:
                    counters.increment(.rrlDropped)
                    return .drop
                case .slip:
                    counters.increment(.rrlSlipped)
                    // The question only, TC set: a real client asks again over TCP.
                    out[2] |= 0x02
                    for index in 6..<12 { out[index] = 0 }
                    return .slip(questionEnd)
                }
            }
        }
        guard ticket.cookie.present, let cookies, let client = ticket.client, let optStart else { return .send(length) }
        let server: (UInt64, UInt64)
        if ticket.cookie.valid && ServerCookies.isFresh(ticket.cookie.server.0, now: wallSeconds) {
            server = ticket.cookie.server
        } else {
            server = cookies.make(clientCookie: ticket.cookie.clientCookie, client: client, now: wallSeconds)
        }
        var end = length
        if length + 28 > min(limit, out.count) {
            // No room for the cookie: the question and OPT only, TC set, so the client asks
            // over TCP, where the whole answer and the cookie fit.
            guard optStart + 11 + 28 <= min(limit, out.count), optStart + 11 <= length else { return .send(length) }
            let opt = Array(UnsafeRawBufferPointer(rebasing: out[optStart..<(optStart + 11)]))
            out[2] |= 0x02
            for index in 6..<10 { out[index] = 0 }
            out[10] = 0
            out[11] = 1
            for (index, byte) in opt.enumerated() { out[questionEnd + index] = byte }
            out[questionEnd + 9] = 0
            out[questionEnd + 10] = 0
            return .send(appendCookie(out, end: questionEnd + 11, optStart: questionEnd, ticket: ticket, server: server))
        }
        end = appendCookie(out, end: end, optStart: optStart, ticket: ticket, server: server)
        return .send(end)
    }

    private func appendCookie(_ out: UnsafeMutableRawBufferPointer, end: Int, optStart: Int, ticket: AdmissionTicket,
                              server: (UInt64, UInt64)) -> Int {
        var at = end
        func put(_ byte: UInt8) { out[at] = byte; at += 1 }
        func put(word: UInt64) { for shift in stride(from: 56, through: 0, by: -8) { put(UInt8(truncatingIfNeeded: word >> UInt64(shift))) } }
        put(0); put(UInt8(EDNSOption.cookieCode)); put(0); put(24)
        put(word: ticket.cookie.clientCookie)
        put(word: server.0)
        put(word: server.1)
        let rdLength = (Int(out[optStart + 9]) << 8 | Int(out[optStart + 10])) + 28
        out[optStart + 9] = UInt8(truncatingIfNeeded: rdLength >> 8)
        out[optStart + 10] = UInt8(truncatingIfNeeded: rdLength)
        return at
    }

    /// `finish` for an answer held in an array (the full path), growing it for the cookie.
    func finish(_ bytes: inout [UInt8], optStart: Int?, limit: Int, ticket: AdmissionTicket, transport: Transport,
                now: UInt64, wallSeconds: UInt32) -> Delivery {
        guard transport == .udp && rrl != nil || ticket.cookie.present else { return .send(bytes.count) }
        guard bytes.count >= 12, let nameEnd = bytes.withUnsafeBytes({ RelayedAnswer.skipName($0, from: 12) }), nameEnd + 4 <= bytes.count else {
            return .send(bytes.count)
        }
        let length = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: 28))
        let delivery = bytes.withUnsafeMutableBytes { out in
            finish(out, length: length, optStart: optStart, questionEnd: nameEnd + 4, limit: limit, ticket: ticket,
                   transport: transport, now: now, wallSeconds: wallSeconds)
        }
        switch delivery {
        case .send(let count), .slip(let count): bytes.removeLast(bytes.count - count)
        case .drop: break
        }
        return delivery
    }

    // MARK: - Refusals on the wire

    /// Writes the answer for `rejection` of the wire query `request` into `out` (header,
    /// question, and an OPT for a client that sent one) and returns its length and where its
    /// OPT starts; `finish` then adds the cookie and applies RRL. nil for `drop`.
    func writeRejection(_ rejection: Rejection, request: UnsafeRawBufferPointer, query: PacketQuery, udpSize: UInt16,
                        into out: UnsafeMutableRawBufferPointer) -> (length: Int, optStart: Int?)? {
        let rcode: UInt16
        var extendedError: [UInt8] = []
        switch rejection {
        case .drop: return nil
        case .refuse: rcode = Rcode.refused.rawValue
        case .filter: rcode = Rcode.noError.rawValue
        case .badCookie: rcode = Rcode.badCookie.rawValue
        case .servfail(_, let text):
            rcode = Rcode.servFail.rawValue
            let data = EDNSOption.extendedError(code: ExtendedErrorCode.other, text: text).data
            extendedError = [0, UInt8(EDNSOption.extendedErrorCode), UInt8(data.count >> 8), UInt8(truncatingIfNeeded: data.count)] + data
        case .blocked(let why, let answer, let ttl):
            return writeBlocked(why, answer: answer, ttl: ttl, request: request, query: query, udpSize: udpSize, into: out)
        }
        let questionEnd = query.nameEnd + 4
        let clientEDNS = query.meta & (1 << 16) != 0
        out[0] = request[0]
        out[1] = request[1]
        out[2] = 0x80 | request[2] & 0x01
        out[3] = 0x80 | request[3] & 0x10 | UInt8(rcode & 0x0F)
        let counts: [UInt8] = [0, 1, 0, 0, 0, 0, 0, clientEDNS ? 1 : 0]
        for (index, byte) in counts.enumerated() { out[4 + index] = byte }
        for index in 12..<questionEnd { out[index] = request[index] }
        guard clientEDNS else { return (questionEnd, nil) }
        let opt: [UInt8] = [0, 0, 41, UInt8(udpSize >> 8), UInt8(truncatingIfNeeded: udpSize), UInt8(rcode >> 4), 0,
                            query.dnssecOK ? 0x80 : 0, 0, UInt8(extendedError.count >> 8), UInt8(truncatingIfNeeded: extendedError.count)]
            + extendedError
        for (index, byte) in opt.enumerated() { out[questionEnd + index] = byte }
        return (questionEnd + opt.count, questionEnd)
    }

    // MARK: - Views

    /// The most limited networks (RRL), for `rrl.list`.
    public func limitedNetworks(top: Int) -> [(network: String, kind: String, limited: UInt64, secondsAgo: Double)] {
        guard let rrl else { return [] }
        let now = CacheStore.monotonicClock()
        return rrl.limited(top: top).map { entry in
            (entry.prefix.description, entry.kind.description, entry.limited, Double(now &- entry.lastLimited) / 1e9)
        }
    }

    public var rrlEnabled: Bool { rrl != nil }
}
