import Foundation

/// The records of a KeyTrap zone (CVE-2023-50387): DNSKEYs that all share one key tag and
/// algorithm, and RRSIGs naming that tag, so a validator that tries every key for every
/// signature does keys x signatures verifications. The keys are not real Ed25519 keys (random
/// bytes, two of them chosen to hit the tag) and the signatures are random bytes: nothing
/// verifies, which is the point.
enum KeyTrapRecords {
    /// The key tag every forged key and signature carries.
    static let tag: UInt16 = 4242
    /// ED25519 (RFC 8080).
    static let algorithm: UInt8 = 15

    /// `count` DNSKEY lines (zone keys) for `owner` whose key tag is `tag`.
    static func collidingKeys(owner: String, count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in
            var key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
            // RFC 4034 Appendix B: the tag is a ones'-complement-like sum of 16-bit words; the
            // last two key bytes form one word, so one of the 65536 values hits the tag.
            for word in 0...0xFFFF {
                key[30] = UInt8(word >> 8)
                key[31] = UInt8(word & 0xFF)
                if keyTag(flags: 256, key: key) == tag { break }
            }
            return "\(owner) 3600 IN DNSKEY 256 3 \(algorithm) \(Data(key).base64EncodedString())"
        }.joined(separator: "\n") + "\n"
    }

    /// `count` RRSIG lines over `owner`'s A RRset naming key `tag` of `signer`, valid now.
    static func forgedSignatures(owner: String, signer: String, count: Int) -> String {
        let labels = owner.split(separator: ".").count
        return (0..<count).map { _ in
            let signature = Data((0..<64).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            return "\(owner) 3600 IN RRSIG A \(algorithm) \(labels) 3600 20361231000000 20200101000000 \(tag) \(signer) \(signature)"
        }.joined(separator: "\n") + "\n"
    }

    /// RFC 4034 Appendix B over the DNSKEY RDATA (flags, protocol 3, algorithm, key).
    static func keyTag(flags: UInt16, key: [UInt8]) -> UInt16 {
        let rdata = [UInt8(flags >> 8), UInt8(flags & 0xFF), 3, algorithm] + key
        var sum: UInt32 = 0
        for (index, byte) in rdata.enumerated() { sum += index & 1 == 0 ? UInt32(byte) << 8 : UInt32(byte) }
        sum += (sum >> 16) & 0xFFFF
        return UInt16(sum & 0xFFFF)
    }
}
