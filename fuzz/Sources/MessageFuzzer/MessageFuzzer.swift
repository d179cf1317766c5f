import DNSProto

/// libFuzzer entry point for the wire format. Any bytes may fail to parse (that is a thrown
/// error, never a crash); a message that does parse must encode, and its encoding must parse
/// again to the same message. A crash or a failed round trip is a finding.
/// Not in main.swift: libFuzzer supplies `main`, and a main.swift would define a second one.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let message = try? Message(wire: bytes) else { return 0 }
    let encoded: [UInt8]
    do {
        encoded = try message.encode()
    } catch {
        fatalError("a parsed message failed to encode: \(error)\n\(message)")
    }
    let reparsed: Message
    do {
        reparsed = try Message(wire: encoded)
    } catch {
        fatalError("our own encoding failed to parse: \(error)\n\(message)")
    }
    if reparsed != message {
        fatalError("round trip changed the message\nbefore: \(message)\nafter:  \(reparsed)")
    }
    return 0
}
