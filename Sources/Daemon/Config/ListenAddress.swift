/// One `listen:` entry: `udp://HOST:PORT`, `tcp://HOST:PORT`, `tls://HOST:PORT` (DNS over TLS,
/// RFC 7858), `https://HOST:PORT/PATH` (DNS over HTTPS, RFC 8484) or `http://HOST:PORT/PATH`
/// (DoH without TLS, for a reverse proxy in front). IPv6 hosts in brackets.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Scheme: String, Sendable { case udp, tcp, tls, https, http }
    public var scheme: Scheme
    public var host: String
    public var port: Int
    /// The DoH request path (https and http only); `/dns-query` when the URL has none.
    public var path: String?

    public init(scheme: Scheme, host: String, port: Int, path: String? = nil) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path ?? ((scheme == .https || scheme == .http) ? Self.defaultDoHPath : nil)
    }

    /// RFC 8484 §6 suggests no path; `/dns-query` is what clients and other servers use.
    public static let defaultDoHPath = "/dns-query"

    /// Listeners that need a certificate from the `tls:` section.
    public var needsCertificate: Bool { scheme == .tls || scheme == .https }

    /// Parses the URL form; the error text says what is wrong, for ConfigNode to locate.
    public static func parse(_ text: String) -> Result<ListenAddress, ListenAddressError> {
        guard let separator = text.range(of: "://") else { return .failure(.init("expected SCHEME://HOST:PORT, e.g. udp://127.0.0.1:53")) }
        let schemeText = String(text[..<separator.lowerBound]).lowercased()
        guard let scheme = Scheme(rawValue: schemeText) else {
            return .failure(.init("unknown scheme '\(schemeText)' (expected udp, tcp, tls, https or http)"))
        }
        var rest = text[separator.upperBound...]
        var path: String?
        if let slash = rest.firstIndex(of: "/") {
            guard scheme == .https || scheme == .http else {
                return .failure(.init("a path is only allowed on https:// and http:// listeners"))
            }
            let pathText = String(rest[slash...])
            guard !pathText.contains("?"), !pathText.contains("#"), !pathText.contains(where: { $0 == " " || $0.isNewline }) else {
                return .failure(.init("the path must be plain, like /dns-query, found '\(pathText)'"))
            }
            path = pathText
            rest = rest[..<slash]
        }
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
        return .success(ListenAddress(scheme: scheme, host: String(host), port: port, path: path))
    }

    public var description: String {
        let authority = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return "\(scheme.rawValue)://\(authority)\(path ?? "")"
    }
}

public struct ListenAddressError: Error, Sendable {
    public var message: String
    init(_ message: String) { self.message = message }
}
