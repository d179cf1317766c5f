import Foundation

/// What `tls.list` and `tls.info` report for one configured certificate: the one being served
/// and the outcome of the last reload attempt.
struct CertificateStatus: Sendable {
    /// The certificate being served under this name.
    var serving: LoadedCertificate
    /// How many times this certificate has been loaded (1 after start).
    var generation: Int
    /// When `serving` was loaded: the last successful reload that changed something.
    var lastSuccess: Date
    /// The last reload attempt, successful or not.
    var lastAttempt: Date
    var lastTrigger: ReloadTrigger
    var lastResult: CertificateReloadResult.Outcome
    /// Why the last attempt failed.
    var lastError: CertificateLoadError?
}

/// One certificate's line in a reload reply.
struct CertificateReloadResult: Sendable {
    enum Outcome: String, Sendable {
        case reloaded, unchanged, failed
    }

    var name: String
    var outcome: Outcome
    var error: CertificateLoadError?
    /// The certificate served after the reload (the old one when it failed).
    var serial: String
    var notAfter: Date
}

/// What one reload did, in the order the certificates are configured.
struct CertificateReloadReport: Sendable {
    var generation: Int
    var at: Date
    var trigger: ReloadTrigger
    var results: [CertificateReloadResult]

    var failed: Bool { results.contains { $0.outcome == .failed } }
}
