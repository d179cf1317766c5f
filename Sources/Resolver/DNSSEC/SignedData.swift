import DNSProto

/// The octets an RRSIG's signature covers (RFC 4034 §3.1.8.1): the RRSIG RDATA without the
/// signature, then every record of the RRset in canonical form (§6.2) and canonical order (§6.3).
enum SignedData {
    /// Why the signed data cannot be built: the RRSIG does not fit the RRset.
    enum Mismatch: Error, Equatable {
        /// The RRSIG claims more labels than the owner has (RFC 4035 §5.3.1).
        case labelCount
        /// The RRset is empty.
        case empty
    }

    /// The data for `rrsig` over `rrset` (records of one owner, type and class).
    /// Each record is written with the RRSIG's original TTL (§6.2 item 4), and the owner in
    /// wildcard form when the RRSIG's label count is below the owner's (§3.1.3, RFC 4035 §5.3.2),
    /// so a wildcard expansion verifies against the signature made at `*.`.
    static func build(rrsig: RRSIG, rrset: [ResourceRecord]) throws -> [UInt8] {
        guard let first = rrset.first else { throw Mismatch.empty }
        let owner = try canonicalOwner(first.name, labels: Int(rrsig.labels))

        var unsignedRRSIG = rrsig
        unsignedRRSIG.signerName = rrsig.signerName.lowercased
        var writer = WireWriter(capacity: 512)
        try unsignedRRSIG.write(to: &writer, compress: false)
        writer.truncate(to: writer.count - rrsig.signature.count)

        // Sorted by canonical RDATA, duplicates dropped (§6.3): two records with equal
        // canonical RDATA are one record.
        var seen = Set<[UInt8]>()
        let rdatas = rrset.map { CanonicalRData.wire($0.rdata) }
            .filter { seen.insert($0).inserted }
            .sorted { $0.lexicographicallyPrecedes($1) }
        for rdata in rdatas {
            writer.writeBytes(owner)
            writer.writeU16(first.type.rawValue)
            writer.writeU16(first.recordClass.rawValue)
            writer.writeU32(rrsig.originalTTL)
            writer.writeU16(UInt16(truncatingIfNeeded: rdata.count))
            writer.writeBytes(rdata)
        }
        return writer.bytes
    }

    /// The lower-cased owner, or `*.` + its rightmost `labels` labels for a wildcard expansion.
    static func canonicalOwner(_ name: DNSName, labels: Int) throws -> [UInt8] {
        let count = name.labelCount
        // A `*` owner is not counted in the RRSIG's labels (§3.1.3): `*.example.` signs with 1.
        let effective = name.isWildcard ? count - 1 : count
        guard labels <= effective else { throw Mismatch.labelCount }
        guard labels < effective else { return name.lowercasedWire }
        return [1, UInt8(ascii: "*")] + name.dropping(labels: count - labels).lowercasedWire
    }
}
