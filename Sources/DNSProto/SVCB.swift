/// SVCB and HTTPS RDATA (RFC 9460 §2.2): where and how to reach a service. The two types share
/// this layout; HTTPS only fixes the scheme.
///
/// Priority 0 is AliasMode: the target is an alias for the owner and SvcParams SHOULD NOT be
/// present; recipients MUST ignore any that are (RFC 9460 §2.4.2). They are still legal on the
/// wire, so such records are kept whole here, params included, to be passed on unchanged.
public struct SVCB: RDataPayload {
    /// 0 for AliasMode; otherwise lower values are preferred (RFC 9460 §2.4.1).
    public var priority: UInt16
    /// The alias or alternative endpoint; `.` means the owner name itself in ServiceMode
    /// (RFC 9460 §2.5). Never compressed (RFC 9460 §2.2).
    public var target: DNSName
    /// The parameters in strictly increasing key order, each key once.
    public private(set) var params: [SvcParam]

    /// Builds the RDATA; `params` may come in any order and are sorted by key. Throws
    /// `DNSWireError.badRData` for a repeated key, a malformed value, or a `mandatory` list
    /// naming a key that is absent (RFC 9460 §8).
    public init(priority: UInt16, target: DNSName, params: [SvcParam] = []) throws {
        let sorted = params.map { param -> SvcParam in
            if case .mandatory(let keys) = param { return .mandatory(keys.sorted()) }
            return param
        }.sorted { $0.key < $1.key }
        if let problem = Self.problem(in: sorted) { throw Self.malformed(problem) }
        self.init(priority: priority, target: target, validated: sorted)
    }

    private init(priority: UInt16, target: DNSName, validated params: [SvcParam]) {
        self.priority = priority
        self.target = target
        self.params = params
    }

    /// AliasMode (priority 0, RFC 9460 §2.4.2).
    public var isAliasMode: Bool { priority == 0 }

    /// The parameter stored under `key`, if any.
    public func param(_ key: SvcParamKey) -> SvcParam? {
        params.first { $0.key == key }
    }

    /// What is wrong with a key-sorted parameter list, or nil: repeated keys, malformed values,
    /// and `mandatory` keys that are not present.
    static func problem(in params: [SvcParam]) -> String? {
        for (earlier, later) in zip(params, params.dropFirst()) where earlier.key >= later.key {
            return earlier.key == later.key ? "SvcParamKey \(later.key) appears twice" : "SvcParamKeys are not in increasing order"
        }
        for param in params {
            if let problem = param.problem { return problem }
        }
        return mandatoryProblem(in: params)
    }

    /// RFC 9460 §8: every key `mandatory` lists must be present in the record.
    static func mandatoryProblem(in params: [SvcParam]) -> String? {
        guard let listed = params.lazy.compactMap({ param -> [SvcParamKey]? in
            if case .mandatory(let keys) = param { return keys }
            return nil
        }).first else { return nil }
        let present = Set(params.map(\.key))
        if let missing = listed.first(where: { !present.contains($0) }) {
            return "mandatory lists \(missing), which the record does not have"
        }
        return nil
    }

    private static func malformed(_ reason: String) -> DNSWireError {
        .badRData(type: RecordType.svcb.rawValue, reason: reason)
    }

    /// Reads priority, target (decompressing leniently) and the SvcParams up to the end of the
    /// RDATA. Keys must be strictly increasing (RFC 9460 §2.2); values must fit their key's
    /// format. Unknown keys keep their octets exactly.
    public static func read(from reader: inout WireReader) throws -> SVCB {
        try reader.readRDataFields(of: .svcb) { reader in
            let priority = try reader.readU16()
            let target = try reader.readName()
            var params: [SvcParam] = []
            var previous: SvcParamKey? = nil
            while !reader.isAtEnd {
                let key = SvcParamKey(rawValue: try reader.readU16())
                if let previous, previous >= key {
                    throw malformed(previous == key ? "SvcParamKey \(key) appears twice" : "SvcParamKey \(key) after \(previous): keys must increase")
                }
                let length = Int(try reader.readU16())
                guard reader.remaining >= length else {
                    throw malformed("\(key) value needs \(length) octets, \(reader.remaining) left")
                }
                let value = try reader.readBytes(length)
                do throws(SvcParamFormatError) {
                    params.append(try SvcParam.decode(key: key, wire: value))
                } catch {
                    throw malformed(error.reason)
                }
                previous = key
            }
            if let problem = mandatoryProblem(in: params) { throw malformed(problem) }
            return SVCB(priority: priority, target: target, validated: params)
        }
    }

    /// The target is written uncompressed (RFC 9460 §2.2), whatever `compress` says.
    public func write(to writer: inout WireWriter, compress: Bool) throws {
        writer.writeU16(priority)
        writer.writeName(target, compress: false)
        for param in params {
            let value = param.wireValue
            guard value.count <= 65535 else { throw DNSWireError.unencodable("\(param.key) value longer than 65535 octets") }
            writer.writeU16(param.key.rawValue)
            writer.writeU16(UInt16(value.count))
            writer.writeBytes(value)
        }
    }

    /// `PRIORITY TARGET key=value...` (RFC 9460 §2.1). Params may come in any order; a value
    /// may be quoted (`alpn="h2,h3"`), which the lexer hands over as `alpn=` followed by a
    /// quoted field.
    public init(text: inout RDataTextReader) throws {
        let priority: UInt16 = try text.integer("SvcPriority")
        let target = try text.name("TargetName")
        var parsed: [(param: SvcParam, token: PresentationToken)] = []
        while let token = text.peek() {
            _ = try text.next("SvcParam")
            guard !token.quoted else {
                throw text.error("expected a SvcParam (key=value), found a quoted string", at: token)
            }
            let keyText: Substring
            var value: String? = nil
            if let equals = token.text.firstIndex(of: "=") {
                keyText = token.text[..<equals]
                value = String(token.text[token.text.index(after: equals)...])
            } else {
                keyText = Substring(token.text)
            }
            guard let key = SvcParamKey(name: String(keyText)) else {
                throw text.error("unknown SvcParamKey '\(keyText)' (use a registered name or keyNNNNN)", at: token)
            }
            // `key="..."`: the quote ends the bare field, so the value is the next, quoted one.
            if value == "", let next = text.peek(), next.quoted {
                value = next.text
                _ = try text.next("SvcParam value")
            }
            do throws(SvcParamFormatError) {
                parsed.append((try SvcParam.parse(key: key, text: value), token))
            } catch {
                throw text.error(error.reason, at: token)
            }
        }
        parsed.sort { $0.param.key < $1.param.key }
        for (earlier, later) in zip(parsed, parsed.dropFirst()) where earlier.param.key == later.param.key {
            throw text.error("SvcParamKey \(later.param.key) appears twice", at: later.token)
        }
        let params = parsed.map(\.param)
        if let problem = Self.mandatoryProblem(in: params) {
            throw text.error(problem, at: parsed.first { $0.param.key == .mandatory }?.token)
        }
        self.init(priority: priority, target: target, validated: params)
    }

    /// `1 svc.example.com. alpn=h2,h3 port=8443`: absolute target, params in key order.
    public var presentation: String {
        ([String(priority), target.description] + params.map(\.presentation)).joined(separator: " ")
    }
}
