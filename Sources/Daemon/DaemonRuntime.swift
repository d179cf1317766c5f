import Atomics
import DNSProto
import Foundation
import Logging
import NIOConcurrencyHelpers
import Resolver

/// The running daemon as the control plane sees it: the configuration in force, the
/// pipeline queries use, and the telemetry they feed. Shared by every control connection.
public final class DaemonRuntime: Sendable {
    public let started: Date
    /// The file `config.reload` re-reads; nil for the built-in configuration.
    public let configPath: String?
    public let pipeline: PipelineReference
    public let counters: QueryCounters
    public let events: QueryEventRing
    /// Top lists over hours and a day, read from `events` (started by `DNSServer`).
    public let tallies: QueryTallies
    /// The DoT/DoH certificates and their reloads (TLS/CertStore.swift); a reload adopts a changed `tls:` list.
    public let certificates: CertStore
    /// `tcp:` and `http2:` in force and the stream connection caps, read per accepted connection.
    let streamLimits: StreamLimits
    /// The log's level and format in force (`log:`).
    let logOutput: LogOutput
    /// The UDP workers' batch-wait guard (UDPWorkerTelemetry.swift).
    public let udpWorkers = UDPWorkerTelemetry()
    /// Admission's counters and the DNS cookie secrets: kept across reloads.
    public let admissionCounters = AdmissionCounters()
    /// Blocking's pause and per-list counts (PolicyState.swift), across reloads.
    public let policyState = PolicyState()
    /// Downloads the blocklists that have a `url` (BlocklistFetcher.swift).
    let blocklistFetcher: BlocklistFetcher
    public let cookies: ServerCookies
    /// systemd's notification socket (a no-op outside systemd): reloads say RELOADING and READY.
    public let notifier = ServiceNotifier()
    /// Listeners bound and zones loaded, and not yet shutting down: `GET /ready` (HealthEndpoint.swift).
    public let readiness = ManagedAtomic(false)
    /// The dnstap writer when `dnstap:` is configured (started by `DNSServer`).
    public let dnstap: DnstapOutput?
    /// The query log when `query_log:` is configured (started by `DNSServer` after the privilege drop).
    public let queryLog: QueryLogOutput?
    let logger: Logger
    private let state: NIOLockedValueBox<State>
    /// Serializes reloads: two at once would race to replace the pipeline.
    private let reloadLock = NIOLock()

    struct State {
        var config: DaemonConfig
        var statsBase = QueryCountersSnapshot()
        var batchWaitSuspensionsBase: UInt64 = 0
        var admissionBase: [String: UInt64] = [:]
        var statsResetAt: Date
        var generation = 1
        var lastReload: ReloadReport?
    }

    /// Throws when the cookie secret file cannot be read or made. `logOutput`: where `log:`
    /// changes go on a reload.
    public init(config: DaemonConfig, configPath: String?, logger: Logger, logOutput: LogOutput = .standardError,
                eventCapacity: Int = 65536) throws {
        started = Date()
        self.configPath = configPath
        self.logger = logger
        blocklistFetcher = BlocklistFetcher(logger: logger)
        self.logOutput = logOutput
        let secrets = try config.cookieSecret.load(owner: config.account)
        cookies = ServerCookies(secret: secrets.current, previous: secrets.previous)
        let first = Pipeline(blocks: config.blocks, admission: AdmissionSetup(settings: config.admission, counters: admissionCounters, cookies: cookies,
                                                                              blocklists: config.blocklists, policyState: policyState))
        let pipeline = PipelineReference(first, packetCache: PacketCache(maxEntries: PacketCache.capacity(for: first)),
                                         maxUDPPayload: config.ednsUDPSize)
        self.pipeline = pipeline
        counters = QueryCounters()
        events = QueryEventRing(capacity: eventCapacity)
        tallies = QueryTallies(ring: events, now: UInt64(started.timeIntervalSince1970))
        certificates = CertStore(settings: config.tls, logger: logger)
        streamLimits = StreamLimits(tcp: config.tcp, http2: config.http2, counters: admissionCounters)
        state = NIOLockedValueBox(State(config: config, statsResetAt: started))
        // The writer reads each message's block selection from the pipeline in force, so a
        // reload's `dnstap:` changes apply to what is still queued.
        dnstap = config.dnstap.map { settings in
            DnstapOutput(settings: settings, logger: logger) { name in pipeline.current.block(for: name)?.dnstap ?? .none }
        }
        queryLog = config.queryLog.map { QueryLogOutput(settings: $0, logger: logger) }
        blocklistFetcher.apply(config.blocklists, install: installer)
    }

