import DNSProto
import Testing
@testable import Resolver

/// Signature checks against zones signed by BIND's dnssec-signzone (Fixtures/DNSSEC), one zone
/// per algorithm: real keys and signatures, so a canonical-form or encoding mistake fails here.
@Suite("DNSSEC verification")
struct DNSSECVerificationTests {
    static let algorithmZones = ["rsasha256.test", "rsasha512.test", "ecdsap256.test", "ecdsap384.test", "ed25519.test"]

    static func keys(_ zone: SignedZoneFixture) throws -> [DNSKEY] {
        let outcome = try zone.authenticatedKeys()
        guard case .secure(let keys) = outcome else {
            Issue.record("\(zone.origin) keys did not authenticate: \(outcome)")
            return []
        }
        return keys
    }

    static func verify(_ zone: SignedZoneFixture, _ rrset: [ResourceRecord], _ name: String,
                       now: UInt32 = SignedZoneFixture.now, budget: ValidationBudget = ValidationBudget()) throws
        -> Result<RRSIG, DNSSECFailure> {
        RRsetVerifier(zone: zone.origin, keys: try keys(zone))
            .verify(rrset: rrset, signatures: try zone.signatures(name), now: now, budget: budget)
    }

    @Test(arguments: algorithmZones)
    func everyRRsetOfASignedZoneVerifies(zone: String) throws {
        let fixture = try SignedZoneFixture(zone)
        let keys = try Self.keys(fixture)
        #expect(keys.count == 2)
        // Every RRset the signer signed: SOA with "Hostmaster" and MX with "Mail" check the
        // lower-casing of names inside RDATA, www's two A records the canonical order.
        for (name, type) in [("@", RecordType.soa), ("@", .ns), ("@", .mx), ("www", .a), ("www", .aaaa),
                             ("txt", .txt), ("*.wild", .a), ("@", .nsec), ("www", .nsec)] {
            let rrset = try fixture.rrset(name, type)
            #expect(!rrset.isEmpty, "\(zone) \(name) \(type)")
            let result = try Self.verify(fixture, rrset, name)
            #expect((try? result.get()) != nil, "\(zone) \(name) \(type): \(result)")
        }
    }

    @Test(arguments: algorithmZones)
    func aTamperedRecordIsBogus(zone: String) throws {
        let fixture = try SignedZoneFixture(zone)
        var rrset = try fixture.rrset("www", .a)
        rrset[0].rdata = .a(IPv4Address("192.0.2.66")!)
        let result = try Self.verify(fixture, rrset, "www")
        guard case .failure(.bogus) = result else {
            Issue.record("\(zone): a forged A record gave \(result)")
            return
        }
    }

    @Test func aFlippedSignatureBitIsBogus() throws {
        let fixture = try SignedZoneFixture("ed25519.test")
        var signatures = try fixture.signatures("www")
        for index in signatures.indices { signatures[index].signature[5] ^= 0x01 }
        let result = RRsetVerifier(zone: fixture.origin, keys: try Self.keys(fixture))
            .verify(rrset: try fixture.rrset("www", .a), signatures: signatures, now: SignedZoneFixture.now,
                    budget: ValidationBudget())
        #expect(result == .failure(.bogus("signature over www.ed25519.test. A does not verify with ed25519.test.'s key")))
    }

    @Test func aWildcardExpansionVerifiesAgainstTheSignatureAtTheStar() throws {
        let fixture = try SignedZoneFixture("ecdsap256.test")
        let owner = try DNSName("anything.wild.ecdsap256.test.")
        let expanded = try fixture.rrset("*.wild", .a).map { record in
            var record = record
            record.name = owner
            return record
        }
        let result = RRsetVerifier(zone: fixture.origin, keys: try Self.keys(fixture))
            .verify(rrset: expanded, signatures: try fixture.signatures("*.wild"), now: SignedZoneFixture.now,
                    budget: ValidationBudget())
        #expect((try? result.get())?.labels == 3)
        // The same signature claimed for a name with fewer labels than it covers is refused.
        let short = try DNSName("wild.ecdsap256.test.")
        #expect(throws: SignedData.Mismatch.labelCount) { try SignedData.canonicalOwner(short, labels: 4) }
    }

