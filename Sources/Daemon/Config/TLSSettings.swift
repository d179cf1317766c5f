import Foundation

/// The `tls:` section: the certificates DoT (`tls://`) and DoH (`https://`) listeners serve.
///
/// ```yaml
/// tls:
///   - name: main
///     cert: /etc/letsencrypt/live/dns.example/fullchain.pem
///     key: /etc/letsencrypt/live/dns.example/privkey.pem
///     watch: true                 # reload when the files change (inotify on the directories)
///   - {name: lab, cert: lab.pem, key: lab.key, sni: [dns.lab.example]}
/// ```
///
/// Only the structure is checked here; the files are read when dnsd starts (a bad file stops
/// the start) and on every reload (a bad file keeps the old certificate). Reading them here
/// would make `config.reload` fail whenever a certificate is mid-renewal.
public struct TLSSettings: Sendable, Equatable {
    public var certificates: [CertificateSettings] = []

    /// One certificate: its files, the names it answers for, and whether to watch the files.
    public struct CertificateSettings: Sendable, Equatable {
        /// The operator's handle in `tls.info NAME`, logs and metrics.
        public var name: String
        /// PEM: the leaf first, then the intermediates (certbot's fullchain.pem).
        public var certPath: String
        /// PEM private key (PKCS#8, SEC1 or PKCS#1), unencrypted.
        public var keyPath: String
        /// SNI names (lower case; `*.example.com` matches one label). Empty: the certificate's
        /// DNS subject alternative names, re-read on every reload.
        public var sni: [String]
        /// Reload on file changes.
        public var watch: Bool
        /// Serve this one to clients without SNI or with an unknown name; else the first.
        public var isDefault: Bool
    }

    /// The certificate for clients without a (known) SNI name.
    public var defaultIndex: Int { certificates.firstIndex(where: \.isDefault) ?? 0 }

    static let certificateKeys: Set<String> = ["name", "cert", "key", "sni", "watch", "default"]

    /// Parses `tls:` (absent: no certificates) and checks that `tls://`/`https://` listeners
    /// have a certificate to serve.
    static func parse(_ node: ConfigNode?, listeners: [ListenAddress], listenNode: ConfigNode,
                      baseDirectory: String) throws -> TLSSettings {
        var settings = TLSSettings()
        guard let node else {
            if let needing = listeners.first(where: \.needsCertificate) {
                throw listenNode.error("\(needing) needs a certificate: add a 'tls:' section (see docs/tls.md)")
            }
            return settings
        }
        var names = Set<String>()
        for entry in try node.list() {
            let keys = try entry.mapping(allowed: certificateKeys)
            guard let nameNode = keys["name"] else { throw entry.error("missing 'name' (e.g. name: main)") }
            let name = try nameNode.string()
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
                throw nameNode.error("a certificate name is letters, digits, '-', '_' and '.', found '\(name)'")
            }
            guard names.insert(name).inserted else { throw nameNode.error("certificate '\(name)' is defined twice") }
            guard let cert = keys["cert"] else { throw entry.error("missing 'cert' (the PEM certificate chain, e.g. fullchain.pem)") }
            guard let key = keys["key"] else { throw entry.error("missing 'key' (the PEM private key, e.g. privkey.pem)") }
            var sni: [String] = []
            if let sniNode = keys["sni"] {
                for item in try sniNode.list() {
                    let text = try item.string().lowercased()
                    let bare = text.hasSuffix(".") ? String(text.dropLast()) : text
                    guard Self.isValidSNIPattern(bare) else {
                        throw item.error("'\(text)' is not a host name (wildcards only as the whole first label: *.example.com)")
                    }
                    sni.append(bare)
                }
            }
            let isDefault = try keys["default"]?.bool() ?? false
            if isDefault, settings.certificates.contains(where: \.isDefault) {
                throw keys["default"]!.error("only one certificate can be the default")
            }
            settings.certificates.append(CertificateSettings(
                name: name, certPath: try cert.filePath(relativeTo: baseDirectory), keyPath: try key.filePath(relativeTo: baseDirectory),
                sni: sni, watch: try keys["watch"]?.bool() ?? false, isDefault: isDefault))
        }
        if settings.certificates.isEmpty, let needing = listeners.first(where: \.needsCertificate) {
            throw node.error("\(needing) needs a certificate, and 'tls' lists none")
        }
        return settings
    }

    /// `host.example`, or `*.example` with the wildcard as the whole first label.
    static func isValidSNIPattern(_ text: String) -> Bool {
        var labels = text.split(separator: ".", omittingEmptySubsequences: false)
        guard !labels.isEmpty, text.count <= 253 else { return false }
        if labels[0] == "*" {
            guard labels.count >= 2 else { return false }
            labels.removeFirst()
        }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
        }
    }
}
