import Dispatch
import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers

/// The certificates dnsd serves over DoT and DoH, and their reloads (docs/tls.md).
///
/// Listeners read `current` once per accepted connection (one lock, no I/O). A reload runs on
/// a private serial queue, so reloads never overlap and never block an event loop or the
/// concurrency pool: it reads each file once, checks it whole (`CertificateLoader`), and swaps
/// in a new generation only if something changed. A certificate that fails keeps serving its
/// previous version; the others still reload. Triggers: `tls.reload`, SIGHUP, the file
/// watcher, and the start. A `config.reload` whose `tls:` list changed adds, removes or re-reads
/// certificates by name (CertStore+Configuration.swift).
public final class CertStore: Sendable {
    let logger: Logger
    /// Serializes reloads, expiry checks, watcher retries and configuration changes.
    let queue = DispatchQueue(label: "dnsd.tls.reload")
    let state: NIOLockedValueBox<State>

    struct State {
        /// The `tls:` section in force: `config.reload` replaces it (`adopt`).
        var settings: TLSSettings
        /// Set by `start`: certificates are loaded and served from then on.
        var started = false
        /// Where expiry gauges are made (nil: no metrics endpoint).
        var metrics: (any MetricsFactory)?
        var current: CertificateGeneration?
        var statuses: [String: CertificateStatus] = [:]
        var gauges: [String: Gauge] = [:]
        /// The smallest expiry threshold already warned about, per certificate and serial.
        var warned: [String: (serial: String, days: Int)] = [:]
        var watcher: CertificateWatcher?
        var stopped = false
        /// Watch-triggered reloads that failed and will be retried (certbot mid-swap).
        var retries: [String: Int] = [:]
        /// Bumped on every watcher report, so a stale retry does nothing.
        var watchEpochs: [String: Int] = [:]
    }

    /// Days before expiry at which the log warns (once per threshold and certificate).
    static let warningDays = [30, 7, 1]
    /// A watch-triggered reload that fails is retried this often, this far apart: certbot
    /// swaps its symlinks one at a time, and the last swap may not produce another event.
    static let watchRetries = 5
    static let watchRetryDelay = DispatchTimeInterval.seconds(2)

    public init(settings: TLSSettings, logger: Logger) {
        state = NIOLockedValueBox(State(settings: settings))
        self.logger = logger
    }

    /// The `tls:` section in force.
    var settings: TLSSettings { state.withLockedValue { $0.settings } }

    /// The generation new connections get; nil before `start` or without certificates.
    var current: CertificateGeneration? { state.withLockedValue { $0.current } }

    /// Loads every certificate (any failure stops dnsd from starting, with the file and the
    /// reason), creates the expiry gauges, starts the watcher and the daily expiry check.
    public func start(metrics: (any MetricsFactory)?) async throws {
        state.withLockedValue { $0.metrics = metrics }
        let settings = try await onQueue { [self] () throws -> TLSSettings in
            let settings = self.settings
            defer { state.withLockedValue { $0.started = true } }
            guard !settings.certificates.isEmpty else { return settings }
            var loaded: [LoadedCertificate] = []
            for certificate in settings.certificates {
                do throws(CertificateLoadError) {
                    loaded.append(try CertificateLoader.load(certificate, servingChainLength: nil, allowShorterChain: true))
                } catch {
                    throw TLSStartError(name: certificate.name, error: error)
                }
            }
            let now = Date()
            state.withLockedValue { state in
                state.current = CertificateGeneration(number: 1, certificates: loaded, defaultIndex: settings.defaultIndex)
                for certificate in loaded { Self.register(certificate, trigger: .start, at: now, in: &state) }
            }
            for certificate in loaded {
                logger.info("TLS certificate loaded", metadata: Self.metadata(certificate))
                recordExpiry(certificate)
            }
            checkExpiry()
            return settings
        }
        watch(settings)
        scheduleExpiryCheck()
    }

    /// A status and (with metrics) an expiry gauge for a certificate that starts being served.
    static func register(_ certificate: LoadedCertificate, trigger: ReloadTrigger, at now: Date, in state: inout State) {
        let name = certificate.settings.name
        state.statuses[name] = CertificateStatus(serving: certificate, generation: 1, lastSuccess: now, lastAttempt: now,
                                                 lastTrigger: trigger, lastResult: .reloaded, lastError: nil)
        if let metrics = state.metrics, state.gauges[name] == nil {
            state.gauges[name] = Gauge(label: "dnsd_tls_certificate_expiry_seconds", dimensions: [("name", name)], factory: metrics)
        }
    }

