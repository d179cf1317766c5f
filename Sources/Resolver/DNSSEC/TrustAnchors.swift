import DNSProto

/// Where chains of trust start: DS or DNSKEY records for one or more zones (usually the root).
/// Built in: the root zone's KSK-2017 (key tag 20326) and KSK-2024 (38696) as DS records, as
/// IANA publishes them. A file in DS/DNSKEY presentation format (`trust_anchor_file:`) replaces them.
public struct TrustAnchors: Sendable, Equatable {
    /// DS anchors by zone.
    public private(set) var ds: [DNSName: [DS]] = [:]
    /// DNSKEY anchors by zone.
    public private(set) var keys: [DNSName: [DNSKEY]] = [:]
    /// Where they came from: `built-in`, or the trust anchor file's path (`dnssec.trust_anchors`).
    public private(set) var source = "built-in"

    public init() {}

    /// The root KSKs (IANA root-anchors).
    public static let builtInRoot: TrustAnchors = {
        var anchors = TrustAnchors()
        anchors.ds[.root] = [
            DS(keyTag: 20326, algorithm: 8, digestType: 2,
               digest: HexEncoding.decode("E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D") ?? []),
            DS(keyTag: 38696, algorithm: 8, digestType: 2,
               digest: HexEncoding.decode("683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16") ?? []),
        ]
        return anchors
    }()

    /// Reads DS and DNSKEY records (one per line, zone-file syntax with owner names; `;`
    /// comments; other types are refused) from `text`.
    public static func parse(text: String, file: String) throws -> TrustAnchors {
        let zone = try ZoneFileParser.parse(text: text, file: file, origin: .root, defaultTTL: 3600)
        var anchors = TrustAnchors()
        anchors.source = file
        for (index, record) in zone.records.enumerated() {
            switch record.rdata {
            case .ds(let ds): anchors.ds[record.name, default: []].append(ds)
            case .dnskey(let key): anchors.keys[record.name, default: []].append(key)
            default:
                let location = zone.location(ofRecordAt: index).map { "\($0): " } ?? ""
                throw TrustAnchorError(text: "\(location)a trust anchor must be DS or DNSKEY, not \(record.type)")
            }
        }
        guard !anchors.zones.isEmpty else { throw TrustAnchorError(text: "\(file): no DS or DNSKEY records") }
        return anchors
    }

    /// The zones that have an anchor.
    public var zones: Set<DNSName> { Set(ds.keys).union(keys.keys) }

    /// The deepest anchored zone at or above `name`, nil when no anchor covers it.
    public func closest(to name: DNSName) -> DNSName? {
        zones.filter { name.isSubdomain(of: $0) }.max { $0.labelCount < $1.labelCount }
    }
}

/// A trust anchor file that cannot be used.
public struct TrustAnchorError: Error, Sendable, CustomStringConvertible {
    public let text: String
    public var description: String { text }
}