    public var config: DaemonConfig { state.withLockedValue { $0.config } }
    /// The `control:` section in force (the socket's path, mode and group as at start).
    var controlSettings: ControlSettings { state.withLockedValue { $0.config.control } }
    public var generation: Int { state.withLockedValue { $0.generation } }
    public var lastReload: ReloadReport? { state.withLockedValue { $0.lastReload } }

    /// Counters since the last `stats.reset` (the live counters are never cleared).
    public func statsSinceReset() -> (QueryCountersSnapshot, Date) {
        let (base, at) = state.withLockedValue { ($0.statsBase, $0.statsResetAt) }
        return (counters.snapshot().subtracting(base), at)
    }

    public func resetStats() {
        let now = counters.snapshot()
        let suspensions = udpWorkers.suspensions
        let admission = admissionCounters.flat
        state.withLockedValue {
            $0.statsBase = now
            $0.admissionBase = admission
            $0.batchWaitSuspensionsBase = suspensions
            $0.statsResetAt = Date()
        }
    }

    /// Admission's counters (AdmissionCounters.flat) since the last `stats.reset`.
    public var admissionSinceReset: [String: UInt64] {
        let base = state.withLockedValue { $0.admissionBase }
        return admissionCounters.flat.reduce(into: [:]) { result, entry in
            result[entry.key] = entry.value &- (base[entry.key] ?? 0)
        }
    }

    /// Times a UDP worker's batch-wait guard stopped its waits since the last `stats.reset`.
    public var batchWaitSuspensionsSinceReset: UInt64 {
        udpWorkers.suspensions &- state.withLockedValue { $0.batchWaitSuspensionsBase }
    }

    /// What a reload did.
    public struct ReloadReport: Sendable {
        public var generation: Int
        public var at: Date
        public var zones: [String]
        /// Keys that changed in the file and are in force now (ReloadPolicy.swift).
        public var applied: [String] = []
        /// Keys that changed in the file but need a restart (listeners, threads, the control
        /// socket, ...): the running values stay.
        public var needsRestart: [String]
        /// Why, where it is worth saying (a privileged port that dnsd, no longer root, could
        /// not bind even on a restart-free path).
        public var notes: [String] = []
    }

    /// Re-reads the configuration and swaps in the new pipeline only if every part of it is
    /// valid; otherwise the running one stays and the error (file:line) is thrown. Under
    /// systemd the reload is bracketed by `RELOADING=1` and `READY=1` (a refused reload ends
    /// with READY=1 too: the running configuration still serves).
    public func reload() throws -> ReloadReport {
        try reloadLock.withLock {
            notifier.reloading(status: "reloading \(configPath ?? "the built-in configuration")")
            do {
                let report = try applyReload()
                notifier.ready(status: "serving configuration generation \(report.generation) (\(report.zones.count) zones)"
                               + (report.needsRestart.isEmpty ? "" : "; restart needed for \(report.needsRestart.joined(separator: ", "))"))
                return report
            } catch {
                notifier.ready(status: "reload refused, generation \(generation) keeps serving: \(error)")
                throw error
            }
        }
    }

