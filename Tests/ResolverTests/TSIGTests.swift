import DNSProto
import Testing
@testable import Resolver

/// TSIG against an independent implementation: the vectors are dnspython 2's output
/// (`Message.use_tsig` with the clock fixed at `time`), so the HMAC input layout (RFC 8945
/// §4.3.3), the record's wire form and the response chaining are checked byte for byte.
@Suite("TSIG")
struct TSIGTests {
    static let time: UInt64 = 1_765_000_000
    static let secret = Base64Encoding.decode("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")!
    static let name = try! DNSName("transfer.example.")
    /// SOA? example.test., ID 0x1234, no flags, signed with hmac-sha256.
    static let query = HexEncoding.decode(
        "123400000001000000000001076578616d706c6504746573740000060001087472616e73666572076578616d706c650000fa00ff00000000003d0b"
            + "686d61632d7368613235360000006933c340012c0020470d68d377fab429753012669b896c000104a1749e4976cebb189a259aea0122123400000000")!
    /// dnspython's `make_response` to it with AA set, signed over the query's MAC.
    static let response = HexEncoding.decode(
        "123484000001000000000001076578616d706c6504746573740000060001087472616e73666572076578616d706c650000fa00ff00000000003d0b"
            + "686d61632d7368613235360000006933c340012c002000cbf663345157cf3e5fef392bdfc508b474fe773c112472d1dce7206b2f7c95123400000000")!
    static let sha384Query = HexEncoding.decode(
        "123400000001000000000001076578616d706c6504746573740000060001087472616e73666572076578616d706c650000fa00ff00000000004d0b686d61632d73"
            + "68613338340000006933c340012c003086d5c5d8e97ab1334b4e7c34c6d821cff2782490217eeaf4b36650ae8a5b848dfacc1e69d50fd6e83bd1fe58eaea997a123400000000")!
    static let sha512Query = HexEncoding.decode(
        "123400000001000000000001076578616d706c6504746573740000060001087472616e73666572076578616d706c650000fa00ff00000000005d0b686d61632d73"
            + "68613531320000006933c340012c0040b060c0542c0f1c5a8a66ce74c93770321a842fae7237214c8ecfbab7f687d2827747ccffa04b73e68715012bff"
            + "f23ff9fe03779f3034d4cf5fa151b651b57800123400000000")!

    static func key(_ algorithm: TSIGKey.Algorithm = .hmacSHA256) -> TSIGKey {
        TSIGKey(name: name, algorithm: algorithm, secret: secret)
    }

    static func unsignedQuery() throws -> [UInt8] {
        try #require(try TSIGRecord.locate(in: query)).unsigned
    }

    @Test("a request signed by dnspython verifies, for each algorithm")
    func verifiesDnspython() throws {
        for (algorithm, bytes) in [(TSIGKey.Algorithm.hmacSHA256, Self.query), (.hmacSHA384, Self.sha384Query), (.hmacSHA512, Self.sha512Query)] {
            let verdict = TSIGSigner.verifyRequest(bytes, keyring: TSIGKeyring([Self.key(algorithm)]), now: Self.time + 10)
            guard case .signed(let key, let mac) = verdict else { Issue.record("\(algorithm): \(verdict)"); continue }
            #expect(key.algorithm == algorithm)
            #expect(mac.count == algorithm.macSize)
        }
    }

    @Test("signing a request gives dnspython's bytes")
    func signsLikeDnspython() throws {
        let signed = TSIGSigner.signRequest(try Self.unsignedQuery(), key: Self.key(), now: Self.time)
        #expect(signed.bytes == Self.query)
    }

