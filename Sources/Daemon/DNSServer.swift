import Foundation
import Logging
import NIOCore
import NIOPosix
import Atomics
import Resolver
import ServiceLifecycle

/// The running resolver: event loops, listeners and the query pipeline, as a
/// service-lifecycle `Service` that stops cleanly on SIGTERM/SIGINT.
public final class DNSServer: Service, Sendable {
    public let runtime: DaemonRuntime
    private let logger: Logger

    public init(runtime: DaemonRuntime, logger: Logger) {
        self.runtime = runtime
        self.logger = logger
    }

    public func run() async throws {
        let config = runtime.config
        let threads = config.threads > 0 ? config.threads : System.coreCount
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let metrics = MetricsSetup.bootstrap(settings: config.metrics, runtime: runtime)
        if let dnstap = runtime.dnstap {
            dnstap.start()
            TapPoint.install(dnstap)
        }
        defer { runtime.dnstap?.stop() }
        defer { runtime.queryLog?.stop() }
        let tallying = Task { [runtime] in
            await runtime.tallies.run(ring: runtime.events) { UInt64(Date().timeIntervalSince1970) }
        }
        defer { tallying.cancel() }
        let queries = QueryHandler(pipeline: runtime.pipeline,
                                   observers: [runtime.counters, runtime.events] + (metrics.map { [$0.observer] } ?? [])
                                       + (runtime.queryLog.map { [$0] } ?? []))
        let factory = ListenerFactory(group: group, queries: queries, streams: runtime.streamLimits, udp: config.udp,
                                      certificates: runtime.certificates,
                                      udpTelemetry: runtime.udpWorkers, logger: logger)
        var channels: [Channel] = []
        var workers: [UDPWorker] = []
        var boundAddresses: [ListenAddress] = []
        var watchdog: ServiceWatchdog?
        defer { watchdog?.stop() }
        let control = ControlServer(settings: config.control, live: { [runtime] in runtime.controlSettings },
                                    dispatcher: ControlDispatcher(runtime: runtime, methods: .standard), owner: config.account)
        var controlBound = false
        defer { if controlBound { control.remove() } }
        let hangup = SignalWatcher(signal: SIGHUP) { [runtime, logger] in
            do { _ = try runtime.reload() } catch { logger.error("reload on SIGHUP failed, keeping the running configuration: \(error)") }
            runtime.certificates.reloadInBackground(trigger: .signal)
            // SIGHUP also reopens the query log, for logrotate configurations that send it.
            if let queryLog = runtime.queryLog { Task { try? await queryLog.reopen() } }
        }
        defer { hangup.cancel() }
        defer { runtime.certificates.stop() }
        do {
            // Certificates first: a bad one stops the start before any listener opens (docs/tls.md).
            try await runtime.certificates.start(metrics: config.metrics == nil ? nil : MetricsSetup.factory())
            for address in config.listeners {
                let bound: ListenerFactory.Bound
                do { bound = try await factory.bind(address) } catch {
                    throw ListenError(address: "\(address)", underlying: error)
                }
                channels += bound.channels
                workers += bound.workers
                var shown = address
                if let port = bound.port { shown.port = port }
                boundAddresses.append(shown)
                logger.info("listening on \(shown)", metadata: ["sockets": "\(bound.channels.count + bound.workers.count)"])
            }
            if let metrics { channels.append(try await metrics.start(group: group, logger: logger)) }
            channels.append(try await control.bind(group: group))
            controlBound = true
            logger.info("control socket at \(config.control.socketPath)")
            // Every socket is bound: root is no longer needed (`user:`), and what dnsd will
            // write later must be writable by the user it is now.
            try PrivilegeDrop.apply(config.account, logger: logger)
            try config.writableFiles.check()
            // Secondary zones load their copies and start refreshing as the user that writes them.
            for (_, secondary) in runtime.plugins(of: SecondaryPlugin.self) { secondary.zone.start() }
            // Lines of queries answered before now wait in its queue.
            runtime.queryLog?.start()
            let zones = config.blocks.flatMap(\.zones).map(\.description).joined(separator: " ")
            LocalNetworks.host.startWatching()
            let admission = runtime.pipeline.current.admission
            logger.info("access: \(admission.describe(blocks: config.blocks))", metadata: [
                "localnets": "\(LocalNetworks.host.current.map(\.description).joined(separator: " "))",
                "rrl": "\(admission.rrlEnabled ? "\(config.admission.rrl.responsesPerSecond)/s" : "off")",
                "cookies": "\(config.admission.cookies ? "on" : "off")"])
            logger.info("dnsd ready", metadata: ["threads": "\(threads)", "zones": "\(zones)", "udp_scheduling": "\(config.udp.scheduling)",
                                                 "udp_segmentation": "\(config.udp.segmentation)",
                                                 "udp_batch_wait": "\(config.udp.batchWaitMicroseconds)us",
                                                 "udp_relay": "\(runtime.pipeline.current.relayedZonesDescription)"])
            runtime.readiness.store(true, ordering: .relaxed)
            runtime.notifier.ready(status: "serving \(config.blocks.flatMap(\.zones).count) zones on "
                                   + boundAddresses.map(\.description).joined(separator: " "))
            if runtime.notifier.isEnabled, let dog = ServiceWatchdog() {
                let probe = QueryPathProbe(udpListener: boundAddresses.first(where: { $0.scheme == .udp }), queries: queries, group: group,
                                           timeout: min(2, Double(dog.interval.components.seconds) + 0.5))
                dog.start(probe: probe, notifier: runtime.notifier, logger: logger)
                watchdog = dog
            }
            try? await gracefulShutdown()
            runtime.readiness.store(false, ordering: .relaxed)
            watchdog?.stop()
            runtime.notifier.stopping(status: "shutting down")
            logger.info("shutting down")
        } catch {
            await close(channels, workers, group: group)
            throw error
        }
        await close(channels, workers, group: group)
    }

    private func close(_ channels: [Channel], _ workers: [UDPWorker], group: MultiThreadedEventLoopGroup) async {
        for worker in workers { await worker.stop() }
        for channel in channels { try? await channel.close() }
        try? await group.shutdownGracefully()
    }
}

/// A listener that could not be opened, with the address in the message.
struct ListenError: Error, CustomStringConvertible {
    var address: String
    var underlying: Error
    var description: String {
        if let io = underlying as? IOError { return "cannot listen on \(address): \(String(cString: strerror(io.errnoCode)))" }
        return "cannot listen on \(address): \(underlying)"
    }
}
