import Atomics
import DNSProto

/// What outlives a `config.reload` of a validating `recurse` plugin: the operator's negative
/// trust anchors and the verdict counters. The reloaded plugin takes over its predecessor's
/// object, so NTAs stay in force and the counters (`stats.get`'s `dnssec.*`, the
/// `dnsd_dnssec_*` metrics) keep counting from where they were.
public final class ValidatorState: Sendable {
    /// `dnssec.nta.*`: names answered without validation for a while.
    public let negativeTrustAnchors = NegativeTrustAnchors()
    /// Validated answers by `DNSSECStatus.rawValue`.
    private let validations = (0..<DNSSECStatus.allCases.count).map { _ in ManagedAtomic<Int>(0) }
    private let budgetExhausted = ManagedAtomic<Int>(0)

    public init() {}

    func count(_ status: DNSSECStatus) {
        validations[Int(status.rawValue)].wrappingIncrement(ordering: .relaxed)
    }

    func countBudgetExhausted() {
        budgetExhausted.wrappingIncrement(ordering: .relaxed)
    }

    /// Validated answers since start by verdict.
    public var validationTotals: [DNSSECStatus: Int] {
        Dictionary(uniqueKeysWithValues: DNSSECStatus.allCases.map { ($0, validations[Int($0.rawValue)].load(ordering: .relaxed)) })
    }

    /// Validations the `ValidationBudget` stopped since start (counted as bogus too).
    public var budgetExhaustedTotal: Int { budgetExhausted.load(ordering: .relaxed) }
}
