/// One `listen:` entry: `udp://HOST:PORT` or `tcp://HOST:PORT` (IPv6 hosts in brackets).
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: String, Sendable { case udp, tcp }
    public var scheme: Scheme
    public var host: String
    public var port: Int

    public init(scheme: Scheme, host: String, port: Int) {
        self.scheme = scheme
        self.host = host
        self.port = port
    }

    /// Parses the URL form; the error text says what is wrong, for ConfigNode to locate.
    public static func parse(_ text: String) -> Result<ListenAddress, ListenAddressError> {
        guard let separator = text.range(of: "://") else { return .failure(.init("expected SCHEME://HOST:PORT, e.g. udp://127.0.0.1:53")) }
        let schemeText = String(text[..<separator.lowerBound]).lowercased()
        guard let scheme = Scheme(rawValue: schemeText) else {
            if schemeText == "tls" || schemeText == "https" {
                return .failure(.init("\(schemeText):// listeners (DNS over TLS/HTTPS) are not available in this version"))
            }
            return .failure(.init("unknown scheme '\(schemeText)' (expected udp or tcp)"))
        }
        let rest = text[separator.upperBound...]
        let host: Substring, portText: Substring
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]"), rest[rest.index(after: close)...].hasPrefix(":") else {
                return .failure(.init("expected [IPv6]:PORT"))
            }
            host = rest[rest.index(after: rest.startIndex)..<close]
            portText = rest[rest.index(close, offsetBy: 2)...]
        } else {
            guard let colon = rest.lastIndex(of: ":") else { return .failure(.init("missing :PORT")) }
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        }
        guard !host.isEmpty else { return .failure(.init("missing host")) }
        guard let port = Int(portText), (0...65535).contains(port) else {
            return .failure(.init("port '\(portText)' is not a number 0-65535"))
        }
        return .success(ListenAddress(scheme: scheme, host: String(host), port: port))
    }

    public var description: String {
        host.contains(":") ? "\(scheme.rawValue)://[\(host)]:\(port)" : "\(scheme.rawValue)://\(host):\(port)"
    }
}

public struct ListenAddressError: Error, Sendable {
    public var message: String
    init(_ message: String) { self.message = message }
}
