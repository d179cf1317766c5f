import DNSProto
@testable import Resolver

/// libFuzzer entry point for the packet cache's query reader (`PacketQuery`), which reads a
/// client's raw datagram through an `UnsafeRawBufferPointer` before anything parses it.
/// Beyond "no crash" (AddressSanitizer checks every read), a query it accepts must be one the
/// full path reads the same way: `Message(wire:)` parses it to one question with the same
/// name (ignoring case), type and class, the same EDNS presence, DO bit and UDP size; and the
/// same query with its name's case changed files under the same hash (0x20 clients must hit).
/// Not in main.swift: libFuzzer supplies `main`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let maxUDPPayload: UInt16 = 1232
    guard let query = bytes.withUnsafeBytes({ PacketQuery($0, transportLimit: nil, maxUDPPayload: maxUDPPayload) }) else { return 0 }
    // The stream transports read with a fixed limit and must agree on everything else.
    guard let stream = bytes.withUnsafeBytes({ PacketQuery($0, transportLimit: 65535, maxUDPPayload: maxUDPPayload) }),
          stream.nameEnd == query.nameEnd, stream.limit == 65535 else {
        fatalError("the query reader depends on the transport limit: \(bytes)")
    }
    guard query.nameEnd > 12, query.nameEnd + 4 <= bytes.count else { fatalError("question out of bounds: \(query.nameEnd) of \(bytes.count)") }
    if query.cookieOffset != 0, query.cookieOffset + query.cookieLength > bytes.count {
        fatalError("cookie out of bounds: \(query.cookieOffset)+\(query.cookieLength) of \(bytes.count)")
    }
    let message: Message
    do {
        message = try Message(wire: bytes)
    } catch {
        fatalError("the packet cache accepts a query the full path cannot read (\(error)): \(bytes)")
    }
    let lowered = bytes[12..<query.nameEnd].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    guard message.questions.count == 1, let question = message.question, question.name.lowercasedWire == lowered,
          question.type.rawValue == query.type, question.recordClass.rawValue == query.recordClass else {
        fatalError("the packet cache reads another question than Message(wire:): \(message) vs \(lowered) \(query.type) \(query.recordClass)")
    }
    guard (message.edns != nil) == (bytes[11] == 1), (message.edns?.dnssecOK ?? false) == query.dnssecOK else {
        fatalError("EDNS read differently: \(String(describing: message.edns)) vs DO \(query.dnssecOK)")
    }
    let expectedLimit = message.edns.map { Int(max(512, min($0.udpPayloadSize, maxUDPPayload))) } ?? 512
    guard query.limit == expectedLimit else { fatalError("answer limit \(query.limit), expected \(expectedLimit)") }
    let matches = bytes.withUnsafeBytes { query.matches(name: lowered, type: query.type, recordClass: query.recordClass, in: $0) }
    guard matches else { fatalError("a query does not match its own question") }
    // Flip the case of every letter in the name: same entry.
    var flipped = bytes
    for index in 12..<query.nameEnd where flipped[index] | 0x20 >= 0x61 && flipped[index] | 0x20 <= 0x7A { flipped[index] ^= 0x20 }
    guard let other = flipped.withUnsafeBytes({ PacketQuery($0, transportLimit: nil, maxUDPPayload: maxUDPPayload) }),
          other.hash == query.hash, other.meta == query.meta else {
        fatalError("a case change of the name files the query elsewhere: \(bytes)")
    }
    return 0
}