    /// Starts a watcher for the certificates of `settings` that ask for one, in place of the
    /// one running (if any).
    func watch(_ settings: TLSSettings) {
        let watched = settings.certificates.filter(\.watch)
        let watcher = watched.isEmpty ? nil : CertificateWatcher(
            files: watched.map { ($0.name, [$0.certPath, $0.keyPath]) }, logger: logger
        ) { [weak self] names in self?.watchTriggered(names) }
        let (previous, running) = state.withLockedValue { state -> (CertificateWatcher?, Bool) in
            guard !state.stopped else { return (nil, false) }
            defer { state.watcher = watcher }
            return (state.watcher, true)
        }
        previous?.stop()
        if running { watcher?.start() }
    }

    /// Stops the watcher and the hourly expiry check.
    public func stop() {
        let watcher = state.withLockedValue { state in
            defer { state.watcher = nil; state.stopped = true }
            return state.watcher
        }
        watcher?.stop()
    }

    private func scheduleExpiryCheck() {
        queue.asyncAfter(deadline: .now() + .seconds(3600)) { [weak self] in
            guard let self, !state.withLockedValue(\.stopped) else { return }
            checkExpiry()
            scheduleExpiryCheck()
        }
    }

    /// Reloads `names` (all when nil) and reports each one. Never throws: failures are in the report.
    func reload(trigger: ReloadTrigger, names: Set<String>? = nil, allowShorterChain: Bool = false) async -> CertificateReloadReport {
        await withCheckedContinuation { continuation in
            queue.async { [self] in
                continuation.resume(returning: performReload(trigger: trigger, names: names, allowShorterChain: allowShorterChain))
            }
        }
    }

    /// For SIGHUP: reload everything, report in the log only.
    public func reloadInBackground(trigger: ReloadTrigger) {
        queue.async { [self] in _ = performReload(trigger: trigger, names: nil, allowShorterChain: false) }
    }

    /// Status of every configured certificate, in configuration order.
    func statuses() -> [CertificateStatus] {
        state.withLockedValue { state in state.settings.certificates.compactMap { state.statuses[$0.name] } }
    }

    func status(named name: String) -> CertificateStatus? { state.withLockedValue { $0.statuses[name] } }

    /// The store generation: how many times the served set changed (1 after start).
    var generationNumber: Int { current?.number ?? 0 }

    // MARK: - On the queue

    private func performReload(trigger: ReloadTrigger, names: Set<String>?, allowShorterChain: Bool) -> CertificateReloadReport {
        dispatchPrecondition(condition: .onQueue(queue))
        let now = Date()
        let settings = self.settings
        guard let generation = current, !settings.certificates.isEmpty else {
            return CertificateReloadReport(generation: 0, at: now, trigger: trigger, results: [])
        }
        var certificates = generation.certificates
        var results: [CertificateReloadResult] = []
        var indices: [Int] = []
        for (index, configured) in settings.certificates.enumerated() where names?.contains(configured.name) ?? true {
            let serving = certificates[index]
            var result = CertificateReloadResult(name: configured.name, outcome: .unchanged, error: nil,
                                                 serial: serving.serial, notAfter: serving.notAfter)
            do {
                let certBytes = try CertificateLoader.read(configured.certPath)
                let keyBytes = try CertificateLoader.read(configured.keyPath)
                if certBytes != serving.certBytes || keyBytes != serving.keyBytes {
                    let fresh = try CertificateLoader.load(configured, certBytes: certBytes, keyBytes: keyBytes,
                                                           servingChainLength: serving.chain.count,
                                                           allowShorterChain: allowShorterChain, now: now)
                    certificates[index] = fresh
                    result.outcome = .reloaded
                    result.serial = fresh.serial
                    result.notAfter = fresh.notAfter
                }
            } catch {
                result.outcome = .failed
                result.error = error
            }
            results.append(result)
            indices.append(index)
        }
        let changed = results.contains { $0.outcome == .reloaded }
        let number = changed ? generation.number + 1 : generation.number
        state.withLockedValue { state in
            if changed {
                state.current = CertificateGeneration(number: number, certificates: certificates, defaultIndex: generation.defaultIndex)
            }
            for (result, index) in zip(results, indices) {
                guard var status = state.statuses[result.name] else { continue }
                status.lastAttempt = now
                status.lastTrigger = trigger
                status.lastResult = result.outcome
                status.lastError = result.error
                if result.outcome == .reloaded {
                    status.serving = certificates[index]
                    status.generation += 1
                    status.lastSuccess = now
                }
                state.statuses[result.name] = status
            }
        }
        for (result, index) in zip(results, indices) {
            let certificate = certificates[index]
            switch result.outcome {
            case .reloaded:
                var metadata = Self.metadata(certificate)
                metadata["trigger"] = "\(trigger.rawValue)"
                metadata["generation"] = "\(number)"
                logger.info("TLS certificate reloaded", metadata: metadata)
                recordExpiry(certificate)
            case .unchanged:
                logger.debug("TLS certificate unchanged", metadata: ["name": "\(result.name)", "trigger": "\(trigger.rawValue)"])
            case .failed:
                logger.error("TLS certificate reload failed, the previous certificate stays in service", metadata: [
                    "name": "\(result.name)", "trigger": "\(trigger.rawValue)", "error": "\(result.error.map { "\($0)" } ?? "")",
                    "serving-serial": "\(result.serial)"])
            }
        }
        if changed { checkExpiry() }
        return CertificateReloadReport(generation: number, at: now, trigger: trigger, results: results)
    }

