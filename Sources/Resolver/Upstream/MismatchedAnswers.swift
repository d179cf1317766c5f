import Atomics

/// Answers that came from an upstream's address with the ID of a query waiting on it but not
/// its question (another name, type or class; under 0x20 the name in another case): dropped,
/// the wait goes on (RFC 5452 §9.1), and counted here, per upstream, as likely spoofing
/// attempts or a server that does not echo the question (`upstream.list`: `mismatched`).
/// Shared by the upstream and its UDP transport, which is made before the upstream.
final class MismatchedAnswers: Sendable {
    private let count = ManagedAtomic<Int>(0)

    func record() { count.wrappingIncrement(ordering: .relaxed) }

    var total: Int { count.load(ordering: .relaxed) }
}