    @Test func signaturesOutsideTheirWindowAreReportedAsSuch() throws {
        let fixture = try SignedZoneFixture("expired.test")
        // Signed for 2021 only: in 2026 it has expired, in 2020 it is not valid yet.
        let inside: UInt32 = 1_625_097_600  // 2021-07-01
        guard case .secure = try fixture.authenticatedKeys(now: inside) else {
            Issue.record("keys refused inside their signatures' window")
            return
        }
        guard case .bogus(let expired) = try fixture.authenticatedKeys() else {
            Issue.record("expired keys accepted")
            return
        }
        #expect(expired.extendedErrorCode == ExtendedErrorCode.signatureExpired)
        guard case .bogus(let early) = try fixture.authenticatedKeys(now: 1_577_836_800 - 86_400) else {
            Issue.record("keys accepted before their signatures' inception")
            return
        }
        #expect(early.extendedErrorCode == ExtendedErrorCode.signatureNotYetValid)
        // Data RRsets too, with keys that were good at the time.
        guard case .secure(let keys) = try fixture.authenticatedKeys(now: inside) else { return }
        let result = RRsetVerifier(zone: fixture.origin, keys: keys)
            .verify(rrset: try fixture.rrset("www", .a), signatures: try fixture.signatures("www"),
                    now: SignedZoneFixture.now, budget: ValidationBudget())
        #expect(result == .failure(.signatureExpired("every RRSIG over www.expired.test. A has expired")))
    }

    @Test func aSignatureWhoseKeyTagMatchesNoKeyIsDNSKEYMissing() throws {
        let fixture = try SignedZoneFixture("ecdsap384.test")
        var signatures = try fixture.signatures("www")
        for index in signatures.indices { signatures[index].keyTag &+= 1 }
        let result = RRsetVerifier(zone: fixture.origin, keys: try Self.keys(fixture))
            .verify(rrset: try fixture.rrset("www", .a), signatures: signatures, now: SignedZoneFixture.now,
                    budget: ValidationBudget())
        guard case .failure(let failure) = result else { Issue.record("verified with a wrong key tag"); return }
        #expect(failure.extendedErrorCode == ExtendedErrorCode.dnskeyMissing)
    }

    @Test func anRRsetWithoutSignaturesIsRRSIGsMissing() throws {
        let fixture = try SignedZoneFixture("rsasha256.test")
        let result = RRsetVerifier(zone: fixture.origin, keys: try Self.keys(fixture))
            .verify(rrset: try fixture.rrset("www", .a), signatures: [], now: SignedZoneFixture.now,
                    budget: ValidationBudget())
        guard case .failure(let failure) = result else { Issue.record("verified without signatures"); return }
        #expect(failure.extendedErrorCode == ExtendedErrorCode.rrsigsMissing)
    }

    @Test func aDSThatMatchesNoKeyLeavesTheZoneWithoutKeys() throws {
        let fixture = try SignedZoneFixture("ecdsap256.test")
        var ds = fixture.ds
        ds[0].digest[0] ^= 0xFF
        let outcome = DNSKEYAuthenticator.authenticate(
            zone: fixture.origin, keys: try fixture.rrset("@", .dnskey), signatures: try fixture.signatures("@"),
            ds: ds, now: SignedZoneFixture.now, budget: ValidationBudget())
        #expect(outcome == .bogus(.dnskeyMissing("no DNSKEY of ecdsap256.test. matches its DS records")))
        // Another zone's DS (right digest type, wrong key) is no better.
        let other = try SignedZoneFixture("ed25519.test")
        let crossed = DNSKEYAuthenticator.authenticate(
            zone: fixture.origin, keys: try fixture.rrset("@", .dnskey), signatures: try fixture.signatures("@"),
            ds: other.ds, now: SignedZoneFixture.now, budget: ValidationBudget())
        guard case .bogus = crossed else { Issue.record("another zone's DS accepted: \(crossed)"); return }
    }

