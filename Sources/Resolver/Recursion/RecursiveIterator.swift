import DNSProto
import NIOCore

/// The iterative resolution algorithm (RFC 1034 §5.3.3, as Unbound and Knot Resolver do it):
/// start at the deepest known zone cut (the root hints when nothing is cached), ask one of
/// its servers, follow referrals down, chase CNAME/DNAME across zones, and look up the
/// addresses of NS names that came without glue.
///
/// It is written as sequential `async` code for one client query: the steps of a walk depend
/// on each other, and a miss costs network round trips, against which a task switch is
/// noise. The transports underneath are the forward plugin's NIO ones (a fresh UDP socket
/// and random ID per query, TCP when an answer is truncated). Answers from the cache plugin
/// in front never reach this code.
///
/// Per server: EDNS first; FORMERR/NOTIMP or a timeout makes one retry without EDNS, and a
/// server that then answers is remembered as one that needs no EDNS (RFC 6891 §7). Every
/// name goes out with 0x20 case randomization and the answer must echo it exactly.
///
/// QNAME minimisation (RFC 9156): below a cut, the next label only is asked (type A, §2.1)
/// until the full name is reached or a referral comes; NODATA means "no cut here, add a
/// label"; NXDOMAIN, a CNAME or a failure at a minimised name switch minimisation off for
/// the rest of that lookup and the full name is asked (the relaxed fallback for servers that
/// answer empty non-terminals wrongly). At most 10 minimised queries per lookup (§2.3).
struct RecursiveIterator: Sendable {
    let settings: RecursionSettings
    let infrastructure: InfrastructureCache
    let selector: ServerSelector
    let counters: RecursionCounters

    /// The outcome of a whole resolution: what the client gets, minus header and EDNS.
    struct Resolution: Sendable {
        var rcode: Rcode
        var answers: [ResourceRecord]
        var authority: [ResourceRecord]
        /// What each zone asked contributed, in order: the validator checks every part against
        /// the keys of the zone that served it.
        var segments: [Segment] = []
    }

    /// The records one zone's servers gave for one name of the chain (RRSIGs included), and
    /// the NSEC/NSEC3 proof that came with them.
    struct Segment: Sendable {
        var zone: DNSName
        var records: [ResourceRecord]
        var proof: [ResourceRecord]
        /// The name whose data (or denial) ends this segment.
        var name: DNSName
        /// Set when this segment denies `name` (NXDOMAIN) or its type (NODATA).
        var denial: DenialProof.Claim?
    }

    /// A zone cut to ask: its servers, and addresses learnt with the referral.
    struct Cut {
        var zone: DNSName
        var nameServers: [DNSName]
        var known: [DNSName: [String]]
    }

    static let maxMinimisedQueries = 10

    // MARK: - Resolution of one question, across CNAMEs

    /// Resolves `name`/`type`; `canonical` is `name` in the case the answer should show.
    func resolve(_ name: DNSName, _ type: RecordType, canonical: DNSName, on loop: EventLoop,
                 budget: RecursionBudget, nesting: Int = 0) async throws -> Resolution {
        var chain: [ResourceRecord] = []
        var segments: [Segment] = []
        var current = name
        var seen: Set<DNSName> = [name]
        for _ in 0...settings.limits.maxCNAMEs {
            let (result, zone) = try await lookup(current, type, canonical: current == name ? canonical : current,
                                                  on: loop, budget: budget, nesting: nesting)
            switch result {
            case .answer(let records, let proof):
                segments.append(Segment(zone: zone, records: records, proof: proof, name: current, denial: nil))
                // A wildcard expansion's NSEC/NSEC3 proof goes to DO clients too (RFC 4035
                // §3.1.3.3): a validator downstream (delv, a validating stub) needs it.
                return Resolution(rcode: .noError, answers: chain + records, authority: proof, segments: segments)
            case .noData(let records, let authority):
                let last = Self.lastTarget(of: records) ?? current
                segments.append(Segment(zone: zone, records: records, proof: authority, name: last, denial: .noData(type)))
                return Resolution(rcode: .noError, answers: chain + records, authority: authority, segments: segments)
            case .nxDomain(let records, let authority):
                let last = Self.lastTarget(of: records) ?? current
                segments.append(Segment(zone: zone, records: records, proof: authority, name: last, denial: .nameError))
                return Resolution(rcode: .nxDomain, answers: chain + records, authority: authority, segments: segments)
            case .alias(let records, let target):
                segments.append(Segment(zone: zone, records: records, proof: [], name: current, denial: nil))
                chain += records
                guard seen.insert(target).inserted else { throw RecursionFailure.other("CNAME loop at \(target)") }
                current = target
            case .referral, .lame:
                throw RecursionFailure.other("internal error: unresolved referral")
            }
        }
        throw RecursionFailure.limit("more than \(settings.limits.maxCNAMEs) CNAME/DNAME links (max_cnames)")
    }

