import DNSProto
import Foundation
@testable import Resolver

/// A zone signed by BIND's dnssec-signzone (Fixtures/DNSSEC/generate.sh), read back with
/// dnsd's zone parser: its RRsets, their RRSIGs, its DNSKEYs and the DS set for its parent.
struct SignedZoneFixture {
    let origin: DNSName
    let records: [ResourceRecord]
    let ds: [DS]

    /// 2026-01-01T00:00:00Z: inside the good zones' 2020-2080 window, after expired.test's 2021.
    static let now: UInt32 = 1_767_225_600

    init(_ zone: String) throws {
        guard let directory = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            throw FixtureMissing(name: "Fixtures")
        }
        let base = directory.appendingPathComponent("DNSSEC").appendingPathComponent(zone)
        origin = try DNSName(zone + ".")
        let text = try String(contentsOf: base.appendingPathExtension("signed"), encoding: .utf8)
        records = try ZoneFileParser.parse(text: text, file: zone + ".signed", origin: origin).records
        let dsText = try String(contentsOf: base.appendingPathExtension("ds"), encoding: .utf8)
        ds = try ZoneFileParser.parse(text: dsText, file: zone + ".ds", origin: .root, defaultTTL: 3600).records.compactMap {
            if case .ds(let ds) = $0.rdata { return ds } else { return nil }
        }
    }

    struct FixtureMissing: Error { let name: String }

    /// The records of one RRset.
    func rrset(_ name: String, _ type: RecordType) throws -> [ResourceRecord] {
        let owner = try DNSName(name, origin: origin)
        return records.filter { $0.name == owner && $0.type == type }
    }

    /// The RRSIGs at `name` (for every type; the verifier picks the covered one).
    func signatures(_ name: String) throws -> [RRSIG] {
        let owner = try DNSName(name, origin: origin)
        return records.compactMap {
            guard $0.name == owner, case .rrsig(let rrsig) = $0.rdata else { return nil }
            return rrsig
        }
    }

    var keys: [DNSKEY] {
        records.compactMap { if case .dnskey(let key) = $0.rdata { return key } else { return nil } }
    }

    /// The zone's keys, authenticated from its DS set.
    func authenticatedKeys(now: UInt32 = now, budget: ValidationBudget = ValidationBudget()) throws
        -> DNSKEYAuthenticator.Outcome {
        DNSKEYAuthenticator.authenticate(zone: origin, keys: try rrset("@", .dnskey), signatures: try signatures("@"),
                                         ds: ds, now: now, budget: budget)
    }
}