    @Test func aDSOfUnsupportedAlgorithmOrDigestMakesTheZoneInsecure() throws {
        let fixture = try SignedZoneFixture("ecdsap256.test")
        let gost = fixture.ds.map { DS(keyTag: $0.keyTag, algorithm: $0.algorithm, digestType: 3, digest: $0.digest) }
        let rsaMD5 = fixture.ds.map { DS(keyTag: $0.keyTag, algorithm: 1, digestType: $0.digestType, digest: $0.digest) }
        for ds in [gost, rsaMD5] {
            let outcome = DNSKEYAuthenticator.authenticate(
                zone: fixture.origin, keys: try fixture.rrset("@", .dnskey), signatures: try fixture.signatures("@"),
                ds: ds, now: SignedZoneFixture.now, budget: ValidationBudget())
            guard case .insecure = outcome else { Issue.record("\(ds): \(outcome)"); continue }
        }
    }

    @Test func sha1DigestsCountOnlyWithoutAStrongerDS() throws {
        let fixture = try SignedZoneFixture("ecdsap256.test")
        let ksk = try #require(fixture.keys.first { $0.isSecureEntryPoint })
        let sha1 = DS(keyTag: ksk.keyTag, algorithm: ksk.algorithm, digestType: 1,
                      digest: DSDigestType.sha1.digest(owner: fixture.origin, key: ksk))
        let sha384 = DS(keyTag: ksk.keyTag, algorithm: ksk.algorithm, digestType: 4,
                        digest: DSDigestType.sha384.digest(owner: fixture.origin, key: ksk))
        #expect(DSDigestType.matches(sha1, owner: fixture.origin, key: ksk))
        #expect(DSDigestType.matches(sha384, owner: fixture.origin, key: ksk))
        #expect(DSDigestType.matches(fixture.ds[0], owner: fixture.origin, key: ksk))
        #expect(DSDigestType.usable([sha1]) == [sha1])
        #expect(DSDigestType.usable([sha1, fixture.ds[0]]) == [fixture.ds[0]])
        #expect(DSDigestType.usable([sha384, sha1]) == [sha384])
        // BIND's own SHA-256 DS is what the fixture's dsset holds; its key tag is the KSK's.
        #expect(fixture.ds[0].keyTag == ksk.keyTag && fixture.ds[0].digestType == 2)
    }

    @Test func theKeyTagIsTheOneBINDPrinted() throws {
        // BIND names the key tag in the DS it wrote and in every RRSIG; RFC 4034 Appendix B's
        // sum must give the same numbers.
        for zone in Self.algorithmZones {
            let fixture = try SignedZoneFixture(zone)
            let tags = Set(fixture.keys.map(\.keyTag))
            let signedBy = Set(fixture.records.compactMap { record -> UInt16? in
                if case .rrsig(let sig) = record.rdata { return sig.keyTag }
                return nil
            })
            #expect(signedBy == tags, "\(zone)")
            #expect(fixture.ds.allSatisfy { tags.contains($0.keyTag) }, "\(zone)")
        }
    }

    @Test func validityWindowsUseSerialNumberArithmeticAndASkew() {
        // A window across the 2106 wrap of the 32-bit counter.
        #expect(SignatureValidity.check(inception: 0xFFFF_F000, expiration: 0x0000_1000, now: 0x10) == .valid)
        #expect(SignatureValidity.check(inception: 0xFFFF_F000, expiration: 0x0000_1000, now: 0x2000) == .expired)
        // 300 seconds of slack each way, not more.
        #expect(SignatureValidity.check(inception: 10_000, expiration: 20_000, now: 9_800) == .valid)
        #expect(SignatureValidity.check(inception: 10_000, expiration: 20_000, now: 9_600) == .notYetValid)
        #expect(SignatureValidity.check(inception: 10_000, expiration: 20_000, now: 20_200) == .valid)
        #expect(SignatureValidity.check(inception: 10_000, expiration: 20_000, now: 20_400) == .expired)
    }

