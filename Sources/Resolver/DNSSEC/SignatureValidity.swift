/// The validity window of an RRSIG (RFC 4034 §3.1.5, RFC 4035 §5.3.1). The times are 32-bit
/// serial numbers (RFC 1982): each is compared with "now" by the sign of the 32-bit difference,
/// so the comparison keeps working when the counter wraps in 2106.
public struct SignatureValidity: Sendable, Equatable {
    /// Seconds a signature is still taken before its inception or after its expiration, for
    /// clocks that are a little off (Unbound and BIND allow similar slack).
    public static let defaultSkew: UInt32 = 300

    /// Where "now" lies against the window.
    public enum Verdict: Sendable, Equatable {
        case valid
        case expired
        case notYetValid
    }

    /// Checks `now` (seconds since 1970, truncated to 32 bits) against `[inception - skew,
    /// expiration + skew]`.
    public static func check(inception: UInt32, expiration: UInt32, now: UInt32,
                             skew: UInt32 = defaultSkew) -> Verdict {
        if serialLess(now, inception &- skew) { return .notYetValid }
        if serialLess(expiration &+ skew, now) { return .expired }
        return .valid
    }

    /// `a < b` in serial number arithmetic with SERIAL_BITS = 32 (RFC 1982 §3.2).
    public static func serialLess(_ a: UInt32, _ b: UInt32) -> Bool {
        a != b && Int32(bitPattern: b &- a) > 0
    }
}
