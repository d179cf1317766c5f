import Testing
@testable import DNSProto
import Foundation
@Test func zzPerfScratch() throws {
    var text = "$ORIGIN example.com.\n$TTL 300\n@ SOA ns1 host 1 2 3 4 5\n"
    for i in 0..<200_000 { text += "host\(i) IN A 192.0.\(i % 256).\(i / 256 % 256) ; c\n  TXT \"hello world \(i)\"\n" }
    let zone = try ZoneFileParser.parse(text: text, file: "big", origin: try DNSName("example.com."))
    let start = Date()
    let sorted = ZoneFilePrinter.ordered(zone.records)
    let mid = Date()
    Swift.print("PERF sort \(sorted.count) in \(mid.timeIntervalSince(start))s")
}
