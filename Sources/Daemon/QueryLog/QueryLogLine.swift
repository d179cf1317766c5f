import DNSProto
import Resolver

/// One query log line: the fields and names of `queries.subscribe`'s events
/// (QueryEventJSON.swift), written straight into bytes, since the writer thread makes one per
/// logged answer and JSONEncoder costs several times more.
enum QueryLogLine {
    static func append(_ event: QueryEvent, to out: inout [UInt8]) {
        let millis = event.timeNanos / 1_000_000
        let fraction = millis % 1000
        out.append(contentsOf: #"{"time":"#.utf8)
        out.append(contentsOf: String(millis / 1000).utf8)
        out.append(UInt8(ascii: "."))
        if fraction < 100 { out.append(UInt8(ascii: "0")) }
        if fraction < 10 { out.append(UInt8(ascii: "0")) }
        out.append(contentsOf: String(fraction).utf8)
        field("client", event.clientAddress, to: &out)
        field("transport", event.transport.rawValue, to: &out)
        field("name", event.name.description, to: &out)
        field("type", event.type.description, to: &out)
        field("rcode", event.rcode.description, to: &out)
        field("source", event.source.description, to: &out)
        // Only validated answers carry the DNSSEC fields: the other lines stay as short as before.
        if let dnssec = event.dnssec { field("dnssec", dnssec.description, to: &out) }
        if let reason = event.dnssecReason { field("dnssec_reason", reason, to: &out) }
        out.append(contentsOf: #","latency_us":"#.utf8)
        out.append(contentsOf: String(event.latencyNanos / 1000).utf8)
        out.append(contentsOf: #","size":"#.utf8)
        out.append(contentsOf: String(event.responseBytes).utf8)
        out.append(contentsOf: (event.truncated ? #","tc":true"# : #","tc":false"#).utf8)
        out.append(contentsOf: (event.dnssecOK ? #","do":true}"# : #","do":false}"#).utf8)
        out.append(UInt8(ascii: "\n"))
    }

    private static func field(_ key: String, _ value: String, to out: inout [UInt8]) {
        out.append(contentsOf: #",""#.utf8)
        out.append(contentsOf: key.utf8)
        out.append(contentsOf: #"":""#.utf8)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
