import Metrics
import NIOConcurrencyHelpers
import Prometheus

/// The process-wide half of the metrics: the Prometheus registry `/metrics` renders and the
/// one-time `MetricsSystem.bootstrap` that routes every swift-metrics metric in the process
/// (ours, and any a plugin or library makes) into it.
public enum MetricsSetup {
    /// Everything made through swift-metrics in this process ends up here.
    public static let registry = PrometheusCollectorRegistry()
    private static let bootstrapped = NIOLockedValueBox<PrometheusMetricsFactory?>(nil)

    /// With a `metrics:` section: bootstraps swift-metrics (the first time only; the metrics
    /// system can be bootstrapped once per process) and returns the endpoint for `DNSServer`
    /// to add as a query observer and bind. Without one: nil, nothing is bootstrapped, and
    /// queries pay nothing for metrics.
    public static func bootstrap(settings: MetricsSettings?, runtime: DaemonRuntime) -> MetricsEndpoint? {
        guard let settings else { return nil }
        return MetricsEndpoint(settings: settings, runtime: runtime, factory: factory())
    }

    /// The Prometheus factory, bootstrapping the metrics system on first use.
    static func factory() -> PrometheusMetricsFactory {
        bootstrapped.withLockedValue { bootstrapped in
            if let bootstrapped { return bootstrapped }
            let factory = makeFactory(registry: registry)
            MetricsSystem.bootstrap(factory)
            bootstrapped = factory
            return factory
        }
    }

    /// A factory for `registry` with dnsd's histogram buckets (tests make their own registry).
    public static func makeFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets["dnsd_request_duration_seconds"] = QueryMetrics.durationBuckets
        return factory
    }
}
