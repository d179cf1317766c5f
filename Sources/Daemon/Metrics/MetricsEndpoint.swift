import Logging
import Metrics
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// The Prometheus endpoint of one running dnsd: the query observer that feeds it and the
/// small HTTP/1.1 server that serves `GET /metrics` (docs/metrics.md), and beside it the
/// `/health` and `/ready` probes (HealthProbe.swift).
///
/// A scrape renders on the connection's event loop: it copies the plugins' statistics into the
/// registry (`ScrapeTimeMetrics`) and writes the registry's text, a few hundred microseconds
/// for dnsd's few dozen series. Connections are capped and closed when idle, so a stuck
/// scraper cannot hold resources.
public final class MetricsEndpoint: Sendable {
    public let settings: MetricsSettings
    /// Add this to the query handler's observers.
    public let observer: QueryMetrics
    private let registry: PrometheusCollectorRegistry
    private let scrapeTime: ScrapeTimeMetrics
    private let health: HealthProbe
    private let limiter = ConnectionLimiter(limit: 16)
    static let idleTimeout = TimeAmount.seconds(30)

    init(settings: MetricsSettings, runtime: DaemonRuntime, factory: PrometheusMetricsFactory) {
        self.settings = settings
        registry = factory.registry
        observer = QueryMetrics(pipeline: runtime.pipeline, factory: factory)
        scrapeTime = ScrapeTimeMetrics(runtime: runtime, queries: observer, factory: factory)
        health = HealthProbe(runtime: runtime)
        // Prometheus' convention for build facts: a constant 1 whose labels carry them, so a
        // query can join any series on the version and commit that produced it.
        Gauge(label: "dnsd_build_info", dimensions: [("version", DaemonVersion.string), ("commit", DaemonVersion.commit)],
              factory: factory).record(1)
    }

    /// The exposition text, as `GET /metrics` returns it.
    public func render() -> [UInt8] {
        scrapeTime.update()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        return buffer
    }

    /// Binds the endpoint and logs its URL (with the real port when the configuration says 0);
    /// a failure names the address, like a DNS listener's.
    public func start(group: EventLoopGroup, logger: Logger) async throws -> Channel {
        let channel: Channel
        do { channel = try await bind(group: group) } catch {
            throw ListenError(address: settings.url, underlying: error)
        }
        var shown = settings
        if let port = channel.localAddress?.port { shown.port = port }
        logger.info("metrics at \(shown.url)")
        return channel
    }

    /// Opens the listening socket; the returned channel's `localAddress` has the real port
    /// when the configuration asked for port 0.
    public func bind(group: EventLoopGroup) async throws -> Channel {
        let path = settings.path, limiter = self.limiter, health = self.health
        let render: @Sendable () -> [UInt8] = { [self] in self.render() }
        return try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 64)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handlers = channel.pipeline.syncOperations
                    try handlers.addHandler(ConnectionSlotHandler(limiter: limiter))
                    try handlers.addHandler(IdleStateHandler(allTimeout: Self.idleTimeout))
                    try handlers.configureHTTPServerPipeline(withErrorHandling: true)
                    try handlers.addHandler(MetricsHTTPHandler(path: path, health: health, render: render))
                }
            }
            .bind(host: settings.host, port: settings.port).get()
    }
}
