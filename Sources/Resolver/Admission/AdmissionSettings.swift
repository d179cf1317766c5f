/// Everything admission is configured with (docs/access.md): the top-level access rules,
/// response rate limiting, client limits, cookies and the handling of ANY over UDP. Each
/// server block adds its own rules (`ServerBlock.accessRules`), checked before these.
public struct AdmissionSettings: Sendable, Equatable {
    /// What an ANY query over UDP gets from a block that resolves for others (RFC 8482):
    /// zones answer ANY themselves.
    public enum AnyOverUDP: String, Sendable {
        /// One synthesized HINFO record ("RFC8482"), which invites the client to ask over TCP
        /// or for the types it wants.
        case minimal
        case refuse
        /// Passed to the plugins (forwarded upstream as asked).
        case pass
    }

    public var rules: [AccessRule] = []
    public var rrl = RRLSettings()
    public var limits = ClientLimitSettings()
    /// Caps on what the UDP workers hold for waiting queries, for all clients together.
    public var inFlight = InFlightLimits()
    /// Whether DNS cookies are answered (RFC 7873); the secret is `ServerCookies`'.
    public var cookies = true
    public var anyOverUDP: AnyOverUDP = .minimal

    public init() {}

    /// Every client allowed, nothing limited, no cookies: what a pipeline built without a
    /// configuration (unit tests, tools) gets. The daemon never runs with it.
    public static let open: AdmissionSettings = {
        var settings = AdmissionSettings()
        settings.rules = AccessList.open
        settings.rrl = .off
        settings.limits.waitingPerClient = 0
        settings.cookies = false
        settings.anyOverUDP = .pass
        return settings
    }()
}

/// What a pipeline's admission is made with: the settings, and what outlives a configuration
/// generation (the counters and the cookie secrets).
public struct AdmissionSetup: Sendable {
    public var settings: AdmissionSettings
    public var counters: AdmissionCounters
    public var cookies: ServerCookies?
    /// The `blocklists:` section, if any (Blocklists.swift).
    public var blocklists: Blocklists?
    /// The pause and per-list counts, kept by the daemon across reloads.
    public var policyState: PolicyState

    public init(settings: AdmissionSettings, counters: AdmissionCounters = AdmissionCounters(), cookies: ServerCookies? = nil,
                blocklists: Blocklists? = nil, policyState: PolicyState = PolicyState()) {
        self.settings = settings
        self.counters = counters
        self.blocklists = blocklists
        self.policyState = policyState
        self.cookies = settings.cookies ? cookies ?? ServerCookies(secret: nil) : nil
    }

    public static var open: AdmissionSetup { AdmissionSetup(settings: .open) }
}
