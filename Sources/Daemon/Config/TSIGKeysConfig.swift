import DNSProto
import Foundation
import Resolver

/// YAML for `tsig_keys:`: a list of `{name, algorithm, secret}` or `{name, algorithm,
/// secret_file}` (the base64 secret alone in a file, e.g. the `secret` line `tsig-keygen` or
/// `keymgr -t` prints). Algorithms: hmac-sha256 (the default), hmac-sha384, hmac-sha512.
/// A key that cannot be used (unknown algorithm, bad base64, a secret shorter than 16 bytes,
/// an unreadable file, a name given twice) stops the load with the line that defines it.
enum TSIGKeysConfig {
    static func parse(_ node: ConfigNode, baseDirectory: String) throws -> [TSIGKey] {
        var keys: [TSIGKey] = []
        for entry in try node.list() {
            let fields = try entry.mapping(allowed: ["name", "algorithm", "secret", "secret_file"])
            guard let nameNode = fields["name"] else { throw entry.error("a TSIG key needs a 'name'") }
            let text = try nameNode.string()
            guard let name = try? DNSName(text.hasSuffix(".") ? text : text + ".") else {
                throw nameNode.error("'\(text)' is not a domain name (TSIG key names are names, e.g. transfer.example.)")
            }
            guard !keys.contains(where: { $0.name == name.lowercased }) else { throw nameNode.error("TSIG key \(name) is defined twice") }
            var algorithm = TSIGKey.Algorithm.hmacSHA256
            if let algorithmNode = fields["algorithm"] {
                let value = try algorithmNode.string().lowercased()
                guard let known = TSIGKey.Algorithm(rawValue: value) else {
                    let names = TSIGKey.Algorithm.allCases.map(\.rawValue).joined(separator: ", ")
                    throw algorithmNode.error("unknown TSIG algorithm '\(value)' (use \(names))")
                }
                algorithm = known
            }
            let secretText: String
            let secretNode: ConfigNode
            switch (fields["secret"], fields["secret_file"]) {
            case (let inline?, nil):
                secretText = try inline.string()
                secretNode = inline
            case (nil, let file?):
                let resolved = try file.filePath(relativeTo: baseDirectory)
                guard let data = FileManager.default.contents(atPath: resolved) else { throw file.error("cannot read the TSIG secret file \(resolved)") }
                secretText = String(decoding: data, as: UTF8.self)
                secretNode = file
            default:
                throw entry.error("TSIG key \(name) needs exactly one of 'secret' (base64) or 'secret_file'")
            }
            let cleaned = secretText.filter { !$0.isWhitespace }
            guard let secret = Base64Encoding.decode(cleaned), !cleaned.isEmpty else {
                throw secretNode.error("the secret of TSIG key \(name) is not base64")
            }
            // RFC 8945 §6: a secret shorter than the hash's output weakens it; below 16 bytes
            // is a typo or a placeholder, not a key.
            guard secret.count >= 16 else {
                throw secretNode.error("the secret of TSIG key \(name) is \(secret.count) bytes; use at least 16 (e.g. tsig-keygen output)")
            }
            keys.append(TSIGKey(name: name, algorithm: algorithm, secret: secret))
        }
        return keys
    }
}
