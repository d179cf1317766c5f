import DNSProto
import Foundation

/// The JSON form of DNS that Google Public DNS and Cloudflare serve at `/resolve`
/// (`GET /resolve?name=example.com&type=AAAA`, answer `application/dns-json`). Not an RFC:
/// field names and meanings follow Google's documentation, which Cloudflare copies.
enum DoHJSON {
    /// A query built from `name`, `type` (mnemonic or number; default A), `do` and `cd`;
    /// the error text is for a 400 answer.
    static func query(from parameters: [String: String]) -> Result<Message, DoHRequestError> {
        guard let nameText = parameters["name"], !nameText.isEmpty else {
            return .failure(.badRequest("missing the name parameter, e.g. /resolve?name=example.com&type=A"))
        }
        guard let name = try? DNSName(nameText.hasSuffix(".") ? nameText : nameText + ".") else {
            return .failure(.badRequest("'\(nameText)' is not a domain name"))
        }
        var type = RecordType.a
        if let typeText = parameters["type"], !typeText.isEmpty {
            if let number = UInt16(typeText) {
                type = RecordType(rawValue: number)
            } else if let mnemonic = RecordType(mnemonic: typeText) {
                type = mnemonic
            } else {
                return .failure(.badRequest("unknown record type '\(typeText)'"))
            }
        }
        var header = Header(id: 0)
        header.recursionDesired = true
        header.checkingDisabled = flag(parameters["cd"])
        let dnssecOK = flag(parameters["do"])
        return .success(Message(header: header, questions: [Question(name: name, type: type)],
                                edns: EDNS(dnssecOK: dnssecOK)))
    }

    /// `1` or `true` (Google accepts both).
    private static func flag(_ text: String?) -> Bool { text == "1" || text?.lowercased() == "true" }

    /// The response as Google's JSON: Status, flags, Question, Answer, Authority.
    static func encode(_ response: Message) -> [UInt8] {
        func records(_ list: [ResourceRecord]) -> [[String: Any]] {
            list.map { ["name": $0.name.description, "type": Int($0.type.rawValue), "TTL": Int($0.ttl),
                        "data": $0.rdata.presentation(type: $0.type)] }
        }
        var object: [String: Any] = [
            "Status": Int(response.rcode.rawValue),
            "TC": response.header.truncated, "RD": response.header.recursionDesired,
            "RA": response.header.recursionAvailable, "AD": response.header.authenticData,
            "CD": response.header.checkingDisabled,
            "Question": response.questions.map { ["name": $0.name.description, "type": Int($0.type.rawValue)] },
        ]
        if !response.answers.isEmpty { object["Answer"] = records(response.answers) }
        if !response.authorities.isEmpty { object["Authority"] = records(response.authorities) }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Array(data)
    }
}
