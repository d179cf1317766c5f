import DNSProto

/// What the chain of trust says about one zone.
public enum ZoneSecurity: Sendable, Equatable {
    /// Signed, with these authenticated keys.
    case secure([DNSKEY])
    /// Provably unsigned (a signed denial of its DS, an unsupported algorithm, or no anchor
    /// above it): its data is used unchecked, without AD.
    case insecure
    /// The chain broke: its data must not be used.
    case bogus(DNSSECFailure)
}