    /// The target of the last CNAME in `records`, where a denial after a chain applies.
    static func lastTarget(of records: [ResourceRecord]) -> DNSName? {
        for record in records.reversed() {
            if case .cname(let target) = record.rdata { return target }
        }
        return nil
    }

    // MARK: - One name, down the tree

    /// Walks from the closest known cut down to the zone that answers `name`; never returns
    /// `.referral` or `.lame`. Also returns the zone whose servers answered.
    ///
    /// DS lives on the parent side of a cut (RFC 4035 §3.1.4.1): a DS question starts above
    /// `name` and is not handed down to `name`'s own servers, whose apex has no DS.
    func lookup(_ name: DNSName, _ type: RecordType, canonical: DNSName, on loop: EventLoop,
                budget: RecursionBudget, nesting: Int) async throws -> (ResponseClassifier.Result, DNSName) {
        let parentSide = type == .ds && !name.isRoot
        var cut = closestCut(for: parentSide ? name.parent ?? name : name)
        var minimise = settings.qnameMinimisation
        var extraLabels = 1
        var minimised = 0
        while true {
            try budget.checkTime()
            var sendName = name, sendType = type
            let wanted = cut.zone.labelCount + extraLabels
            if minimise && wanted < name.labelCount && minimised < Self.maxMinimisedQueries {
                sendName = name.dropping(labels: name.labelCount - wanted)
                sendType = .a
                minimised += 1
            }
            let sendCanonical = canonical.dropping(labels: canonical.labelCount - sendName.labelCount)
            let result = try await ask(cut, sendName, sendType, canonical: sendCanonical, on: loop,
                                       budget: budget, nesting: nesting)
            if case .referral(let referral) = result {
                if parentSide && referral.delegation.zone == name {
                    // The parent answered for the child's cut: ask it the DS question itself.
                    guard sendName != name || sendType != .ds else {
                        throw RecursionFailure.other("\(cut.zone) refers the DS question for \(name) to the child")
                    }
                    minimise = false
                    continue
                }
                try budget.followReferral()
                cut = adopt(referral)
                extraLabels = 1
                continue
            }
            if sendName.labelCount < name.labelCount {
                switch result {
                case .noData, .answer:
                    extraLabels += 1        // no zone cut at sendName: one label more
                default:
                    minimise = false        // relaxed fallback (RFC 9156 §2.3): ask the full name
                }
                continue
            }
            return (result, cut.zone)
        }
    }

    /// Remembers a referral (delegation and in-bailiwick glue) and makes it the current cut.
    /// The delegation is kept no longer than the glue of its in-zone servers, which cannot be
    /// found any other way.
    private func adopt(_ referral: ResponseClassifier.Referral) -> Cut {
        let delegation = referral.delegation
        var ttl = referral.ttl
        var known: [DNSName: [String]] = [:]
        for (server, glue) in referral.glue {
            known[server] = glue.addresses
            infrastructure.storeAddresses(glue.addresses, of: server, ttl: glue.ttl)
            if server.isSubdomain(of: delegation.zone) { ttl = min(ttl, glue.ttl) }
        }
        infrastructure.storeDelegation(delegation, ttl: ttl)
        return Cut(zone: delegation.zone, nameServers: delegation.nameServers, known: known)
    }

    /// The deepest cached zone cut above `name` that can be asked. A cut whose servers are all
    /// named inside its own zone is usable only while their addresses (the glue) are cached:
    /// when those went first (evicted, or a shorter TTL), the cut's parent is asked instead,
    /// and its referral brings the glue back.
    func closestCut(for name: DNSName) -> Cut {
        var start: DNSName? = name
        while let below = start, let delegation = infrastructure.closestDelegation(for: below) {
            if delegation.nameServers.contains(where: { !$0.isSubdomain(of: delegation.zone) || infrastructure.addresses(of: $0) != nil }) {
                return Cut(zone: delegation.zone, nameServers: delegation.nameServers, known: [:])
            }
            start = delegation.zone.parent
        }
        var known: [DNSName: [String]] = [:]
        for server in settings.hints.servers { known[server.name] = server.addresses }
        return Cut(zone: .root, nameServers: settings.hints.servers.map(\.name), known: known)
    }

