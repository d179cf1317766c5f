import DNSProto

/// One stored answer: the response without its OPT record, when it was stored, and how long
/// it stays fresh. Immutable, so a lookup hands out a copy (its arrays are shared, not copied)
/// and renders it outside the shard lock.
///
/// Stored as a parsed `Message` rather than raw octets because the plugin chain speaks
/// `Message`: serving from octets would cost a full parse per hit, while rewriting a handful of
/// TTL fields in a copied record array is cheap. The byte accounting uses the encoded size.
public struct CachedAnswer: Sendable {
    /// What kind of answer this is; decides the TTL rules (RFC 2308) and whether it may be served stale.
    public enum Kind: String, Sendable {
        case positive
        /// NXDOMAIN, or NOERROR without data (NODATA), with the zone's SOA in authority.
        case nxdomain, nodata
        case servfail
    }

    // Declared widest first, the small fields last: Swift lays fields out in this order, and
    // each cache node carries one of these. The sections are kept rather than a `Message`,
    // whose question array and OPT record are always empty here: 32 bytes less per entry, which
    // puts a node in a smaller malloc size class.

    /// The record sections as stored: TTLs already clamped.
    public let answers: [ResourceRecord]
    public let authorities: [ResourceRecord]
    public let additionals: [ResourceRecord]
    /// Extended DNS errors the answer carried (RFC 8914), passed on to whoever gets it.
    public let extendedErrors: [EDNSOption]
    /// The subnet this answer is for (RFC 7871 scope), nil = everyone.
    public let subnet: CacheSubnet?
    /// Clock reading (nanoseconds) when stored.
    public let storedAt: UInt64
    /// Seconds this answer is fresh for: the smallest record TTL after clamping.
    public let ttl: UInt32
    private let storedSize: UInt32
    /// The header as stored (AA clear).
    public let header: Header
    public let kind: Kind
    /// What validation found when it was stored (nil: not validated); its reason, when bogus,
    /// is in `extendedErrors`.
    public let dnssecStatus: DNSSECStatus?

    /// Bytes charged against the cache's byte cap.
    public var size: Int { Int(storedSize) }

    /// The stored rcode: only NOERROR, NXDOMAIN and SERVFAIL are cached, all within the header's
    /// four bits.
    public var rcode: Rcode { Rcode(rawValue: UInt16(header.rcodeLow)) }

    /// Header and record sections as a message without question or OPT record.
    public var message: Message {
        Message(header: header, answers: answers, authorities: authorities, additionals: additionals)
    }

    /// Fixed cost per entry on top of the encoded answer: the key, the node and the queues'
    /// slots (measured roughly; what matters is that many tiny entries are not free).
    static let entryOverhead = 160

    init(kind: Kind, message: Message, extendedErrors: [EDNSOption], subnet: CacheSubnet?, storedAt: UInt64, ttl: UInt32, size: Int) {
        self.kind = kind
        dnssecStatus = message.dnssecStatus
        header = message.header
        answers = message.answers
        authorities = message.authorities
        additionals = message.additionals
        self.extendedErrors = extendedErrors
        self.subnet = subnet
        self.storedAt = storedAt
        self.ttl = ttl
        storedSize = UInt32(clamping: size)
    }

    /// Whole seconds since the answer was stored.
    func age(at now: UInt64) -> UInt32 {
        now <= storedAt ? 0 : UInt32(clamping: (now - storedAt) / 1_000_000_000)
    }

    /// Seconds of freshness left at `now`; negative once expired (how long ago).
    public func remainingTTL(at now: UInt64) -> Int64 { Int64(ttl) - Int64(age(at: now)) }

