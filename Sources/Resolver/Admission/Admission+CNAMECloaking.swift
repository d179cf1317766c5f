import DNSProto

/// CNAME cloaking (docs/policy.md): a tracker hides behind a name of the site's own domain
/// whose CNAME points into the tracker's, so a list that blocks the tracker's domain must also
/// block answers whose CNAME chain passes through it. Admission decides on the question name
/// before anything is forwarded; these decide again on the answer's chain, on the relay (wire
/// answers) and on the full path (messages), per client, since groups differ.
extension Admission {
    /// The lower-cased targets of the CNAME records in `message`'s answer section; empty
    /// without blocklists.
    func cnameTargets(_ message: Message) -> [[UInt8]] {
        guard blocklists != nil else { return [] }
        return message.answers.compactMap { record in
            if case .cname(let target) = record.rdata { return target.lowercasedWire }
            return nil
        }
    }

    /// The same for a wire answer whose question ends at `questionEnd`: no allocation unless
    /// the answer section holds a CNAME.
    func cnameTargets(_ bytes: UnsafeRawBufferPointer, questionEnd: Int) -> [[UInt8]] {
        guard blocklists != nil, bytes.count >= 12 else { return [] }
        let answers = Int(bytes[6]) << 8 | Int(bytes[7])
        var offset = questionEnd
        var rdataOffsets: [Int] = []
        for _ in 0..<answers {
            guard let end = RelayedAnswer.skipName(bytes, from: offset), end + 10 <= bytes.count else { break }
            let type = Int(bytes[end]) << 8 | Int(bytes[end + 1])
            let next = end + 10 + (Int(bytes[end + 8]) << 8 | Int(bytes[end + 9]))
            if type == Int(RecordType.cname.rawValue) { rdataOffsets.append(end + 10) }
            offset = next
        }
        guard !rdataOffsets.isEmpty else { return [] }
        let copy = Array(bytes)
        return rdataOffsets.compactMap { start in
            var reader = WireReader(copy, position: start)
            return (try? reader.readName())?.lowercasedWire
        }
    }

    /// The blocked answer for `client` when a list that applies to it blocks one of `targets`.
    func blockingChain(_ targets: [[UInt8]], client: ClientAddress?) -> Rejection? {
        for target in targets {
            if let rejection = target.withUnsafeBytes({ blocking($0, client: client) }) { return rejection }
        }
        return nil
    }

    /// Whether any list holds one of `targets`, for any client: such an answer is kept out of
    /// the packet cache, which serves every client alike, so each query meets `blockingChain`.
    func anyListHolds(_ targets: [[UInt8]]) -> Bool {
        guard let blocklists, !targets.isEmpty else { return false }
        return targets.contains { target in
            target.withUnsafeBytes { name in blocklists.lists.contains { !$0.allow && $0.rules.blocked.match(name) != nil } }
        }
    }
}
