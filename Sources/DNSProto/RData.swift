/// Typed RDATA for the types dnsd understands; anything else is `.unknown`, kept as the exact
/// bytes it arrived with and written back unchanged (RFC 3597).
///
/// The multi-field types are `indirect` (boxed): inline, SOA or RRSIG made every RData 40
/// bytes, so every A record in every cached answer paid for them. Now the widest inline case
/// is AAAA and a record is 40 bytes instead of 56.
public enum RData: Sendable, Hashable {
    case a(IPv4Address)
    case aaaa(IPv6Address)
    case ns(DNSName)
    case cname(DNSName)
    case dname(DNSName)
    case ptr(DNSName)
    indirect case soa(SOA)
    indirect case mx(MX)
    case txt(TXT)
    indirect case hinfo(HINFO)
    indirect case srv(SRV)
    indirect case naptr(NAPTR)
    indirect case caa(CAA)
    indirect case sshfp(SSHFP)
    indirect case tlsa(TLSA)
    indirect case ds(DS)
    indirect case dnskey(DNSKEY)
    indirect case rrsig(RRSIG)
    indirect case nsec(NSEC)
    indirect case nsec3(NSEC3)
    indirect case svcb(SVCB)
    indirect case https(SVCB)
    /// RDATA of a type (or class) without a typed form: the raw bytes.
    case unknown([UInt8])

    /// The record type this RDATA belongs to; nil for `.unknown`, whose type the record holds.
    public var type: RecordType? {
        switch self {
        case .a: return .a
        case .aaaa: return .aaaa
        case .ns: return .ns
        case .cname: return .cname
        case .dname: return .dname
        case .ptr: return .ptr
        case .soa: return .soa
        case .mx: return .mx
        case .txt: return .txt
        case .hinfo: return .hinfo
        case .srv: return .srv
        case .naptr: return .naptr
        case .caa: return .caa
        case .sshfp: return .sshfp
        case .tlsa: return .tlsa
        case .ds: return .ds
        case .dnskey: return .dnskey
        case .rrsig: return .rrsig
        case .nsec: return .nsec
        case .nsec3: return .nsec3
        case .svcb: return .svcb
        case .https: return .https
        case .unknown: return nil
        }
    }

    /// Whether records of this class have typed RDATA. Address-like layouts are defined for
    /// class IN only; the RFC 1035 name and text types mean the same in every class.
    static func isTyped(_ type: RecordType, in recordClass: RecordClass) -> Bool {
        if recordClass == .in { return true }
        switch type {
        case .ns, .cname, .soa, .ptr, .mx, .txt, .hinfo, .dname: return true
        default: return false
        }
    }

    /// Reads RDATA of `type`; the reader's limit marks its end.
    public static func read(type: RecordType, recordClass: RecordClass, from reader: inout WireReader) throws -> RData {
        guard isTyped(type, in: recordClass), reader.remaining > 0 || type == .opt else {
            return .unknown(reader.readRest())
        }
        switch type {
        case .a: return .a(try IPv4Address.read(from: &reader))
        case .aaaa: return .aaaa(try IPv6Address.read(from: &reader))
        case .ns: return .ns(try reader.readName())
        case .cname: return .cname(try reader.readName())
        case .dname: return .dname(try reader.readName())
        case .ptr: return .ptr(try reader.readName())
        case .soa: return .soa(try SOA.read(from: &reader))
        case .mx: return .mx(try MX.read(from: &reader))
        case .txt: return .txt(try TXT.read(from: &reader))
        case .hinfo: return .hinfo(try HINFO.read(from: &reader))
        case .srv: return .srv(try SRV.read(from: &reader))
        case .naptr: return .naptr(try NAPTR.read(from: &reader))
        case .caa: return .caa(try CAA.read(from: &reader))
        case .sshfp: return .sshfp(try SSHFP.read(from: &reader))
        case .tlsa: return .tlsa(try TLSA.read(from: &reader))
        case .ds: return .ds(try DS.read(from: &reader))
        case .dnskey: return .dnskey(try DNSKEY.read(from: &reader))
        case .rrsig: return .rrsig(try RRSIG.read(from: &reader))
        case .nsec: return .nsec(try NSEC.read(from: &reader))
        case .nsec3: return .nsec3(try NSEC3.read(from: &reader))
        case .svcb: return .svcb(try SVCB.read(from: &reader))
        case .https: return .https(try SVCB.read(from: &reader))
        default: return .unknown(reader.readRest())
        }
    }

