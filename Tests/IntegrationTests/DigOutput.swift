/// One record line of dig/kdig output: `owner TTL class type rdata...`.
struct DigRecord: Hashable, CustomStringConvertible {
    var owner: String
    var ttl: UInt32
    var recordClass: String
    var type: String
    var rdata: String

    var description: String { "\(owner) \(ttl) \(recordClass) \(type) \(rdata)" }
}

/// A dig (BIND 9) response as printed in its default format, read back into fields the tests
/// assert on. Parsing the peer's text keeps the tests independent of dnsd's own encoder.
struct DigOutput {
    var status: String = ""
    var flags: Set<String> = []
    /// Present when the response carried an OPT record.
    var ednsUDPSize: Int?
    var answer: [DigRecord] = []
    var authority: [DigRecord] = []
    var additional: [DigRecord] = []
    var raw: String

    var authoritative: Bool { flags.contains("aa") }

    init(_ text: String) throws {
        raw = text
        var section = ""
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let line = String(rawLine)
            if line.contains("->>HEADER<<-"), let range = line.range(of: "status: ") {
                status = String(line[range.upperBound...].prefix { $0 != "," })
            } else if line.hasPrefix(";; flags:") {
                let afterColon = line.dropFirst(";; flags:".count)
                let flagText = afterColon.prefix { $0 != ";" }
                flags = Set(flagText.split(separator: " ").map(String.init))
            } else if line.hasPrefix("; EDNS:"), let range = line.range(of: "udp: ") {
                ednsUDPSize = Int(line[range.upperBound...].prefix { $0.isNumber })
            } else if line.hasPrefix(";; ") && line.hasSuffix("SECTION:") {
                section = line
            } else if !line.hasPrefix(";") {
                let record = try Self.record(line)
                if section.contains("ANSWER") {
                    answer.append(record)
                } else if section.contains("AUTHORITY") {
                    authority.append(record)
                } else if section.contains("ADDITIONAL") {
                    additional.append(record)
                }
            }
        }
        guard !status.isEmpty else {
            throw IntegrationError("no response header in dig output:\n\(text)")
        }
    }

    private static func record(_ line: String) throws -> DigRecord {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count >= 4, let ttl = UInt32(fields[1]) else {
            throw IntegrationError("unreadable record line in dig output: \(line)")
        }
        var rdata = fields.dropFirst(4).joined(separator: " ")
        // Compression may copy the qname's case into names inside RDATA; names compare
        // case-insensitively (RFC 4343), text strings do not.
        if namesOnlyRData.contains(fields[3]) { rdata = rdata.lowercased() }
        return DigRecord(owner: fields[0].lowercased(), ttl: ttl, recordClass: fields[2], type: fields[3], rdata: rdata)
    }

    /// Types whose RDATA text is names and numbers only, so lower-casing it is safe.
    private static let namesOnlyRData: Set<String> = ["NS", "CNAME", "DNAME", "PTR", "MX", "SRV", "SOA"]

    /// Answer records of `type`, as rdata strings, sorted.
    func answers(_ type: String) -> [String] {
        answer.filter { $0.type == type }.map(\.rdata).sorted()
    }
}

/// Runs dig against a local server.
enum Dig {
    /// `dig @SERVER -p PORT NAME TYPE OPTIONS...` with a short timeout and no retries, so a
    /// server that does not answer fails fast; +nottlunits keeps TTLs numeric.
    static func query(server: String = "127.0.0.1", port: UInt16, _ name: String, _ type: String, _ options: [String] = []) throws -> DigOutput {
        let dig = try PeerTool.require("dig")
        let arguments = ["@\(server)", "-p", String(port), name, type, "+time=3", "+tries=1", "+nottlunits"] + options
        let result = try PeerTool.run(dig, arguments, timeout: 30)
        guard result.status == 0 else {
            throw IntegrationError("dig \(arguments.joined(separator: " ")) failed\n\(result.transcript)")
        }
        return try DigOutput(result.stdout)
    }
}

/// The two classic DNS transports; each dig-based test runs over both.
enum Transport: String, CaseIterable, CustomStringConvertible {
    case udp, tcp

    /// dig options selecting the transport (+ignore: show a TC answer instead of retrying).
    var digOptions: [String] { self == .tcp ? ["+tcp"] : ["+notcp", "+ignore"] }

    var description: String { rawValue }
}