    // MARK: - Asking the servers of one cut

    /// Asks the servers of `cut` (best estimate first) until one gives a usable answer.
    /// NS names without an address are looked up lazily, only when every known address
    /// failed, and at most `maxNSFetches` of them (NXNSAttack).
    func ask(_ cut: Cut, _ name: DNSName, _ type: RecordType, canonical: DNSName, on loop: EventLoop,
             budget: RecursionBudget, nesting: Int) async throws -> ResponseClassifier.Result {
        var candidates: [String] = []
        var pending: [DNSName] = []
        var random = PooledKernelRandom()
        for server in cut.nameServers.shuffled(using: &random) {
            if let addresses = cut.known[server] ?? infrastructure.addresses(of: server) {
                candidates += addresses.filter { settings.ipv6 || !$0.utf8.contains(UInt8(ascii: ":")) }
            } else if !server.isSubdomain(of: cut.zone) {
                // An in-zone name without glue can only be found through this very cut.
                pending.append(server)
            }
        }
        var tried = Set<String>()
        var fetched = 0
        var problem = "no address for any of its servers"
        while true {
            for address in selector.order(candidates.filter { !tried.contains($0) }) {
                tried.insert(address)
                guard let message = try await exchange(address, name, type, canonical: canonical, on: loop, budget: budget) else {
                    problem = "\(address) did not answer"
                    continue
                }
                let result = ResponseClassifier.classify(message, name: name, type: type, zone: cut.zone)
                if case .lame(let reason) = result {
                    selector.recordFailure(address)
                    problem = "\(address): \(reason)"
                    continue
                }
                return result
            }
            guard !pending.isEmpty else { break }
            guard fetched < settings.limits.maxNSFetches else {
                throw RecursionFailure.limit("\(cut.zone) has \(fetched + pending.count) NS names without glue; "
                                             + "gave up after looking up \(fetched) (max_ns_fetches)")
            }
            fetched += 1
            let server = pending.removeFirst()
            let found = try await addresses(of: server, on: loop, budget: budget, nesting: nesting + 1)
            candidates += found.filter { !candidates.contains($0) }
            if found.isEmpty { problem = "no address for \(server)" }
        }
        try budget.checkTime()     // out of time is the real reason when the last wait ran into it
        throw RecursionFailure.noReachableAuthority("no server of \(cut.zone) answered (\(problem))")
    }

    /// The addresses of NS name `server`, resolved from the root if need be. A lookup that
    /// depends on itself (its zone's servers are named inside a zone it serves) finds none.
    /// Only running out of budget is an error here; other failures mean "no address".
    func addresses(of server: DNSName, on loop: EventLoop, budget: RecursionBudget, nesting: Int) async throws -> [String] {
        if let cached = infrastructure.addresses(of: server) { return cached }
        let key = server.lowercased.description
        guard nesting <= settings.limits.maxNesting, !budget.addressLookups.contains(key) else { return [] }
        budget.addressLookups.append(key)
        defer { budget.addressLookups.removeLast() }
        var found: [String] = []
        for type in settings.ipv6 ? [RecordType.a, .aaaa] : [.a] {
            let resolution: Resolution
            do {
                resolution = try await resolve(server, type, canonical: server, on: loop, budget: budget, nesting: nesting)
            } catch let failure as RecursionFailure {
                if case .limit = failure { throw failure }
                continue
            }
            if resolution.rcode == .nxDomain { break }
            let records = resolution.answers.filter { $0.type == type }
            let addresses = records.compactMap { record -> String? in
                switch record.rdata {
                case .a(let v4): return v4.description
                case .aaaa(let v6): return v6.description
                default: return nil
                }
            }
            if let ttl = records.map(\.ttl).min() { infrastructure.storeAddresses(addresses, of: server, ttl: ttl) }
            found += addresses
            if !found.isEmpty { break }     // AAAA only for IPv6-only servers
        }
        return found
    }

    // MARK: - One exchange with one server

