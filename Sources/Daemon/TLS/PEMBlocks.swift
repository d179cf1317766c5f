import Foundation

/// A strict reader of PEM files (RFC 7468): every `-----BEGIN X-----` must have its
/// `-----END X-----` and base64 that decodes.
///
/// Why not a library parser: a file cut short while certbot or an editor writes it must be
/// refused, not read as whatever came before the cut. Parsers that scan for blocks quietly
/// drop a half-written one (and `NIOSSLCertificateSource.file` crashes on one).
struct PEMBlocks {
    struct Block {
        /// The label, e.g. CERTIFICATE or PRIVATE KEY.
        var label: String
        var der: [UInt8]
    }

    var blocks: [Block]

    /// Parses `bytes`; the error says what is wrong in the file's terms (block number, line).
    init(_ bytes: [UInt8]) throws(CertificateProblem) {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .malformed("not a PEM file (it is not text)")
        }
        blocks = []
        var open: (label: String, line: Int, body: String)?
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.hasPrefix("-----BEGIN "), line.hasSuffix("-----") {
                if let open { throw .malformed("PEM block \(open.label) from line \(open.line) has no END line (the file is cut or garbled)") }
                open = (String(line.dropFirst(11).dropLast(5)), number + 1, "")
            } else if line.hasPrefix("-----END "), line.hasSuffix("-----") {
                let label = String(line.dropFirst(9).dropLast(5))
                guard let current = open, current.label == label else {
                    throw .malformed("line \(number + 1): END \(label) without a matching BEGIN")
                }
                guard let der = Data(base64Encoded: current.body), !der.isEmpty else {
                    throw .malformed("PEM block \(label) from line \(current.line) is not valid base64 (the file is cut or garbled)")
                }
                blocks.append(Block(label: label, der: Array(der)))
                open = nil
            } else if open != nil {
                // RFC 7468 §2: headers (Proc-Type etc.) mean an encrypted legacy key.
                if line.contains(":") { throw .malformed("encrypted PEM (\(line)) is not supported: store the key unencrypted, readable only by dnsd") }
                open!.body += line
            }
            // Text outside blocks (openssl's "Bag Attributes", comments) is allowed.
        }
        if let open { throw .malformed("PEM block \(open.label) from line \(open.line) has no END line (the file is cut short)") }
        if blocks.isEmpty { throw .malformed("no PEM block found (expected -----BEGIN ...-----)") }
    }
}
