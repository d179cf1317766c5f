extension DaemonConfig {
    /// The `tcp:` section: limits of stream connections (TCP, DoT and DoH; RFC 7766 §6.2).
    ///
    /// ```yaml
    /// tcp: {idle_timeout: 10s, query_timeout: 5s, max_connections: 1000,
    ///       max_connections_per_client: 64, max_queries_in_flight: 100}
    /// ```
    ///
    /// Each bounds what one misbehaving client can hold: `max_connections_per_client` keeps one
    /// address from taking every one of `max_connections`; `query_timeout` closes a connection
    /// whose next query (or DoH request head) has not arrived whole within that time of its first
    /// byte, which bytes trickling in do not extend (the idle timeout is reset by every byte);
    /// `max_queries_in_flight` caps the queries of one connection waiting on an upstream, after
    /// which, as while the client does not read its answers, dnsd stops reading from it.
    /// `config.reload` applies a change to connections accepted after it (StreamLimits.swift).
    public struct TCPSettings: Sendable, Equatable {
        public var idleTimeout: Duration = .seconds(10)
        public var queryTimeout: Duration = .seconds(5)
        public var maxConnections: Int = 1000
        public var maxConnectionsPerClient: Int = 64
        public var maxQueriesInFlight: Int = 100

        /// What `tcp.idle_timeout` and `tcp.query_timeout` accept: 0 would close every
        /// connection at once.
        static let timeoutRange = Duration.milliseconds(1) ... .seconds(86400)

        static func parse(_ node: ConfigNode) throws -> TCPSettings {
            let keys = try node.mapping(allowed: ["idle_timeout", "query_timeout", "max_connections", "max_connections_per_client",
                                                  "max_queries_in_flight"])
            var settings = TCPSettings()
            if let idle = keys["idle_timeout"] { settings.idleTimeout = try idle.duration(in: timeoutRange) }
            if let query = keys["query_timeout"] { settings.queryTimeout = try query.duration(in: timeoutRange) }
            if let max = keys["max_connections"] { settings.maxConnections = try max.int(in: 1...1_000_000) }
            if let max = keys["max_connections_per_client"] { settings.maxConnectionsPerClient = try max.int(in: 1...1_000_000) }
            if let max = keys["max_queries_in_flight"] { settings.maxQueriesInFlight = try max.int(in: 1...65535) }
            return settings
        }
    }
}
