import DNSProto
@testable import Resolver

/// libFuzzer entry point for the UDP relay's answer reader (`RelayedAnswer`): an upstream's
/// raw answer read through an `UnsafeRawBufferPointer`, then rewritten in place for the client
/// and for the packet cache, exactly as `UDPRelay.deliver` does. The fuzzed bytes are the
/// upstream's answer; the client's query is made from its question (with an OPT when the
/// input's first byte is odd), and the relay's own checks run first (the question matches).
///
/// Checks besides AddressSanitizer's: every TTL offset lies inside the records; when
/// `Message(wire:)` also reads the answer, the offsets are its records' TTLs in order; the
/// client's answer differs from the upstream's before the OPT only where the relay means to
/// (ID and flags, additional count, TTLs, the case of letters), and when both parse they have
/// the same sections. Not in main.swift: libFuzzer supplies `main`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let answer = Array(UnsafeBufferPointer(start: data, count: size))
    guard answer.count >= 17, answer[4] == 0, answer[5] == 1,
          let nameEnd = answer.withUnsafeBytes({ RelayedAnswer.skipName($0, from: 12) }), nameEnd + 4 <= answer.count else { return 0 }
    // The client's query: its ID and flags from the answer, one question, maybe an OPT.
    let withOPT = answer[0] & 1 == 1
    var request = Array(answer[0..<4]) + [0, 1, 0, 0, 0, 0, 0, withOPT ? 1 : 0] + answer[12..<(nameEnd + 4)]
    request[2] &= 0x07  // a query: QR clear, opcode QUERY
    if withOPT { request += [0, 0, 41, 0x10, 0x00, 0, 0, answer[1] & 0x80, 0, 0, 0] }
    guard let query = request.withUnsafeBytes({ PacketQuery($0, transportLimit: nil, maxUDPPayload: 1232) }) else { return 0 }
    let sent = request[12..<query.nameEnd].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    guard answer.withUnsafeBytes({ query.isAnswered(by: sent, in: $0) }) else { fatalError("the answer does not answer its own question") }
    guard let layout = answer.withUnsafeBytes({ RelayedAnswer($0, nameEnd: query.nameEnd) }) else { return 0 }
    for offset in layout.ttlOffsets where Int(offset) < nameEnd + 4 || Int(offset) + 6 > layout.bodyEnd {
        fatalError("TTL offset \(offset) outside the records (\(nameEnd + 4)..<\(layout.bodyEnd))")
    }
    let upstream = try? Message(wire: answer)
    if let upstream {
        let ttls = (upstream.answers + upstream.authorities + upstream.additionals).map(\.ttl)
        let read = layout.ttlOffsets.map { at in answer[Int(at)..<Int(at) + 4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } }
        guard ttls == read else { fatalError("TTLs read at the offsets \(read) are not the records' \(ttls)") }
    }
    var out = [UInt8](repeating: 0, count: 65535)
    let written: Int? = out.withUnsafeMutableBytes { out in
        request.withUnsafeBytes { request in
            answer.withUnsafeBytes { bytes -> Int? in
                guard let length = layout.writeAnswer(from: bytes, request: request, query: query, udpSize: 1232, limit: query.limit, into: out) else {
                    return nil
                }
                let client = UnsafeMutableRawBufferPointer(rebasing: out[0..<length])
                layout.restoreCase(client, from: bytes, sent: sent, request: request)
                _ = layout.makeCacheable(client, query: query, request: request, settings: CacheSettings())
                _ = layout.rcode(bytes, clientEDNS: withOPT)
                return length
            }
        }
    }
    guard let written else { return 0 }
    // The relay's contract on the bytes before the OPT: the client's ID and flags (0-3), the
    // additional count (10-11), TTLs, and the case of letters (the client's spelling of the
    // question and of owner names); every other byte is the upstream's.
    var rewritten: Set<Int> = [0, 1, 2, 3, 10, 11]
    for at in layout.ttlOffsets { rewritten.formUnion(Int(at)..<Int(at) + 4) }
    for index in 0..<layout.bodyEnd where !rewritten.contains(index) && out[index] != answer[index] {
        let letter = (0x61...0x7A).contains(answer[index] | 0x20)
        guard letter, out[index] | 0x20 == answer[index] | 0x20 else {
            fatalError("byte \(index) changed from \(answer[index]) to \(out[index]): \(answer)")
        }
    }
    // Both read: the same number of records in each section.
    guard let upstream, let client = try? Message(wire: Array(out[0..<written])) else { return 0 }
    guard client.answers.count == upstream.answers.count, client.authorities.count == upstream.authorities.count,
          client.additionals.count == upstream.additionals.count else {
        fatalError("the relay changed the sections\nupstream: \(upstream)\nclient: \(client)")
    }
    return 0
}
