import NIOConcurrencyHelpers
import Resolver

/// The `tcp:` and `http2:` settings in force and the connection counts they cap, shared by every
/// stream listener (TCP, DoT, DoH). A listener reads the settings once per accepted connection
/// and builds that connection's handlers with them, so `config.reload` (`update`) applies to
/// connections accepted after it; open connections keep the timeouts and limits they started with.
final class StreamLimits: Sendable {
    /// What one accepted connection is built with.
    struct Settings: Sendable, Equatable {
        var tcp: DaemonConfig.TCPSettings
        var http2: HTTP2Limits
    }

    let limiter: ConnectionLimiter
    private let box: NIOLockedValueBox<Settings>

    init(tcp: DaemonConfig.TCPSettings, http2: HTTP2Limits, counters: AdmissionCounters) {
        box = NIOLockedValueBox(Settings(tcp: tcp, http2: http2))
        limiter = ConnectionLimiter(limit: tcp.maxConnections, perClientLimit: tcp.maxConnectionsPerClient, counters: counters)
    }

    /// The settings for a connection accepted now.
    var current: Settings { box.withLockedValue { $0 } }

    func update(tcp: DaemonConfig.TCPSettings, http2: HTTP2Limits) {
        box.withLockedValue { $0 = Settings(tcp: tcp, http2: http2) }
        limiter.setLimits(limit: tcp.maxConnections, perClientLimit: tcp.maxConnectionsPerClient)
    }
}
