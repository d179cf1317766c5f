import DNSProto

/// RDATA in the canonical form of RFC 4034 §6.2: uncompressed, and for the types listed there
/// with the names inside lower-cased. RFC 6840 §5.1 corrects that list: names in NSEC RDATA
/// keep their case, names in RRSIG RDATA are lower-cased.
///
/// Listed types that dnsd keeps as unknown bytes (MINFO, RP, AFSDB, RT, PX, KX, A6 and the
/// obsolete MD, MF, MB, MG, MR) are used as received: zones with upper-case names in those are
/// vanishingly rare and signers lower-case their own output.
enum CanonicalRData {
    /// The canonical wire bytes of `rdata` (without RDLENGTH).
    static func wire(_ rdata: RData) -> [UInt8] {
        lowercasingNames(rdata).uncompressedWire
    }

    private static func lowercasingNames(_ rdata: RData) -> RData {
        switch rdata {
        case .ns(let name): return .ns(name.lowercased)
        case .cname(let name): return .cname(name.lowercased)
        case .dname(let name): return .dname(name.lowercased)
        case .ptr(let name): return .ptr(name.lowercased)
        case .soa(var soa):
            soa.mname = soa.mname.lowercased
            soa.rname = soa.rname.lowercased
            return .soa(soa)
        case .mx(var mx):
            mx.exchange = mx.exchange.lowercased
            return .mx(mx)
        case .srv(var srv):
            srv.target = srv.target.lowercased
            return .srv(srv)
        case .naptr(let naptr):
            let lowered = try? NAPTR(order: naptr.order, preference: naptr.preference, flags: naptr.flags,
                                     services: naptr.services, regexp: naptr.regexp,
                                     replacement: naptr.replacement.lowercased)
            return lowered.map { .naptr($0) } ?? rdata
        case .rrsig(var rrsig):
            rrsig.signerName = rrsig.signerName.lowercased
            return .rrsig(rrsig)
        default:
            return rdata
        }
    }
}
