import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509
#if canImport(Glibc)
import Glibc
#endif

/// Reads one configured certificate and its key and checks everything BoringSSL would not
/// (docs/tls.md "What is checked"): each file read once, PEM complete, every certificate in
/// date, each issued by the next, the key matching the leaf, and the chain no shorter than the
/// one being served. Blocking file I/O: call it off the event loops.
enum CertificateLoader {
    /// Certificate and key files are a few KiB; anything this big is not one.
    static let maxFileSize = 1 << 20

    /// - Parameters:
    ///   - servingChainLength: the chain length now served under this name, if any.
    ///   - allowShorterChain: accept fewer certificates than that (an intentional change of chain).
    static func load(_ settings: TLSSettings.CertificateSettings, servingChainLength: Int?, allowShorterChain: Bool,
                     now: Date = Date()) throws(CertificateLoadError) -> LoadedCertificate {
        try load(settings, certBytes: try read(settings.certPath), keyBytes: try read(settings.keyPath),
                 servingChainLength: servingChainLength, allowShorterChain: allowShorterChain, now: now)
    }

    /// The same, from file contents already read (a reload reads each file exactly once).
    static func load(_ settings: TLSSettings.CertificateSettings, certBytes: [UInt8], keyBytes: [UInt8],
                     servingChainLength: Int?, allowShorterChain: Bool, now: Date = Date()) throws(CertificateLoadError) -> LoadedCertificate {
        let certPath = settings.certPath, keyPath = settings.keyPath

        let certBlocks: [[UInt8]]
        do throws(CertificateProblem) { certBlocks = try PEMBlocks(certBytes).blocks.filter { $0.label == "CERTIFICATE" || $0.label == "TRUSTED CERTIFICATE" }.map(\.der) } catch {
            throw CertificateLoadError(file: certPath, problem: error)
        }
        guard !certBlocks.isEmpty else {
            throw CertificateLoadError(file: certPath, problem: .malformed("no CERTIFICATE block in the file"))
        }
        var chain: [Certificate] = []
        for (index, der) in certBlocks.enumerated() {
            do { chain.append(try Certificate(derEncoded: der)) } catch {
                throw CertificateLoadError(file: certPath, problem: .malformed("certificate \(index + 1) is not a valid X.509 certificate (\(error))"))
            }
        }
        try checkDates(chain, now: now, file: certPath)
        try checkLinks(chain, file: certPath)
        if let serving = servingChainLength, chain.count < serving, !allowShorterChain {
            throw CertificateLoadError(file: certPath, problem: .shorterChain(
                "holds \(chain.count) certificate(s) but the chain being served has \(serving): a file cut between two certificates looks like this; if the shorter chain is intended, reload with allow_shorter_chain"))
        }

        let keyDER: [UInt8]
        do throws(CertificateProblem) {
            guard let block = try PEMBlocks(keyBytes).blocks.first(where: { $0.label.hasSuffix("PRIVATE KEY") }) else {
                throw CertificateProblem.malformed("no PRIVATE KEY block in the file")
            }
            keyDER = block.der
        } catch {
            throw CertificateLoadError(file: keyPath, problem: error)
        }
        // The explicit comparison gives a clear message; BoringSSL's check below is the backstop
        // for key types swift-certificates does not know.
        if let keyDocument = try? PEMDocument(pemString: String(decoding: keyBytes, as: UTF8.self)),
           let key = try? Certificate.PrivateKey(pemDocument: keyDocument), key.publicKey != chain[0].publicKey {
            throw CertificateLoadError(file: keyPath, problem: .keyMismatch(
                "the private key does not belong to the certificate in \(certPath) (serial \(LoadedCertificate.hex(chain[0].serialNumber.bytes)))"))
        }

        let sslChain: [NIOSSLCertificate]
        let sslKey: NIOSSLPrivateKey
        do { sslChain = try certBlocks.map { try NIOSSLCertificate(bytes: $0, format: .der) } } catch {
            throw CertificateLoadError(file: certPath, problem: .rejected("BoringSSL cannot read the chain: \(error)"))
        }
        do { sslKey = try NIOSSLPrivateKey(bytes: keyDER, format: .der) } catch {
            throw CertificateLoadError(file: keyPath, problem: .malformed("not a usable private key (RSA, EC or Ed25519, unencrypted): \(error)"))
        }
        let dot = try context(chain: sslChain, key: sslKey, alpn: ["dot"], keyPath: keyPath)
        let doh = try context(chain: sslChain, key: sslKey, alpn: ["h2", "http/1.1"], keyPath: keyPath)

        let fingerprint = SHA256.hash(data: certBlocks[0]).map { byte in
            let text = String(byte, radix: 16, uppercase: true)
            return byte < 16 ? "0" + text : text
        }.joined(separator: ":")
        let names = settings.sni.isEmpty
            ? LoadedCertificate.alternativeNames(of: chain[0]).map { $0.lowercased() }.filter { TLSSettings.isValidSNIPattern($0) }
            : settings.sni
        return LoadedCertificate(settings: settings, certBytes: certBytes, keyBytes: keyBytes, chain: chain,
                                 dotContext: dot, dohContext: doh, sniNames: names, fingerprint: fingerprint)
    }