    @Test("a response signed over the request MAC matches dnspython's and verifies")
    func response() throws {
        let requestMAC = try #require(try TSIGRecord.locate(in: Self.query)).record.mac
        let unsigned = try #require(try TSIGRecord.locate(in: Self.response)).unsigned
        var stream = TSIGSigner.Stream(key: Self.key(), requestMAC: requestMAC, now: Self.time)
        #expect(stream.sign(unsigned) == Self.response)
        #expect(TSIGSigner.verifyResponse(Self.response, key: Self.key(), requestMAC: requestMAC, now: Self.time))
        #expect(!TSIGSigner.verifyResponse(Self.response, key: Self.key(), requestMAC: [UInt8](repeating: 0, count: 32), now: Self.time))
    }

    @Test("unknown key, wrong secret and a stale time give BADKEY, BADSIG and BADTIME")
    func failures() throws {
        func error(_ verdict: TSIGSigner.Verdict) -> UInt16? {
            if case .failed(let error, _, _) = verdict { return error }
            return nil
        }
        let other = TSIGKey(name: try DNSName("other.example."), algorithm: .hmacSHA256, secret: Self.secret)
        #expect(error(TSIGSigner.verifyRequest(Self.query, keyring: TSIGKeyring([other]), now: Self.time)) == TSIGRecord.badKey)
        let wrongAlgorithm = Self.key(.hmacSHA512)
        #expect(error(TSIGSigner.verifyRequest(Self.query, keyring: TSIGKeyring([wrongAlgorithm]), now: Self.time)) == TSIGRecord.badKey)
        let wrongSecret = TSIGKey(name: Self.name, algorithm: .hmacSHA256, secret: [UInt8](repeating: 7, count: 32))
        #expect(error(TSIGSigner.verifyRequest(Self.query, keyring: TSIGKeyring([wrongSecret]), now: Self.time)) == TSIGRecord.badSig)
        #expect(error(TSIGSigner.verifyRequest(Self.query, keyring: TSIGKeyring([Self.key()]), now: Self.time + 301)) == TSIGRecord.badTime)
        var flipped = Self.query
        flipped[3] ^= 0x01
        #expect(error(TSIGSigner.verifyRequest(flipped, keyring: TSIGKeyring([Self.key()]), now: Self.time)) == TSIGRecord.badSig)
        if case .unsigned = TSIGSigner.verifyRequest(try Self.unsignedQuery(), keyring: TSIGKeyring([Self.key()])) {} else {
            Issue.record("an unsigned query is not unsigned")
        }
    }

    @Test("a secondary checks each message of a signed stream: the whole answer verifies, a changed byte or a wrong request MAC does not")
    func responseStream() throws {
        let requestMAC = try #require(try TSIGRecord.locate(in: Self.query)).record.mac
        let messages = try (0..<3).map { index in
            try #require(HexEncoding.decode("123484000000000100000000" + "03777777076578616d706c6504746573740000010001000000640004c000025" + "\(index)"))
        }
        var stream = TSIGSigner.Stream(key: Self.key(), requestMAC: requestMAC, now: Self.time)
        let signed = messages.map { stream.sign($0) }
        var verifier = TSIGSigner.ResponseVerifier(key: Self.key(), requestMAC: requestMAC)
        for (index, message) in signed.enumerated() {
            #expect(verifier.check(message, now: Self.time + 5) == messages[index], "message \(index)")
        }
        #expect(verifier.isComplete)
        var tampered = signed
        tampered[1][20] ^= 0x01
        var second = TSIGSigner.ResponseVerifier(key: Self.key(), requestMAC: requestMAC)
        #expect(second.check(tampered[0], now: Self.time) != nil)
        #expect(second.check(tampered[1], now: Self.time) == nil)
        var wrongRequest = TSIGSigner.ResponseVerifier(key: Self.key(), requestMAC: [UInt8](repeating: 0, count: 32))
        #expect(wrongRequest.check(signed[0], now: Self.time) == nil)
        // An unsigned first message is refused: the answer must start signed (RFC 8945 §5.3.1).
        var unsignedFirst = TSIGSigner.ResponseVerifier(key: Self.key(), requestMAC: requestMAC)
        #expect(unsignedFirst.check(messages[0], now: Self.time) == nil)
    }
}