    /// KeyTrap (CVE-2023-50387): many keys share the signing key's tag and algorithm. The
    /// verifier tries a bounded number of them per RRSIG, so the cost stays within the budget
    /// instead of growing with the number of colliding keys.
    @Test func collidingKeyTagsCostABoundedNumberOfChecks() throws {
        let fixture = try SignedZoneFixture("ed25519.test")
        let zsk = try #require(try Self.keys(fixture).first { !$0.isSecureEntryPoint })
        // Moving one unit between two high-order octets keeps RFC 4034 Appendix B's sum.
        let impostors = (0..<50).map { index -> DNSKEY in
            var key = zsk
            let from = 2 * (index % 8), to = 2 * (index % 8) + 16
            key.publicKey[from] = key.publicKey[from] &+ UInt8(index / 8 + 1)
            key.publicKey[to] = key.publicKey[to] &- UInt8(index / 8 + 1)
            return key
        }.filter { $0.keyTag == zsk.keyTag && $0 != zsk }
        #expect(impostors.count >= 20, "colliding keys made: \(impostors.count)")
        let budget = ValidationBudget()
        let result = RRsetVerifier(zone: fixture.origin, keys: impostors + [zsk])
            .verify(rrset: try fixture.rrset("www", .a), signatures: try fixture.signatures("www"),
                    now: SignedZoneFixture.now, budget: budget)
        guard case .failure(.bogus) = result else { Issue.record("\(result)"); return }
        #expect(budget.signatureChecks <= budget.limits.keysPerSignature, "\(budget.signatureChecks) checks")
        // With the real key among the first tried, the same RRset verifies.
        let honest = RRsetVerifier(zone: fixture.origin, keys: [zsk] + impostors)
            .verify(rrset: try fixture.rrset("www", .a), signatures: try fixture.signatures("www"),
                    now: SignedZoneFixture.now, budget: ValidationBudget())
        #expect((try? honest.get()) != nil)
    }

    @Test func aSpentBudgetStopsValidation() throws {
        let fixture = try SignedZoneFixture("ecdsap256.test")
        let keys = try Self.keys(fixture)
        let budget = ValidationBudget(limits: .init(signatureChecks: 1, nsec3Hashes: 0, keysPerSignature: 4, signaturesPerRRset: 8))
        let verifier = RRsetVerifier(zone: fixture.origin, keys: keys)
        #expect((try? verifier.verify(rrset: try fixture.rrset("www", .a), signatures: try fixture.signatures("www"),
                                      now: SignedZoneFixture.now, budget: budget).get()) != nil)
        let second = verifier.verify(rrset: try fixture.rrset("txt", .txt), signatures: try fixture.signatures("txt"),
                                     now: SignedZoneFixture.now, budget: budget)
        guard case .failure(.budgetExhausted) = second else { Issue.record("\(second)"); return }
    }

    @Test func nsec3HashesMatchRFC5155AppendixA() throws {
        // RFC 5155 Appendix A: salt aabbccdd, 12 iterations.
        let salt: [UInt8] = [0xAA, 0xBB, 0xCC, 0xDD]
        #expect(Base32HexEncoding.encode(NSEC3Hash.hash(try DNSName("example."), salt: salt, iterations: 12))
                == "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom")
        #expect(Base32HexEncoding.encode(NSEC3Hash.hash(try DNSName("A.Example."), salt: salt, iterations: 12))
                == "35mthgpgcu1qg68fab165klnsnk3dpvl")
    }

    @Test func validatedTTLsAreCappedByTheSignature() throws {
        let fixture = try SignedZoneFixture("ecdsap256.test")
        let owner = try DNSName("www.ecdsap256.test.")
        var records = try fixture.rrset("www", .a) + fixture.records.filter { record in
            guard record.name == owner, case .rrsig(let rrsig) = record.rdata else { return false }
            return rrsig.typeCovered == .a
        }
        for index in records.indices { records[index].ttl = 86_400 }
        // The original TTL (3600) caps a longer TTL; an expiration 100 s away caps both.
        #expect(SignatureTTL.cap(records, now: SignedZoneFixture.now).allSatisfy { $0.ttl == 3600 })
        let expiration = try #require(records.compactMap { record -> UInt32? in
            if case .rrsig(let rrsig) = record.rdata { return rrsig.expiration }
            return nil
        }.first)
        #expect(SignatureTTL.cap(records, now: expiration - 100).allSatisfy { $0.ttl == 100 })
    }
}