    /// The body of `reload`, under `reloadLock`. Everything that can fail (the files, the
    /// certificates a changed `tls:` list adds) is checked before anything is swapped in.
    private func applyReload() throws -> ReloadReport {
        let fresh: DaemonConfig
        if let configPath {
            fresh = try DaemonConfig.load(path: configPath)
        } else {
            fresh = try DaemonConfig.parse(yaml: DefaultConfig.yaml, file: "<built-in config>", baseDirectory: "")
        }
        let old = config
        let changes = ReloadPolicy.changes(from: old.keyValues, to: fresh.keyValues)
        var notes = privilegedPortNotes(old: old, fresh: fresh)
        // A zone added by the reload must be as writable for dnsd's user as one there at start.
        try fresh.writableFiles.check()
        let cookieSecret = try newCookieSecret(fresh.cookieSecret, previous: old.cookieSecret)
        let tls = try certificates.adopt(fresh.tls)
        // Nothing below fails: the reload is accepted.
        inheritPluginState(from: old.blocks, into: fresh.blocks)
        if let cookieSecret { cookies.rotate(to: cookieSecret) }
        pipeline.replace(with: Pipeline(blocks: fresh.blocks, admission: admissionSetup(fresh)), maxUDPPayload: fresh.ednsUDPSize)
        blocklistFetcher.apply(fresh.blocklists, install: installer)
        for failure in fresh.commitHooks.run() {
            // A zone file changed between the check and the swap: that zone keeps serving
            // its previous data, and says so.
            logger.error("reload: \(failure)")
        }
        streamLimits.update(tcp: fresh.tcp, http2: fresh.http2)
        logOutput.apply(fresh.log)
        if logOutput.levelIsOverridden && changes.live.contains("log.level") {
            notes.append("log.level: --log-level on dnsd's command line decides the level (\(logOutput.level))")
        }
        let report = state.withLockedValue { state -> ReloadReport in
            state.generation += 1
            state.config = Self.inForce(old: old, fresh: fresh)
            let report = ReloadReport(generation: state.generation, at: Date(), zones: fresh.blocks.flatMap(\.zones).map(\.description),
                                      applied: changes.live, needsRestart: changes.restart, notes: notes)
            state.lastReload = report
            return report
        }
        for note in notes { logger.warning("reload: \(note)") }
        for key in changes.restart {
            logger.warning("reload: \(key) changed; the running value stays until dnsd restarts", metadata: ["key": "\(key)"])
        }
        var metadata: Logger.Metadata = ["generation": "\(report.generation)", "applied": "\(Self.list(changes.live))",
                                         "restart-needed": "\(Self.list(changes.restart))",
                                         "udp_relay": "\(pipeline.current.relayedZonesDescription)"]
        if !tls.isEmpty {
            metadata["tls"] = "added \(tls.added) removed \(tls.removed) replaced \(tls.replaced)"
        }
        logger.info("configuration reloaded", metadata: metadata)
        return report
    }

    /// Keys as the log shows them: space-separated, "-" for none.
    private static func list(_ keys: [String]) -> String { keys.isEmpty ? "-" : keys.joined(separator: " ") }

    /// The configuration a reload leaves in force: the fresh one, except what only a restart
    /// applies (ReloadPolicy.decisions), which keeps its running value.
    private static func inForce(old: DaemonConfig, fresh: DaemonConfig) -> DaemonConfig {
        var kept = fresh
        kept.listeners = old.listeners
        kept.threads = old.threads
        kept.udp = old.udp
        kept.metrics = old.metrics
        kept.account = old.account
        kept.control.socketPath = old.control.socketPath
        kept.control.mode = old.control.mode
        kept.control.group = old.control.group
        return kept
    }

