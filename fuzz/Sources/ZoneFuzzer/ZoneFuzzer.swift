import DNSProto

/// The zone apex every fuzzed file is read under.
private let origin: DNSName? = try? DNSName("fuzz.test.")

/// libFuzzer entry point for the zone-file lexer and parser. Arbitrary text may be rejected
/// (a thrown `PresentationError`), never crash; a zone that parses must print and parse back
/// to the same records (in any order). `$INCLUDE` is refused (no include closure): the fuzzer does no I/O.
/// Not in main.swift: libFuzzer supplies `main`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let origin else { fatalError("fuzz.test. is a valid name") }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let zone = try? ZoneFileParser.parse(text: text, file: "fuzz.zone", origin: origin) else { return 0 }
    let printed = ZoneFilePrinter.print(zone.records, origin: origin)
    let reparsed: ZoneFile
    do {
        reparsed = try ZoneFileParser.parse(text: printed, file: "printed.zone", origin: origin)
    } catch {
        fatalError("printed zone failed to parse: \(error)\n--- input ---\n\(text)\n--- printed ---\n\(printed)")
    }
    // The printer may group or sort records; what matters is the same records, as a multiset.
    if reparsed.records.count != zone.records.count || Set(reparsed.records) != Set(zone.records) {
        fatalError("print/parse round trip changed the records\n--- input ---\n\(text)\n--- printed ---\n\(printed)")
    }
    return 0
}
