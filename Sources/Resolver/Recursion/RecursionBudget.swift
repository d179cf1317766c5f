import NIOCore

/// The running cost of one client query: queries sent, referrals followed, the deadline, and
/// which NS names are being looked up (to stop lookups that depend on themselves). One
/// resolution task owns it; it is never shared between tasks.
final class RecursionBudget {
    let limits: RecursionLimits
    let deadline: NIODeadline
    private(set) var queries = 0
    private(set) var referrals = 0
    /// NS names whose addresses are being resolved right now (outermost first).
    var addressLookups: [String] = []

    init(limits: RecursionLimits, now: NIODeadline = .now()) {
        self.limits = limits
        deadline = now + limits.timeBudget
    }

    var remaining: TimeAmount { deadline - .now() }

    func checkTime() throws(RecursionFailure) {
        guard remaining > .zero else {
            throw .limit("time budget of \(Self.text(limits.timeBudget)) used up (time_budget)")
        }
    }

    /// Accounts for one query to a server.
    func spendQuery() throws(RecursionFailure) {
        try checkTime()
        guard queries < limits.maxQueries else {
            throw .limit("\(limits.maxQueries) queries sent to servers without an answer (max_queries)")
        }
        queries += 1
    }

    func followReferral() throws(RecursionFailure) {
        guard referrals < limits.maxReferrals else {
            throw .limit("more than \(limits.maxReferrals) referrals (max_referrals)")
        }
        referrals += 1
    }

    static func text(_ amount: TimeAmount) -> String {
        let ms = amount.nanoseconds / 1_000_000
        return ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms"
    }
}