    /// Writes the RDATA (without RDLENGTH). Names are compressed only in the RFC 1035 types.
    public func write(to writer: inout WireWriter, compress: Bool = true) throws {
        switch self {
        case .a(let value): try value.write(to: &writer, compress: false)
        case .aaaa(let value): try value.write(to: &writer, compress: false)
        case .ns(let name), .cname(let name), .ptr(let name): writer.writeName(name, compress: compress)
        case .dname(let name): writer.writeName(name, compress: false)
        case .soa(let value): try value.write(to: &writer, compress: compress)
        case .mx(let value): try value.write(to: &writer, compress: compress)
        case .txt(let value): try value.write(to: &writer, compress: false)
        case .hinfo(let value): try value.write(to: &writer, compress: false)
        case .srv(let value): try value.write(to: &writer, compress: false)
        case .naptr(let value): try value.write(to: &writer, compress: false)
        case .caa(let value): try value.write(to: &writer, compress: false)
        case .sshfp(let value): try value.write(to: &writer, compress: false)
        case .tlsa(let value): try value.write(to: &writer, compress: false)
        case .ds(let value): try value.write(to: &writer, compress: false)
        case .dnskey(let value): try value.write(to: &writer, compress: false)
        case .rrsig(let value): try value.write(to: &writer, compress: false)
        case .nsec(let value): try value.write(to: &writer, compress: false)
        case .nsec3(let value): try value.write(to: &writer, compress: false)
        case .svcb(let value), .https(let value): try value.write(to: &writer, compress: false)
        case .unknown(let bytes): writer.writeBytes(bytes)
        }
    }

    /// The RDATA as uncompressed wire bytes (for comparisons and RFC 3597 text).
    public var uncompressedWire: [UInt8] {
        var writer = WireWriter(capacity: 64)
        try? write(to: &writer, compress: false)
        return writer.bytes
    }

    /// Parses the RDATA part of a zone-file line. The RFC 3597 `\# LENGTH HEX` form works for
    /// every type; typed types are then decoded from those bytes.
    public init(type: RecordType, recordClass: RecordClass = .in, text: inout RDataTextReader) throws {
        if let first = text.peek(), !first.quoted, first.text == "\\#" {
            let bytes = try text.genericRData()
            var reader = WireReader(bytes)
            do {
                self = try RData.read(type: type, recordClass: recordClass, from: &reader)
            } catch {
                throw text.error("RFC 3597 data is not valid \(type) RDATA: \(error)", at: first)
            }
            guard reader.isAtEnd else { throw text.error("RFC 3597 data has bytes past the \(type) RDATA", at: first) }
            return
        }
        guard RData.isTyped(type, in: recordClass) else {
            throw text.error("type \(type) in class \(recordClass) needs the RFC 3597 form \\# LENGTH HEX")
        }
        switch type {
        case .a: self = .a(try IPv4Address(text: &text))
        case .aaaa: self = .aaaa(try IPv6Address(text: &text))
        case .ns: self = .ns(try text.name("name server"))
        case .cname: self = .cname(try text.name("canonical name"))
        case .dname: self = .dname(try text.name("target name"))
        case .ptr: self = .ptr(try text.name("pointer name"))
        case .soa: self = .soa(try SOA(text: &text))
        case .mx: self = .mx(try MX(text: &text))
        case .txt: self = .txt(try TXT(text: &text))
        case .hinfo: self = .hinfo(try HINFO(text: &text))
        case .srv: self = .srv(try SRV(text: &text))
        case .naptr: self = .naptr(try NAPTR(text: &text))
        case .caa: self = .caa(try CAA(text: &text))
        case .sshfp: self = .sshfp(try SSHFP(text: &text))
        case .tlsa: self = .tlsa(try TLSA(text: &text))
        case .ds: self = .ds(try DS(text: &text))
        case .dnskey: self = .dnskey(try DNSKEY(text: &text))
        case .rrsig: self = .rrsig(try RRSIG(text: &text))
        case .nsec: self = .nsec(try NSEC(text: &text))
        case .nsec3: self = .nsec3(try NSEC3(text: &text))
        case .svcb: self = .svcb(try SVCB(text: &text))
        case .https: self = .https(try SVCB(text: &text))
        case .nsec3param: self = .unknown(try NSEC3PARAM.rdata(&text))
        default:
            throw text.error("type \(type) has no text form here; use the RFC 3597 form \\# LENGTH HEX")
        }
        try text.finish()
    }

    /// Presentation form of the RDATA. Opaque data uses RFC 3597 `\# LENGTH HEX`.
    public func presentation(type: RecordType) -> String {
        switch self {
        case .a(let value): return value.presentation
        case .aaaa(let value): return value.presentation
        case .ns(let name), .cname(let name), .dname(let name), .ptr(let name): return name.description
        case .soa(let value): return value.presentation
        case .mx(let value): return value.presentation
        case .txt(let value): return value.presentation
        case .hinfo(let value): return value.presentation
        case .srv(let value): return value.presentation
        case .naptr(let value): return value.presentation
        case .caa(let value): return value.presentation
        case .sshfp(let value): return value.presentation
        case .tlsa(let value): return value.presentation
        case .ds(let value): return value.presentation
        case .dnskey(let value): return value.presentation
        case .rrsig(let value): return value.presentation
        case .nsec(let value): return value.presentation
        case .nsec3(let value): return value.presentation
        case .svcb(let value), .https(let value): return value.presentation
        case .unknown(let bytes):
            if type == .nsec3param, let parameters = NSEC3PARAM(rdata: bytes) { return parameters.presentation }
            return bytes.isEmpty ? "\\# 0" : "\\# \(bytes.count) \(HexEncoding.encode(bytes))"
        }
    }
}
