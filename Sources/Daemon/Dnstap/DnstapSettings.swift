import DNSProto
import Glibc

/// The top-level `dnstap:` section: where dnstap messages go, and what names the sender.
/// Which messages a server block produces is that block's own `dnstap:` (TapSelection).
///
/// ```yaml
/// dnstap: {sink: "unix:/run/dnstap.sock", identity: ns1, version: dnsd, queue_size: 10000}
/// ```
public struct DnstapSettings: Sendable, Equatable {
    /// Where Frame Streams go.
    public enum Sink: Sendable, Equatable, CustomStringConvertible {
        /// A collector's Unix stream socket (bidirectional Frame Streams).
        case unix(String)
        /// A collector's TCP port (bidirectional Frame Streams); the host is an IP literal.
        case tcp(host: String, port: Int)
        /// A file written with unidirectional Frame Streams (appended to a new stream per start).
        case file(String)

        public var description: String {
            switch self {
            case .unix(let path): return "unix:\(path)"
            case .tcp(let host, let port): return host.contains(":") ? "tcp:[\(host)]:\(port)" : "tcp:\(host):\(port)"
            case .file(let path): return "file:\(path)"
            }
        }
    }

    public var sink: Sink
    /// dnstap's `identity` field: which server sent it (default: the host name).
    public var identity: String
    /// dnstap's `version` field (default: "dnsd" and its version).
    public var version: String
    /// Messages waiting for the writer; past this, new ones are dropped and counted.
    public var queueSize: Int

    public static let defaultQueueSize = 10_000

    public init(sink: Sink, identity: String, version: String, queueSize: Int = defaultQueueSize) {
        self.sink = sink
        self.identity = identity
        self.version = version
        self.queueSize = queueSize
    }

    static func parse(_ node: ConfigNode, baseDirectory: String) throws -> DnstapSettings {
        let keys = try node.mapping(allowed: ["sink", "identity", "version", "queue_size"])
        guard let sinkNode = keys["sink"] else {
            throw node.error("missing 'sink' (e.g. dnstap: {sink: \"unix:/run/dnstap.sock\"})")
        }
        let sink = try parseSink(sinkNode, baseDirectory: baseDirectory)
        var settings = DnstapSettings(sink: sink, identity: Self.hostName(), version: "dnsd \(DaemonVersion.string)")
        if let identity = keys["identity"] { settings.identity = try identity.string() }
        if let version = keys["version"] { settings.version = try version.string() }
        if let size = keys["queue_size"] { settings.queueSize = try size.int(in: 1...10_000_000) }
        return settings
    }

    /// `unix:PATH`, `tcp:HOST:PORT` (`tcp:[V6]:PORT`), or `file:PATH` / a bare path (a file).
    private static func parseSink(_ node: ConfigNode, baseDirectory: String) throws -> Sink {
        let text = try node.string()
        func path(_ raw: Substring) throws -> String {
            guard !raw.isEmpty else { throw node.error("the sink '\(text)' names no path") }
            return raw.hasPrefix("/") ? String(raw) : baseDirectory + "/" + raw
        }
        if text.hasPrefix("unix:") { return .unix(try path(text.dropFirst(5))) }
        if text.hasPrefix("file:") { return .file(try path(text.dropFirst(5))) }
        if text.hasPrefix("tcp:") {
            let rest = text.dropFirst(4)
            guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port) else {
                throw node.error("expected tcp:HOST:PORT (an IP literal and a port), found '\(text)'")
            }
            var host = String(rest[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard IPv4Address(host) != nil || IPv6Address(host) != nil else {
                throw node.error("the tcp sink's host must be an IP literal, found '\(host)'")
            }
            return .tcp(host: host, port: port)
        }
        return .file(try path(Substring(text)))
    }

    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "dnsd" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