    /// A debounced change from the watcher: reload those certificates; if one fails (certbot
    /// half-way through its swap), try again a little later, a few times.
    private func watchTriggered(_ names: Set<String>) {
        queue.async { [self] in
            // A new change supersedes retries still pending from an earlier one.
            let epochs = state.withLockedValue { state in
                for name in names {
                    state.retries[name] = 0
                    state.watchEpochs[name, default: 0] += 1
                }
                return state.watchEpochs.filter { names.contains($0.key) }
            }
            reloadForWatch(names, epochs: epochs)
        }
    }

    private func reloadForWatch(_ names: Set<String>, epochs: [String: Int]) {
        let current = state.withLockedValue { $0.watchEpochs }
        let names = names.filter { current[$0] == epochs[$0] }
        guard !names.isEmpty else { return }
        let report = performReload(trigger: .watch, names: names, allowShorterChain: false)
        let again = Set(report.results.filter { $0.outcome == .failed }.map(\.name)).filter { name in
            state.withLockedValue { state in
                let attempts = state.retries[name, default: 0]
                guard attempts < Self.watchRetries else { return false }
                state.retries[name] = attempts + 1
                return true
            }
        }
        guard !again.isEmpty else { return }
        queue.asyncAfter(deadline: .now() + Self.watchRetryDelay) { [weak self] in self?.reloadForWatch(again, epochs: epochs) }
    }

    func recordExpiry(_ certificate: LoadedCertificate) {
        let gauge = state.withLockedValue { $0.gauges[certificate.settings.name] }
        gauge?.record(certificate.notAfter.timeIntervalSince1970)
    }

    /// Warns once per certificate and threshold (30, 7, 1 days) as expiry comes near.
    func checkExpiry(now: Date = Date()) {
        for status in statuses() {
            let certificate = status.serving
            let days = Int((certificate.notAfter.timeIntervalSince(now) / 86400).rounded(.down))
            guard let threshold = Self.warningDays.last(where: { days < $0 }) else { continue }
            let name = certificate.settings.name
            let shouldWarn = state.withLockedValue { state -> Bool in
                if let warned = state.warned[name], warned.serial == certificate.serial, warned.days <= threshold { return false }
                state.warned[name] = (certificate.serial, threshold)
                return true
            }
            guard shouldWarn else { continue }
            var metadata = Self.metadata(certificate)
            metadata["days-left"] = "\(days)"
            logger.warning("TLS certificate expires within \(threshold) day(s): renew it", metadata: metadata)
        }
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    static func metadata(_ certificate: LoadedCertificate) -> Logger.Metadata {
        ["name": "\(certificate.settings.name)", "serial": "\(certificate.serial)", "subject": "\(certificate.subject)",
         "not-after": "\(ISO8601DateFormatter().string(from: certificate.notAfter))", "chain": "\(certificate.chain.count)"]
    }
}

/// A certificate that could not be loaded at start: dnsd does not start.
struct TLSStartError: Error, CustomStringConvertible {
    var name: String
    var error: CertificateLoadError
    var description: String { "TLS certificate '\(name)': \(error)" }
}
