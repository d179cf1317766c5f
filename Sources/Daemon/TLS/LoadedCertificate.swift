import Foundation
import NIOSSL
import X509

/// One certificate as read, checked and made ready to serve: the TLS contexts for DoT and
/// DoH, the names it answers for, and what `tls.info` shows. Immutable; a reload makes a new
/// one and the old one lives on in the connections that still use its contexts.
struct LoadedCertificate: Sendable {
    let settings: TLSSettings.CertificateSettings
    /// The file bytes as read, so a reload can tell "unchanged" without parsing.
    let certBytes: [UInt8]
    let keyBytes: [UInt8]
    /// Leaf first.
    let chain: [Certificate]
    /// ALPN `dot` (RFC 7858 §3.2); clients that offer no ALPN still connect.
    let dotContext: NIOSSLContext
    /// ALPN `h2`, `http/1.1` (RFC 8484 §5.2 requires HTTP/2 or later to be possible).
    let dohContext: NIOSSLContext
    /// Lower-case SNI names and `*.suffix` patterns this certificate is chosen for.
    let sniNames: [String]
    /// SHA-256 of the leaf's DER, as `AB:CD:...` (what `openssl x509 -fingerprint -sha256` prints).
    let fingerprint: String

    var leaf: Certificate { chain[0] }

    /// Serial number in upper-case hex without leading zero bytes, as `openssl x509 -serial` prints it.
    var serial: String { Self.hex(leaf.serialNumber.bytes) }
    var notBefore: Date { leaf.notValidBefore }
    var notAfter: Date { leaf.notValidAfter }
    var subject: String { leaf.subject.description }
    var issuer: String { leaf.issuer.description }

    /// DNS names and IP addresses from the subjectAltName extension.
    var subjectAlternativeNames: [String] { Self.alternativeNames(of: leaf) }

    static func alternativeNames(of certificate: Certificate) -> [String] {
        guard let names = try? certificate.extensions.subjectAlternativeNames else { return [] }
        return names.compactMap { name in
            switch name {
            case .dnsName(let text): return text
            case .ipAddress(let octets): return Self.ipText(Array(octets.bytes))
            default: return nil
            }
        }
    }

    static func hex<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var trimmed = Array(bytes.drop(while: { $0 == 0 }))
        if trimmed.isEmpty { trimmed = [0] }
        return trimmed.map { byte in
            let text = String(byte, radix: 16, uppercase: true)
            return byte < 16 ? "0" + text : text
        }.joined()
    }

    private static func ipText(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        guard bytes.count == 16 else { return hex(bytes) }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }
}
