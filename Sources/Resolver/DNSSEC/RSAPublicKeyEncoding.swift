/// An RSA public key from its DNSKEY form (RFC 3110 §2) to the PKCS#1 `RSAPublicKey` DER that
/// swift-crypto reads (`SEQUENCE { INTEGER modulus, INTEGER publicExponent }`). This is format
/// conversion only; every cryptographic step stays in swift-crypto.
enum RSAPublicKeyEncoding {
    /// The exponent and modulus of an RFC 3110 key: a one-octet exponent length (or zero and a
    /// two-octet length), the exponent, then the modulus. nil when malformed.
    static func components(_ key: [UInt8]) -> (exponent: ArraySlice<UInt8>, modulus: ArraySlice<UInt8>)? {
        guard let first = key.first else { return nil }
        var start = 1
        var length = Int(first)
        if first == 0 {
            guard key.count >= 3 else { return nil }
            length = Int(key[1]) << 8 | Int(key[2])
            start = 3
        }
        guard length > 0, key.count > start + length else { return nil }
        return (key[start..<(start + length)], key[(start + length)...])
    }

    /// Bits in the modulus, leading zero bits not counted.
    static func modulusBits(_ modulus: ArraySlice<UInt8>) -> Int {
        guard let index = modulus.firstIndex(where: { $0 != 0 }) else { return 0 }
        return (modulus.endIndex - index) * 8 - modulus[index].leadingZeroBitCount
    }

    /// PKCS#1 DER for the key, nil when the RFC 3110 bytes are malformed.
    static func pkcs1DER(_ key: [UInt8]) -> [UInt8]? {
        guard case let (exponent, modulus)? = components(key) else { return nil }
        let body = integer(modulus) + integer(exponent)
        return [0x30] + length(body.count) + body
    }

    private static func integer(_ magnitude: ArraySlice<UInt8>) -> [UInt8] {
        var content = Array(magnitude.drop { $0 == 0 })
        // DER integers are signed: a set top bit needs a zero octet in front to stay positive.
        if content.isEmpty || content[0] & 0x80 != 0 { content.insert(0, at: 0) }
        return [0x02] + length(content.count) + content
    }

    private static func length(_ count: Int) -> [UInt8] {
        if count < 0x80 { return [UInt8(count)] }
        var octets: [UInt8] = []
        var rest = count
        while rest > 0 { octets.insert(UInt8(rest & 0xFF), at: 0); rest >>= 8 }
        return [0x80 | UInt8(octets.count)] + octets
    }
}
