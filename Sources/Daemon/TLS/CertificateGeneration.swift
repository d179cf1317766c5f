import NIOSSL

/// The certificates served at one moment, with the SNI lookup over them. Immutable: a reload
/// builds the next generation whole and swaps it in, and a connection keeps the generation it
/// was accepted with (a `NIOSSLServerHandler` stays bound to its context for life), so open
/// connections never see a half-applied reload.
final class CertificateGeneration: Sendable {
    let number: Int
    let certificates: [LoadedCertificate]
    let defaultIndex: Int
    private let exact: [String: Int]
    /// `*.example.com` is stored under `example.com`.
    private let wildcard: [String: Int]

    init(number: Int, certificates: [LoadedCertificate], defaultIndex: Int) {
        self.number = number
        self.certificates = certificates
        self.defaultIndex = min(defaultIndex, max(certificates.count - 1, 0))
        var exact: [String: Int] = [:], wildcard: [String: Int] = [:]
        // The first certificate to claim a name keeps it, as configured order says.
        for (index, certificate) in certificates.enumerated() {
            for name in certificate.sniNames {
                if name.hasPrefix("*.") {
                    if wildcard[String(name.dropFirst(2))] == nil { wildcard[String(name.dropFirst(2))] = index }
                } else if exact[name] == nil {
                    exact[name] = index
                }
            }
        }
        self.exact = exact
        self.wildcard = wildcard
    }

    /// The certificate for a client's SNI name: an exact name, else a wildcard one label up,
    /// else the default (no SNI, an IP address, or a name nobody claims).
    func certificate(forServerName name: String?) -> LoadedCertificate {
        guard var name = name?.lowercased(), !name.isEmpty else { return certificates[defaultIndex] }
        if name.hasSuffix(".") { name.removeLast() }
        if let index = exact[name] { return certificates[index] }
        if let dot = name.firstIndex(of: "."), let index = wildcard[String(name[name.index(after: dot)...])] {
            return certificates[index]
        }
        return certificates[defaultIndex]
    }

    /// The TLS context for one listener kind.
    func context(forServerName name: String?, kind: TLSListenerKind) -> NIOSSLContext {
        let certificate = certificate(forServerName: name)
        switch kind {
        case .dot: return certificate.dotContext
        case .doh: return certificate.dohContext
        }
    }
}

/// Which ALPN set a listener's TLS context offers.
enum TLSListenerKind: Sendable {
    case dot, doh
}
