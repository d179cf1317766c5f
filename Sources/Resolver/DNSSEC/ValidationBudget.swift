import NIOConcurrencyHelpers

/// How much crypto one client query may cost: signature checks and NSEC3 hashes are counted
/// against fixed limits, and validation stops with a bogus result once either is spent.
/// KeyTrap (CVE-2023-50387) builds zones where every RRSIG matches many DNSKEYs by key tag and
/// algorithm; NSEC3 abuse (CVE-2023-50868) asks for many hashes of many names. Real chains use
/// 8-32 signature checks and a few hundred hashes at most.
///
/// Shared by the tasks that validate one query, so it is a lock-protected class.
public final class ValidationBudget: Sendable {
    /// The limits of one query.
    public struct Limits: Sendable, Equatable {
        /// Signature verifications in total.
        public var signatureChecks: Int
        /// NSEC3 owner-name hashes in total (each iteration counts).
        public var nsec3Hashes: Int
        /// DNSKEYs tried for one RRSIG when several share its key tag and algorithm: a real zone
        /// has at most two (a rollover colliding by chance), KeyTrap has hundreds.
        public var keysPerSignature: Int
        /// RRSIGs tried for one RRset before giving up.
        public var signaturesPerRRset: Int

        public static let `default` = Limits(signatureChecks: 64, nsec3Hashes: 512, keysPerSignature: 4,
                                             signaturesPerRRset: 8)

        public init(signatureChecks: Int, nsec3Hashes: Int, keysPerSignature: Int, signaturesPerRRset: Int) {
            self.signatureChecks = signatureChecks
            self.nsec3Hashes = nsec3Hashes
            self.keysPerSignature = keysPerSignature
            self.signaturesPerRRset = signaturesPerRRset
        }
    }

    private struct Spent { var signatureChecks = 0, nsec3Hashes = 0 }

    public let limits: Limits
    private let spent = NIOLockedValueBox(Spent())

    public init(limits: Limits = .default) {
        self.limits = limits
    }

    /// Takes one signature check; false (and nothing taken) when the budget is spent.
    public func takeSignatureCheck() -> Bool {
        spent.withLockedValue { spent in
            guard spent.signatureChecks < limits.signatureChecks else { return false }
            spent.signatureChecks += 1
            return true
        }
    }

    /// Takes `count` NSEC3 hash computations; false (and nothing taken) when they do not fit.
    public func takeNSEC3Hashes(_ count: Int) -> Bool {
        spent.withLockedValue { spent in
            guard spent.nsec3Hashes + count <= limits.nsec3Hashes else { return false }
            spent.nsec3Hashes += count
            return true
        }
    }

    /// Signature checks done so far.
    public var signatureChecks: Int { spent.withLockedValue { $0.signatureChecks } }
    /// NSEC3 hashes done so far.
    public var nsec3Hashes: Int { spent.withLockedValue { $0.nsec3Hashes } }
}
