/// A snapshot of one upstream's counters and health, for the control plane
/// (`upstream.list`) and tests. Times are milliseconds.
public struct UpstreamStatistics: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        /// Taking queries.
        case up
        /// `max_fails` consecutive failures; only health probes go to it until one answers.
        case down
        /// Switched off by the operator (`setEnabled(false, for:)`).
        case disabled
    }

    /// The upstream as configured, e.g. `tls://127.0.0.1:853@dns.test`.
    public var name: String
    public var state: State
    /// Queries sent (health probes and TCP retries after TC included).
    public var queries: Int
    /// Answers received, by rcode mnemonic (`NOERROR`, `SERVFAIL`, ...).
    public var answersByRcode: [String: Int]
    public var timeouts: Int
    /// Connection, TLS, HTTP and parse failures.
    public var errors: Int
    /// UDP answers dropped as not answering the question sent (MismatchedAnswers.swift).
    public var mismatched: Int
    /// Failures in a row; reaching `max_fails` marks the upstream down.
    public var consecutiveFailures: Int
    /// Round-trip times in milliseconds: smoothed (RFC 6298), and percentiles of the last 256.
    public var smoothedRTT: Double?
    public var p50RTT: Double?
    public var p99RTT: Double?
    public var lastError: String?
}