    /// Why a restart cannot help either, where a changed listener or the metrics endpoint asks
    /// for a port below 1024 and dnsd no longer runs as root.
    private func privilegedPortNotes(old: DaemonConfig, fresh: DaemonConfig) -> [String] {
        guard geteuid() != 0 else { return [] }
        var notes: [String] = []
        let privileged = fresh.listeners.filter { !old.listeners.contains($0) && (1..<1024).contains($0.port) }
        if !privileged.isEmpty {
            notes.append("listen: \(privileged.map(\.description).joined(separator: ", ")) needs a privileged port, which only a restart "
                         + "can bind (dnsd binds as root, then runs as uid \(geteuid())); restart dnsd to listen there")
        }
        if fresh.metrics != old.metrics, let metrics = fresh.metrics, (1..<1024).contains(metrics.port) {
            notes.append("metrics: \(metrics.url) needs a privileged port, which only a restart can bind; restart dnsd to serve it")
        }
        return notes
    }

    /// Hands a downloaded list to `replaceBlocklist` (the runtime is never freed while it runs).
    private var installer: BlocklistFetcher.Install {
        { [weak self] name, url, rules in self?.replaceBlocklist(name: name, url: url, rules: rules) }
    }

    /// Puts `rules`, just downloaded from `url`, in place of list `name`'s, in a new pipeline
    /// like a reload's (the packet cache starts afresh). Ignored when a reload has since
    /// removed the list or pointed it elsewhere.
    func replaceBlocklist(name: String, url: String, rules: BlocklistParser.Parsed) {
        reloadLock.withLock {
            var config = config
            guard let current = config.blocklists, current.lists.contains(where: { $0.name == name && $0.url == url }),
                  let fresh = current.replacing(rulesOf: name, with: rules) else { return }
            config.blocklists = fresh
            pipeline.replace(with: Pipeline(blocks: config.blocks, admission: admissionSetup(config)), maxUDPPayload: config.ednsUDPSize)
            state.withLockedValue { $0.config.blocklists = fresh }
        }
    }

    /// What a pipeline of `config` is admitted with: its settings and the daemon's counters and
    /// cookie secrets.
    func admissionSetup(_ config: DaemonConfig) -> AdmissionSetup {
        AdmissionSetup(settings: config.admission, counters: admissionCounters, cookies: cookies, blocklists: config.blocklists,
                       policyState: policyState)
    }

    /// A reload that names a different cookie secret rotates to it (the one before keeps
    /// verifying); one that names the same leaves the secrets alone (nil).
    private func newCookieSecret(_ source: CookieSecretSource, previous: CookieSecretSource) throws -> [UInt8]? {
        guard source != previous else { return nil }
        return try source.load().current
    }

    /// `cookie.rotate`: a new secret (`secret`, or a random one) makes cookies from now on; the
    /// one before still verifies. A `secret_file` is rewritten so that a restart keeps both.
    public func rotateCookieSecret(to secret: [UInt8]?) throws -> [UInt8] {
        let fresh = cookies.rotate(to: secret)
        if case .file(let path) = config.cookieSecret {
            let (current, previous) = cookies.current
            try CookieSecretSource.write(path: path, current: current, previous: previous)
        }
        return fresh
    }

    /// Plugins that keep state across reloads (the cache) take it from their predecessor:
    /// the plugin of the same name at the same position in the block with the same zones.
    private func inheritPluginState(from old: [ServerBlock], into fresh: [ServerBlock]) {
        for block in fresh {
            guard let previous = old.first(where: { $0.zones == block.zones }) else { continue }
            for (index, plugin) in block.plugins.enumerated() where index < previous.plugins.count {
                if let stateful = plugin as? any StatefulPlugin, previous.plugins[index].name == plugin.name {
                    stateful.inheritState(from: previous.plugins[index])
                }
            }
        }
    }

    /// Every plugin of a given type across the server blocks (for cache.*, upstream.*, zone.*).
    public func plugins<P>(of type: P.Type) -> [(block: ServerBlock, plugin: P)] {
        config.blocks.flatMap { block in block.plugins.compactMap { $0 as? P }.map { (block, $0) } }
    }
}
