import NIOCore

/// The `metrics:` section: the address and path of the Prometheus HTTP endpoint.
///
/// ```yaml
/// metrics: {listen: 127.0.0.1:9153, path: /metrics}
/// ```
///
/// Absent means no endpoint and no metrics work on the query path. The host must be an IP
/// literal (IPv6 in brackets): the endpoint has no authentication, so where it listens should
/// be written down, not resolved. Port 0 picks a free port, which dnsd logs at start.
public struct MetricsSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// The only path that answers; anything else is 404.
    public var path: String

    public init(host: String = "127.0.0.1", port: Int = 9153, path: String = "/metrics") {
        self.host = host
        self.port = port
        self.path = path
    }

    /// `http://HOST:PORT/PATH`, as logged and documented.
    public var url: String { host.contains(":") ? "http://[\(host)]:\(port)\(path)" : "http://\(host):\(port)\(path)" }

    static func parse(_ node: ConfigNode) throws -> MetricsSettings {
        let keys = try node.mapping(allowed: ["listen", "path"])
        var settings = MetricsSettings()
        guard let listen = keys["listen"] else {
            throw node.error("missing 'listen' (e.g. metrics: {listen: 127.0.0.1:9153})")
        }
        switch parseListen(try listen.string()) {
        case .success(let (host, port)): (settings.host, settings.port) = (host, port)
        case .failure(let failure): throw listen.error(failure.message)
        }
        if let path = keys["path"] {
            let text = try path.string()
            // The request target is compared byte for byte (query string removed), so the path
            // must be a plain absolute path.
            guard text.hasPrefix("/"), !text.contains("?"), !text.contains("#"),
                  !text.contains(where: { $0 == " " || $0.isNewline }) else {
                throw path.error("expected an absolute path like /metrics, found '\(text)'")
            }
            settings.path = text
        }
        return settings
    }

    /// `HOST:PORT` with an IP literal host (`[v6]:PORT` for IPv6); an `http://` prefix is
    /// tolerated because people copy the URL. The message says what is wrong.
    static func parseListen(_ text: String) -> Result<(String, Int), ListenAddressError> {
        var rest = Substring(text)
        if rest.hasPrefix("http://") { rest = rest.dropFirst("http://".count) }
        if rest.contains("://") || rest.contains("/") {
            return .failure(.init("expected HOST:PORT, e.g. 127.0.0.1:9153, found '\(text)'"))
        }
        let host: Substring, portText: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].hasPrefix(":") else {
                return .failure(.init("expected [IPv6]:PORT, found '\(text)'"))
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            portText = rest[rest.index(close, offsetBy: 2)...]
        } else {
            guard let colon = rest.lastIndex(of: ":") else {
                return .failure(.init("missing :PORT in '\(text)' (e.g. 127.0.0.1:9153)"))
            }
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
            if host.contains(":") { return .failure(.init("an IPv6 host needs brackets: [\(host)]:\(portText)")) }
        }
        guard !host.isEmpty else { return .failure(.init("missing host in '\(text)'")) }
        guard let port = Int(portText), (0...65535).contains(port) else {
            return .failure(.init("port '\(portText)' is not a number 0-65535"))
        }
        guard (try? SocketAddress(ipAddress: String(host), port: port)) != nil else {
            return .failure(.init("'\(host)' is not an IP address (write 127.0.0.1, ::1 or 0.0.0.0, not a host name)"))
        }
        return .success((String(host), port))
    }
}
