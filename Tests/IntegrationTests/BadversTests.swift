import Foundation
import Testing

/// A query with an EDNS version dnsd does not speak gets BADVERS with EDNS version 0 (RFC 6891
/// §6.1.3) and, as from NSD, Knot and BIND, its question echoed: dig and kdig read the answer,
/// and it must match what NSD sends for the same query.
@Suite("BADVERS")
struct BadversTests {
    /// The header, flags and question lines of dig's or kdig's output, which must be equal
    /// for dnsd and NSD (the id and timings aside).
    static func shape(_ output: String) -> [String] {
        output.split(separator: "\n").map(String.init).compactMap { line -> String? in
            if line.contains("->>HEADER<<-"), let range = line.range(of: "status") {
                return String(line[range.lowerBound...].prefix { $0 != "," && $0 != ";" })
            }
            if line.hasPrefix(";; flags:") || line.hasPrefix(";; Flags:") || line.hasPrefix("; EDNS:") || line.hasPrefix(";; Version:") {
                return line
            }
            // The question line; dig's first line repeats the command (with the port), not it.
            if !line.contains("<<>>"), line.lowercased().contains("www.example.test.") { return line.replacingOccurrences(of: "\t", with: " ") }
            return nil
        }
    }

    @Test("dig and kdig get BADVERS with the question from dnsd, as from NSD", arguments: ["dig", "kdig"])
    func echoesTheQuestion(client: String) throws {
        let tool = try PeerTool.require(client)
        let options = client == "dig" ? ["+edns=1", "+noednsnegotiation", "+tries=1", "+time=3"] : ["+edns=1", "+retry=0", "+timeout=3"]
        try NSDProcess.with { nsd in
            try DnsdProcess.with { dnsd in
                for tcp in [false, true] {
                    let transport = tcp ? ["+tcp"] : []
                    let ours = try PeerTool.run(tool, ["@127.0.0.1", "-p", "\(dnsd.port)", "www.example.test.", "A"] + options + transport)
                    let reference = try PeerTool.run(tool, ["@127.0.0.1", "-p", "\(nsd.port)", "www.example.test.", "A"] + options + transport)
                    let shape = Self.shape(ours.stdout)
                    #expect(shape.first == "status: BADVERS", "\(client) tcp=\(tcp)\n\(ours.transcript)")
                    #expect(shape.contains { $0.contains("QUERY: 1") }, "\(client) tcp=\(tcp): no question\n\(ours.transcript)")
                    #expect(shape.contains { $0.hasPrefix(";") && $0.contains("www.example.test.") && $0.hasSuffix(" A") },
                            "\(client) tcp=\(tcp): question section\n\(ours.transcript)")
                    #expect(shape == Self.shape(reference.stdout), "\(client) tcp=\(tcp)\ndnsd:\n\(ours.stdout)\nNSD:\n\(reference.stdout)")
                }
            }
        }
    }
}
