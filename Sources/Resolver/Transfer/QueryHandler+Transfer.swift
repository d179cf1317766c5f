import DNSProto
import Logging

extension QueryHandler {
    private static let transferLogger = Logger(label: "dnsd.transfer")

    /// Answers AXFR and IXFR on a stream connection with all the messages of the transfer
    /// (TSIG-signed each when the request was); nil for any other query, which takes the
    /// normal path. The request's TSIG is checked first (BADKEY, BADSIG, BADTIME answer
    /// NOTAUTH, RFC 8945 §5.2), then the zone's transfer policy (REFUSED, RFC 5936 §5.1).
    public func transfer(_ bytes: [UInt8], context: QueryContext) -> [[UInt8]]? {
        guard Self.asksForTransfer(bytes), let query = try? Message(wire: bytes), !query.header.isResponse,
              query.header.opcode == .query, query.questions.count == 1, let question = query.question else { return nil }
        let block = pipeline.current.block(for: question.name)
        guard let source = block?.plugins.lazy.compactMap({ $0.transferSource(for: question.name) }).first else {
            return Self.single(query, rcode: .notAuth)
        }
        var signer: TSIGSigner.Stream?
        switch TSIGSigner.verifyRequest(bytes, keyring: source.keyring) {
        case .unsigned: break
        case .signed(let key, let mac): signer = TSIGSigner.Stream(key: key, requestMAC: mac)
        case .failed(let error, let record, let key):
            source.counters.count(.tsigError)
            Self.transferLogger.warning("\(question.type) \(question.name) from \(context.client?.description ?? "?"): TSIG error \(error) with key \(record.keyName)")
            guard let response = Self.single(query, rcode: .notAuth)?.first else { return nil }
            return [TSIGSigner.failure(response, error: error, request: record, key: key)]
        }
        let client = context.client.flatMap(ClientAddress.init)
        guard source.policy?.allows(client: client, key: signer?.key) == true else {
            source.counters.count(.refused)
            Self.transferLogger.notice("\(question.type) \(question.name) refused to \(context.client?.description ?? "?") (key \(signer?.key.name.description ?? "none"))")
            guard let refused = Self.single(query, rcode: .refused)?.first else { return nil }
            return [signer?.sign(refused) ?? refused]
        }
        var ixfrSerial: UInt32?
        if question.type == .ixfr {
            // RFC 1995 §3: the client's serial is the SOA in the authority section.
            guard let soa = query.authorities.first(where: { $0.type == .soa }) else { return Self.single(query, rcode: .formErr) }
            ixfrSerial = ZoneHistory.Entry.serial(soa)
        }
        let (records, incremental) = ZoneTransfer.records(zone: source.zone, history: source.history, ixfrSerial: ixfrSerial)
        guard let messages = try? ZoneTransfer.messages(records, query: query) else { return Self.single(query, rcode: .servFail) }
        source.counters.count(incremental ? .incremental : .full)
        Self.transferLogger.info("\(question.type) \(question.name) serial \(source.zone.serial) to \(context.client?.description ?? "?"): \(incremental ? "incremental" : "full"), \(records.count) records in \(messages.count) messages\(signer.map { ", TSIG key \($0.key.name)" } ?? "")")
        guard var stream = signer else { return messages }
        return messages.map { stream.sign($0) }
    }

    /// A one-message answer with `rcode` and no OPT (a TSIG record, if any, must come last).
    private static func single(_ query: Message, rcode: Rcode) -> [[UInt8]]? {
        var response = Message.response(to: query, rcode: rcode)
        response.edns = nil
        return (try? response.encode()).map { [$0] }
    }

    /// Whether the one question asks AXFR or IXFR, read from the wire without parsing the rest.
    static func asksForTransfer(_ bytes: [UInt8]) -> Bool {
        guard bytes.count > 12, bytes[4] == 0, bytes[5] == 1 else { return false }
        var reader = WireReader(bytes, position: 12)
        guard (try? reader.readName()) != nil, let type = try? reader.readU16() else { return false }
        return type == RecordType.axfr.rawValue || type == RecordType.ixfr.rawValue
    }
}
