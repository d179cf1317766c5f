/// Response rate limiting over UDP, the model of NSD, Knot and BIND: each client network (a
/// /24 or /56 by default) may receive so many responses of each kind per second. Over the
/// limit, every `slip`-th response goes out truncated (empty, TC set) so that a real client
/// retries over TCP, which a spoofed source cannot; the rest are dropped. An amplification
/// attack aimed at a victim's address so gets a trickle of small answers.
///
/// Applied to UDP only (a TCP client has proved its address), never to exempt networks or
/// to clients that present a valid server cookie (RFC 7873 §5.2.4: their address is proved too).
public struct RRLSettings: Sendable, Equatable {
    /// Responses per second per network and kind; 0 turns RRL off.
    public var responsesPerSecond = 200
    public var nxdomainsPerSecond: Int? = nil
    public var referralsPerSecond: Int? = nil
    public var errorsPerSecond: Int? = nil
    /// How long a flood is remembered: a network over its rate stays limited until its average
    /// over this window falls under the rate.
    public var window: Duration = .seconds(15)
    /// Every slip-th limited response is sent truncated; 0 drops them all, 1 truncates them all.
    public var slip = 2
    public var ipv4PrefixLength = 24
    public var ipv6PrefixLength = 56
    public var exempt: [AccessRule.Clients] = [.loopback]
    /// Accounts kept (each about 80 bytes).
    public var tableSize = 65536

    public init() {}

    public static let off: RRLSettings = { var settings = RRLSettings(); settings.responsesPerSecond = 0; return settings }()

    public var isOn: Bool { responsesPerSecond > 0 }

    func rate(_ kind: ResponseKind) -> Int {
        switch kind {
        case .answer: return responsesPerSecond
        case .nxdomain: return nxdomainsPerSecond ?? responsesPerSecond
        case .referral: return referralsPerSecond ?? responsesPerSecond
        case .error: return errorsPerSecond ?? responsesPerSecond
        }
    }
}

/// What a response says, as RRL counts it (BIND's categories, NODATA counted as an answer).
public enum ResponseKind: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case answer, nxdomain, referral, error

    /// From a response's header: rcode, AA and the section counts.
    init(response bytes: UnsafeRawBufferPointer) {
        let rcode = bytes[3] & 0x0F
        switch rcode {
        case 0:
            let answers = Int(bytes[6]) << 8 | Int(bytes[7])
            let authority = Int(bytes[8]) << 8 | Int(bytes[9])
            self = answers == 0 && authority > 0 && bytes[2] & 0x04 == 0 ? .referral : .answer
        case 3: self = .nxdomain
        default: self = .error
        }
    }

    public var description: String {
        switch self {
        case .answer: return "answer"
        case .nxdomain: return "nxdomain"
        case .referral: return "referral"
        case .error: return "error"
        }
    }
}

/// The limiter of one configuration generation: its settings and its table.
final class ResponseRateLimiter: Sendable {
    enum Decision: Equatable { case send, slip, drop }

    let settings: RRLSettings
    private let table: RateLimitTable
    private let window: UInt64

    init(settings: RRLSettings) {
        self.settings = settings
        table = RateLimitTable(size: settings.tableSize)
        let (seconds, attoseconds) = settings.window.components
        window = UInt64(max(1, seconds)) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }

    func isExempt(_ client: ClientAddress) -> Bool { settings.exempt.contains { $0.contains(client) } }

    /// Whether a response of `kind` to `client` goes out, truncated, or not at all.
    /// `leases`: the calling UDP worker's (RateLeases.swift).
    func decide(_ client: ClientAddress, kind: ResponseKind, now: UInt64, leases: RateLeases?) -> Decision {
        let rate = settings.rate(kind)
        guard rate > 0 else { return .send }
        let length = client.unmapped.family == 4 ? settings.ipv4PrefixLength : settings.ipv6PrefixLength
        switch table.count(IPPrefix(client, length: length), kind: kind.rawValue, rate: rate, window: window, now: now, leases: leases) {
        case .within: return .send
        case .over(let count):
            return settings.slip > 0 && count % UInt64(settings.slip) == 0 ? .slip : .drop
        }
    }

    /// The most limited networks, for `rrl.list`.
    func limited(top: Int) -> [(prefix: IPPrefix, kind: ResponseKind, limited: UInt64, lastLimited: UInt64)] {
        table.limitedAccounts(limit: top).compactMap { account in
            guard let prefix = account.prefix, let kind = ResponseKind(rawValue: account.kind) else { return nil }
            return (prefix, kind, account.limited, account.lastLimited)
        }
    }
}
