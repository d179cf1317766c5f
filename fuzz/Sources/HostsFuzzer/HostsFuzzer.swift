import DNSProto
import Foundation
import Resolver

/// libFuzzer entry point for the hosts-file reader (`HostsFileParser`): arbitrary bytes as a
/// hosts file (decoded as UTF-8, as `HostsPlugin` reads the file). Every line either becomes
/// an entry or a problem, never both and never a crash; each names a line of the input; and
/// the entries, written back out one per line, read back to the same entries.
/// Not in main.swift: libFuzzer supplies `main`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let (entries, problems) = HostsFileParser.parse(text, file: "fuzz.hosts")
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
    var seen = Set<Int>()
    for line in entries.map(\.line) + problems.map(\.line) {
        guard (1...lines).contains(line), seen.insert(line).inserted else {
            fatalError("line \(line) of \(lines) reported twice or out of range\n\(entries)\n\(problems)")
        }
    }
    for problem in problems where problem.file != "fuzz.hosts" || problem.message.isEmpty {
        fatalError("a problem without its file or message: \(problem)")
    }
    for entry in entries where entry.names.isEmpty || entry.names.contains(where: \.isRoot) {
        fatalError("an entry without a usable name: \(entry)")
    }
    // Names print in presentation form (escapes included), which the reader takes back; `#`
    // is no special character there but starts a hosts-file comment, so a writer escapes it.
    let printed = entries.map { entry in
        ([entry.address.description] + entry.names.map { $0.description.replacingOccurrences(of: "#", with: "\\035") }).joined(separator: " ")
    }
    let (again, reproblems) = HostsFileParser.parse(printed.joined(separator: "\n"), file: "printed")
    let same = again.count == entries.count && zip(again, entries).allSatisfy { $0.address == $1.address && $0.names == $1.names }
    guard reproblems.isEmpty, same else {
        fatalError("entries do not read back\nprinted: \(printed)\nproblems: \(reproblems)\nread: \(again)")
    }
    return 0
}