    /// The answer for `response` to `query`, or nil when it must not be cached: TC set,
    /// rcodes other than NOERROR/NXDOMAIN (and SERVFAIL when `servfailTTL` > 0), negative
    /// answers without an SOA (RFC 2308 §5), or a TTL of zero.
    static func make(response: Message, query: Message, settings: CacheSettings, now: UInt64) -> CachedAnswer? {
        guard !response.header.truncated, response.header.opcode == .query else { return nil }
        guard let question = query.question, response.question?.name == question.name,
              response.question?.type == question.type else { return nil }
        var message = response
        // Rendering uses each query's own question; keeping the upstream's costs an array per entry.
        message.questions = []
        Self.shareNames(&message, with: question.name.lowercased)
        let options = response.edns?.options ?? []
        message.edns = nil
        message.header.authoritative = false
        let extendedErrors = options.filter { $0.code == EDNSOption.extendedErrorCode }
        let subnet = Self.scope(of: response)
        let kind: Kind
        var ttl: UInt32
        switch response.rcode {
        case .servFail:
            guard settings.servfailTTL > 0 else { return nil }
            message.answers = []
            message.authorities = []
            message.additionals = []
            return finish(.servfail, message, extendedErrors, subnet, now, settings.servfailTTL)
        case .noError:
            kind = response.answers.isEmpty ? .nodata : .positive
        case .nxDomain:
            kind = .nxdomain
        default:
            return nil
        }
        ttl = UInt32.max
        let clamp = { (value: UInt32) in min(max(value, settings.minTTL), settings.maxTTL) }
        if kind == .positive {
            for index in message.answers.indices {
                message.answers[index].ttl = clamp(message.answers[index].ttl)
                ttl = min(ttl, message.answers[index].ttl)
            }
        } else {
            // RFC 2308 §5: a negative answer lives min(SOA TTL, SOA MINIMUM); without an SOA it
            // must not be cached. A CNAME chain before the NXDOMAIN keeps its own TTLs.
            guard let soaIndex = message.authorities.firstIndex(where: { $0.type == .soa }),
                  case .soa(let soa) = message.authorities[soaIndex].rdata else { return nil }
            let negative = min(message.authorities[soaIndex].ttl, soa.minimum, settings.negativeTTL, settings.maxTTL)
            message.authorities[soaIndex].ttl = negative
            ttl = negative
            for index in message.answers.indices {
                message.answers[index].ttl = clamp(message.answers[index].ttl)
                ttl = min(ttl, message.answers[index].ttl)
            }
        }
        // The entry lives as long as its shortest record, authority and additional included.
        for index in message.authorities.indices where message.authorities[index].type != .soa || kind == .positive {
            message.authorities[index].ttl = clamp(message.authorities[index].ttl)
            ttl = min(ttl, message.authorities[index].ttl)
        }
        for index in message.additionals.indices {
            message.additionals[index].ttl = clamp(message.additionals[index].ttl)
            ttl = min(ttl, message.additionals[index].ttl)
        }
        guard ttl > 0, ttl != UInt32.max else { return nil }
        return finish(kind, message, extendedErrors, subnet, now, ttl)
    }

    /// Points every owner name spelled exactly like `name` at `name`'s array. `name` is the
    /// query's lower-cased name, whose array the cache key shares when the query was in lower
    /// case; parsing gives each name its own array, and most owner names repeat the question,
    /// so this saves an allocation per record for as long as the entry lives.
    static func shareNames(_ message: inout Message, with name: DNSName) {
        for index in message.answers.indices where message.answers[index].name.wire == name.wire {
            message.answers[index].name = name
        }
        for index in message.authorities.indices where message.authorities[index].name.wire == name.wire {
            message.authorities[index].name = name
        }
    }

    private static func finish(_ kind: Kind, _ message: Message, _ extendedErrors: [EDNSOption], _ subnet: CacheSubnet?,
                               _ now: UInt64, _ ttl: UInt32) -> CachedAnswer? {
        let size = ((try? message.encode().count) ?? 512) + entryOverhead
        return CachedAnswer(kind: kind, message: message, extendedErrors: extendedErrors, subnet: subnet,
                            storedAt: now, ttl: ttl, size: size)
    }

    /// RFC 7871 §7.3.1: an answer with an ECS option of SCOPE > 0 is valid only for clients in
    /// the subnet at that scope (never longer than the SOURCE that was sent); SCOPE 0 or no
    /// option means everyone.
    static func scope(of response: Message) -> CacheSubnet? {
        guard let ecs = response.edns?.clientSubnet, ecs.scopePrefixLength > 0 else { return nil }
        let prefix = min(ecs.scopePrefixLength, ecs.sourcePrefixLength)
        guard prefix > 0 else { return nil }
        return CacheSubnet(family: ecs.family, prefix: prefix, address: ecs.address)
    }

    /// This answer as the reply to `query`: the query's ID, question (with its case), RD and
    /// CD; AA clear (a cache is not an authority); every TTL less the time in cache, or
    /// `staleTTL` for a stale answer, which also gets extended error 3 when the client sent EDNS.
    public func render(for query: Message, now: UInt64, staleTTL: UInt32? = nil) -> Message {
        var reply = Message.response(to: query, rcode: rcode)
        reply.header.recursionAvailable = header.recursionAvailable
        reply.dnssecStatus = dnssecStatus
        // RFC 6840 §5.8: AD only to clients that asked for it (AD or DO in the query).
        reply.header.authenticData = header.authenticData
            && (query.header.authenticData || (query.edns?.dnssecOK ?? false))
        let age = age(at: now)
        func adjust(_ records: [ResourceRecord]) -> [ResourceRecord] {
            var records = records
            for index in records.indices {
                if let staleTTL {
                    records[index].ttl = min(staleTTL, records[index].ttl)
                } else {
                    records[index].ttl = records[index].ttl > age ? records[index].ttl - age : 0
                }
            }
            return records
        }
        reply.answers = adjust(answers)
        reply.authorities = adjust(authorities)
        reply.additionals = adjust(additionals)
        if reply.edns != nil {
            var options = extendedErrors
            if staleTTL != nil {
                options.append(.extendedError(code: ExtendedErrorCode.staleAnswer, text: ""))
            }
            // RFC 7871 §7.2.1: echo the client's own option with the scope the answer has.
            if let ecs = query.edns?.clientSubnet {
                var echoed = ecs
                echoed.scopePrefixLength = subnet?.prefix ?? 0
                options.append(.clientSubnet(echoed))
            }
            reply.edns!.options = options
        }
        return reply
    }
}