    /// The whole file, or the errno text (EACCES, ENOENT) with the path.
    static func read(_ path: String) throws(CertificateLoadError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CertificateLoadError(file: path, problem: .unreadable("cannot open: \(String(cString: strerror(errno)))"))
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CertificateLoadError(file: path, problem: .unreadable("cannot read: \(String(cString: strerror(errno)))"))
            }
            if count == 0 { break }
            bytes += chunk[..<count]
            if bytes.count > maxFileSize {
                throw CertificateLoadError(file: path, problem: .malformed("larger than \(maxFileSize) bytes: not a certificate or key file"))
            }
        }
        if bytes.isEmpty { throw CertificateLoadError(file: path, problem: .malformed("the file is empty")) }
        return bytes
    }

    private static func checkDates(_ chain: [Certificate], now: Date, file: String) throws(CertificateLoadError) {
        for (index, certificate) in chain.enumerated() {
            let which = "certificate \(index + 1) (\(certificate.subject), serial \(LoadedCertificate.hex(certificate.serialNumber.bytes)))"
            if now > certificate.notValidAfter {
                throw CertificateLoadError(file: file, problem: .expired("\(which) expired on \(ISO8601DateFormatter().string(from: certificate.notValidAfter))"))
            }
            if now < certificate.notValidBefore {
                throw CertificateLoadError(file: file, problem: .notYetValid("\(which) is not valid before \(ISO8601DateFormatter().string(from: certificate.notValidBefore))"))
            }
        }
    }

    /// Each certificate must be signed by the next one (RFC 8446 §4.4.2: the sender's chain
    /// is in order). The last one's issuer (a root) is the client's business.
    private static func checkLinks(_ chain: [Certificate], file: String) throws(CertificateLoadError) {
        for index in chain.indices.dropLast() {
            let child = chain[index], parent = chain[index + 1]
            guard child.issuer == parent.subject, parent.publicKey.isValidSignature(child.signature, for: child) else {
                throw CertificateLoadError(file: file, problem: .brokenChain(
                    "certificate \(index + 1) (\(child.subject)) is not issued by certificate \(index + 2) (\(parent.subject))"))
            }
        }
    }

    private static func context(chain: [NIOSSLCertificate], key: NIOSSLPrivateKey, alpn: [String],
                                keyPath: String) throws(CertificateLoadError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                                     privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = alpn
        do { return try NIOSSLContext(configuration: configuration) } catch NIOSSLError.failedToLoadPrivateKey {
            throw CertificateLoadError(file: keyPath, problem: .keyMismatch("the private key does not match the certificate"))
        } catch {
            throw CertificateLoadError(file: keyPath, problem: .rejected("BoringSSL refused the certificate and key: \(error)"))
        }
    }
}
