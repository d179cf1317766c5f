import DNSProto
import Testing
@testable import Resolver

/// Answers of the zone plugin's lookup from zones signed by BIND's signer (NSEC and NSEC3
/// fixtures, Fixtures/DNSSEC), checked with dnsd's own validator parts: with DO every RRset
/// sent verifies with the zone's keys and the NSEC/NSEC3 records prove the denial or the
/// wildcard expansion; without DO no DNSSEC records are sent.
@Suite("Signed zone answers")
struct SignedZoneAnswerTests {
    static let fixtures = ["ecdsap256.test", "nsec3.test"]

    static func zone(_ name: String) throws -> (AuthoritativeZone, SignedZoneFixture) {
        let fixture = try SignedZoneFixture(name)
        return (try AuthoritativeZone(origin: fixture.origin, records: fixture.records), fixture)
    }

    /// `owner` relative to the zone ("" for the apex), absolute.
    static func name(_ owner: String, _ zone: AuthoritativeZone) -> String {
        owner.isEmpty ? "\(zone.origin)" : owner + "." + "\(zone.origin)"
    }

    static func ask(_ zone: AuthoritativeZone, _ owner: String, _ type: RecordType, dnssecOK: Bool = true) throws -> Message {
        zone.answer(ZoneFixture.query(name(owner, zone), type, edns: EDNS(dnssecOK: dnssecOK)))
    }

    /// Every RRset of the answer and authority sections verifies with the zone's keys.
    static func expectSigned(_ response: Message, _ fixture: SignedZoneFixture, _ label: String) throws {
        let verifier = RRsetVerifier(zone: fixture.origin, keys: fixture.keys)
        let records = response.answers + response.authorities
        let signatures = records.filter { $0.type == .rrsig }
        var sets: [String: [ResourceRecord]] = [:]
        for record in records where record.type != .rrsig { sets["\(record.name.lowercased) \(record.type)", default: []].append(record) }
        #expect(!sets.isEmpty, "\(label): nothing to check")
        for (key, rrset) in sets {
            let covering = signatures.filter { $0.name == rrset[0].name }.compactMap { record -> RRSIG? in
                if case .rrsig(let rrsig) = record.rdata { return rrsig } else { return nil }
            }
            let result = verifier.verify(rrset: rrset, signatures: covering, now: SignedZoneFixture.now, budget: ValidationBudget())
            if case .failure(let failure) = result { Issue.record("\(label): \(key) does not verify: \(failure)") }
        }
    }

    static func proof(_ claim: DenialProof.Claim, _ name: String, _ response: Message, _ zone: AuthoritativeZone) throws -> DenialProof {
        DenialProof.check(claim, name: try DNSName(Self.name(name, zone)), zone: zone.origin,
                          records: response.authorities, budget: ValidationBudget())
    }

    @Test(arguments: fixtures) func positiveAnswersCarryTheirRRSIGs(_ name: String) throws {
        let (zone, fixture) = try Self.zone(name)
        for (owner, type) in [("www", RecordType.a), ("www", .aaaa), ("txt", .txt), ("", .mx), ("", .dnskey)] {
            let response = try Self.ask(zone, owner, type)
            #expect(response.rcode == .noError && response.answers.contains { $0.type == .rrsig }, "\(owner) \(type)")
            try Self.expectSigned(response, fixture, "\(name) \(owner) \(type)")
        }
    }

    @Test(arguments: fixtures) func nameErrorsAreProved(_ name: String) throws {
        let (zone, fixture) = try Self.zone(name)
        for owner in ["nx", "nx.www", "a.b.c"] {
            let response = try Self.ask(zone, owner, .a)
            #expect(response.rcode == .nxDomain)
            #expect(response.authorities.contains { $0.type == .soa })
            try Self.expectSigned(response, fixture, "\(name) \(owner)")
            #expect(try Self.proof(.nameError, owner, response, zone) == .proven, "\(owner).\(name)")
        }
    }

    @Test(arguments: fixtures) func noDataIsProved(_ name: String) throws {
        let (zone, fixture) = try Self.zone(name)
        for (owner, type) in [("www", RecordType.txt), ("", .a), ("mail", .mx), ("wild", .a)] {
            let response = try Self.ask(zone, owner, type)
            #expect(response.rcode == .noError && response.answers.isEmpty, "\(owner) \(type)")
            try Self.expectSigned(response, fixture, "\(name) \(owner) \(type)")
            #expect(try Self.proof(.noData(type), owner, response, zone) == .proven, "\(owner).\(name) \(type)")
        }
    }

    @Test(arguments: fixtures) func wildcardsAreProved(_ name: String) throws {
        let (zone, fixture) = try Self.zone(name)
        for owner in ["host.wild", "a.b.wild"] {
            let response = try Self.ask(zone, owner, .a)
            #expect(response.answers.first?.name == (try DNSName(Self.name(owner, zone))))
            try Self.expectSigned(response, fixture, "\(name) \(owner)")
            guard case .rrsig(let rrsig)? = response.answers.first(where: { $0.type == .rrsig })?.rdata else {
                Issue.record("\(owner): no RRSIG")
                continue
            }
            #expect(try Self.proof(.wildcardAnswer(labels: Int(rrsig.labels)), owner, response, zone) == .proven, "\(owner).\(name)")
            let noData = try Self.ask(zone, owner, .aaaa)
            try Self.expectSigned(noData, fixture, "\(name) \(owner) AAAA")
            #expect(try Self.proof(.noData(.aaaa), owner, noData, zone) == .proven, "\(owner).\(name) AAAA")
        }
    }

    @Test(arguments: fixtures) func withoutDONoDNSSECRecords(_ name: String) throws {
        let (zone, _) = try Self.zone(name)
        for (owner, type) in [("www", RecordType.a), ("nx", .a), ("www", .txt), ("host.wild", .a), ("", .dnskey)] {
            let response = try Self.ask(zone, owner, type, dnssecOK: false)
            let sent = response.answers + response.authorities + response.additionals
            #expect(!sent.contains { [.rrsig, .nsec, .nsec3].contains($0.type) }, "\(owner) \(type)")
        }
        let asked = try Self.ask(zone, "", .rrsig, dnssecOK: false)
        #expect(!asked.answers.isEmpty, "RRSIG asked for by type is answered")
    }

    @Test func signedZonesAreRecognised() throws {
        #expect(try Self.zone("nsec3.test").0.isSigned)
        #expect(!ZoneFixture.zone.isSigned)
    }
}