    /// Sends one question to one address (with the EDNS fallback and TCP on TC) and returns
    /// the accepted answer with the case of `canonical` restored, or nil when the server did
    /// not answer usefully.
    func exchange(_ address: String, _ name: DNSName, _ type: RecordType, canonical: DNSName,
                  on loop: EventLoop, budget: RecursionBudget) async throws -> Message? {
        guard let server = try? SocketAddress(ipAddress: address, port: settings.port) else { return nil }
        var useEDNS = !selector.ednsDisabled(address)
        for attempt in 0..<2 {
            try budget.spendQuery()
            counters.upstreamQueries.wrappingIncrement(ordering: .relaxed)
            let query = makeQuery(name, type, edns: useEDNS)
            let wait = min(selector.timeout(for: address), budget.remaining)
            let start = NIODeadline.now()
            do {
                var message = try await UDPTransport(server: server).exchange(query, on: loop, timeout: wait).get()
                if message.header.truncated {
                    // RFC 7766 §5: a truncated UDP answer is asked again over TCP.
                    try budget.spendQuery()
                    counters.upstreamQueries.wrappingIncrement(ordering: .relaxed)
                    counters.tcpRetries.wrappingIncrement(ordering: .relaxed)
                    let tcp = StreamTransport(server: server, tls: nil, serverName: nil, idleTimeout: .milliseconds(200))
                    defer { tcp.releaseConnections() }
                    message = try await tcp.exchange(query, on: loop, timeout: min(settings.timeout, budget.remaining)).get()
                }
                selector.recordAnswer(address, milliseconds: Double((NIODeadline.now() - start).nanoseconds) / 1_000_000)
                if useEDNS && (message.rcode == .formErr || message.rcode == .notImp) && attempt == 0 {
                    useEDNS = false     // RFC 6891 §7: a server that does not know EDNS rejects the OPT record
                    continue
                }
                if attempt == 1 && !useEDNS {
                    selector.setEDNSDisabled(address)
                    counters.ednsFallbacks.wrappingIncrement(ordering: .relaxed)
                }
                return Self.restoreCase(message, canonical: canonical)
            } catch let error as UpstreamError {
                if case .timeout = error {
                    selector.recordTimeout(address, waited: wait)
                    // Some servers and middleboxes drop queries with EDNS: one retry without.
                    if useEDNS && budget.remaining > .zero {
                        useEDNS = false
                        continue
                    }
                } else {
                    selector.recordFailure(address)
                }
                return nil
            } catch let failure as RecursionFailure {
                throw failure
            } catch {
                selector.recordFailure(address)
                return nil
            }
        }
        return nil
    }

    /// An iterative query: RD clear, the name with 0x20 applied, EDNS with our UDP size and,
    /// when validating, DO (RFC 4035 §4.9) and CD, so the servers send RRSIGs and denial
    /// records and a forwarding server upstream would not filter what we check ourselves.
    func makeQuery(_ name: DNSName, _ type: RecordType, edns: Bool) -> UpstreamQuery {
        let sent = settings.caseRandomization ? ForwardPlugin.randomizeCase(name) : name
        let question = Question(name: sent, type: type)
        var header = Header(id: 0)
        header.checkingDisabled = settings.dnssec == .validate && edns
        let message = Message(header: header, questions: [question],
                              edns: edns ? EDNS(udpPayloadSize: settings.ednsUDPSize, dnssecOK: settings.dnssec == .validate) : nil)
        return UpstreamQuery(wire: (try? message.encode()) ?? [], question: question,
                             caseExact: settings.caseRandomization)
    }

    /// Under 0x20 the server echoes our random case in every name it compressed against the
    /// question: give owner names and CNAME/DNAME targets the case of `canonical` back, so
    /// clients never see the pattern.
    static func restoreCase(_ message: Message, canonical: DNSName) -> Message {
        var message = message
        func fix(_ records: inout [ResourceRecord]) {
            for index in records.indices {
                records[index].name = restore(records[index].name, canonical: canonical)
                switch records[index].rdata {
                case .cname(let target): records[index].rdata = .cname(restore(target, canonical: canonical))
                case .dname(let target): records[index].rdata = .dname(restore(target, canonical: canonical))
                default: break
                }
            }
        }
        fix(&message.answers)
        fix(&message.authorities)
        return message
    }

    /// `name` with the labels it shares at the end with `canonical` spelt as in `canonical`.
    static func restore(_ name: DNSName, canonical: DNSName) -> DNSName {
        name.respellingSharedSuffix(as: canonical)
    }
}
