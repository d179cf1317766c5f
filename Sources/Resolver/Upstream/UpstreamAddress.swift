import NIOCore

/// One upstream server as written in the `forward` plugin's `to:` list:
/// `udp://IP[:53]`, `tcp://IP[:53]`, `tls://IP[:853][@verify-name]` (DNS over TLS, RFC 7858),
/// `https://HOST[:443]/PATH[@IP]` (DNS over HTTPS, RFC 8484). IPv6 literals go in brackets
/// (`udp://[::1]:5300`). Parsing does no I/O, except that a DoH host name without `@IP` is
/// resolved once by `socketAddress()` (called when the config is built, never per query).
public struct UpstreamAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case udp, tcp, tls, https

        /// The same transport as a client's (dnstap names both the same way).
        var tapTransport: Transport {
            switch self {
            case .udp: return .udp
            case .tcp: return .tcp
            case .tls: return .tls
            case .https: return .https
            }
        }
    }

    public var kind: Kind
    /// The host as written: an IP literal for udp/tcp/tls, a host name or IP for https.
    public var host: String
    public var port: Int
    /// DoT: the name the certificate must carry (also sent as SNI). DoH: the URL's host.
    public var verifyName: String?
    /// DoH: the request path, e.g. `/dns-query`.
    public var path: String
    /// DoH: the fixed address to connect to (`@IP`), so the host needs no bootstrap lookup.
    public var fixedAddress: String?
    /// The text as configured; the upstream's name in statistics and logs.
    public var description: String

    /// Parses one `to:` entry; the error says what is wrong in operator words.
    public static func parse(_ text: String) throws(UpstreamAddressError) -> UpstreamAddress {
        guard let schemeEnd = text.range(of: "://") else {
            throw UpstreamAddressError("'\(text)' has no scheme (use udp://, tcp://, tls:// or https://)")
        }
        guard let kind = Kind(rawValue: text[..<schemeEnd.lowerBound].lowercased()) else {
            throw UpstreamAddressError("'\(text)': unknown scheme '\(text[..<schemeEnd.lowerBound])' (use udp, tcp, tls or https)")
        }
        var rest = String(text[schemeEnd.upperBound...])
        var result = UpstreamAddress(kind: kind, host: "", port: 0, verifyName: nil, path: "", fixedAddress: nil, description: text)
        switch kind {
        case .udp, .tcp, .tls:
            if kind == .tls, let at = rest.lastIndex(of: "@") {
                let name = String(rest[rest.index(after: at)...])
                guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }) else {
                    throw UpstreamAddressError("'\(text)': '\(name)' is not a host name to verify")
                }
                result.verifyName = name.hasSuffix(".") ? String(name.dropLast()) : name
                rest = String(rest[..<at])
            }
            guard !rest.contains("/") else { throw UpstreamAddressError("'\(text)': only https:// upstreams take a path") }
            let (host, port) = try splitHostPort(rest, defaultPort: kind == .tls ? 853 : 53, original: text)
            guard isIPLiteral(host) else {
                throw UpstreamAddressError("'\(text)': '\(host)' is not an IP address (\(kind.rawValue):// upstreams take an address, not a name)")
            }
            result.host = host
            result.port = port
        case .https:
            if let at = rest.lastIndex(of: "@") {
                let address = String(rest[rest.index(after: at)...])
                guard isIPLiteral(address) else { throw UpstreamAddressError("'\(text)': '\(address)' after @ is not an IP address") }
                result.fixedAddress = address
                rest = String(rest[..<at])
            }
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            result.path = slash < rest.endIndex ? String(rest[slash...]) : "/dns-query"
            let (host, port) = try splitHostPort(String(rest[..<slash]), defaultPort: 443, original: text)
            result.host = host
            result.port = port
            result.verifyName = isIPLiteral(host) ? nil : host
        }
        return result
    }

    /// The address to connect to. For DoH without `@IP` this resolves the host name (blocking
    /// getaddrinfo): call it when the configuration is built, not on the query path.
    public func socketAddress() throws -> SocketAddress {
        let target = fixedAddress ?? host
        if isIPLiteral(target) { return try SocketAddress(ipAddress: target, port: port) }
        return try SocketAddress.makeAddressResolvingHost(target, port: port)
    }

    private static func splitHostPort(_ text: String, defaultPort: Int, original: String) throws(UpstreamAddressError) -> (String, Int) {
        var host = text
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw UpstreamAddressError("'\(original)': missing ']' after the IPv6 address") }
            host = String(text[text.index(after: text.startIndex)..<close])
            let after = text[text.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                throw UpstreamAddressError("'\(original)': unexpected '\(after)' after the address")
            }
        } else if let colon = text.lastIndex(of: ":") {
            guard text.firstIndex(of: ":") == colon else {
                throw UpstreamAddressError("'\(original)': put IPv6 addresses in brackets, e.g. udp://[::1]:53")
            }
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty else { throw UpstreamAddressError("'\(original)': missing host") }
        guard let portText else { return (host, defaultPort) }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw UpstreamAddressError("'\(original)': '\(portText)' is not a port (1-65535)")
        }
        return (host, port)
    }
}

func isIPLiteral(_ text: String) -> Bool {
    (try? SocketAddress(ipAddress: text, port: 0)) != nil
}

/// A `to:` entry that does not parse.
public struct UpstreamAddressError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
