import DNSProto

/// What one transfer of a zone is served from: one consistent version of the zone and its
/// diff history, who may have it, and the keys to check the request with.
public struct TransferSource: Sendable {
    public var zone: AuthoritativeZone
    public var history: ZoneHistory
    public var policy: TransferPolicy?
    public var keyring: TSIGKeyring
    public var counters: ZoneTransferCounters

    public init(zone: AuthoritativeZone, history: ZoneHistory, policy: TransferPolicy?, keyring: TSIGKeyring,
                counters: ZoneTransferCounters = ZoneTransferCounters()) {
        self.counters = counters
        self.zone = zone
        self.history = history
        self.policy = policy
        self.keyring = keyring
    }
}
