import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A burst of UDP queries from one loopback address and what came back, counted by kind, for
/// tests of rate limits and of the caps on waiting work. The queries go out as fast as the
/// socket takes them, with replies read in between; then replies are read until none has come
/// for `wait` seconds (dnsd on loopback answers in well under that, so a query still unanswered
/// then is dropped or waiting upstream).
struct UDPBurst {
    var sent = 0
    /// NOERROR answers without TC.
    var answered = 0
    /// Answers with TC set (RRL's slip).
    var truncated = 0
    var refused = 0
    var servfail = 0
    /// SERVFAIL answers whose extended error says "over limits." (dnsd's caps on waiting work).
    var overLimit = 0
    /// Any other rcode (NXDOMAIN, BADCOOKIE, ...).
    var other = 0

    var responses: Int { answered + truncated + refused + servfail + other }

    static func run(port: UInt16, _ queries: [[UInt8]], source: String = "127.0.0.1", wait: Double = 0.4) throws -> UDPBurst {
        let socket = try DNSSocket.udp(port: port, timeout: wait, source: source)
        var burst = UDPBurst()
        var buffer = [UInt8](repeating: 0, count: 65535)
        for (index, query) in queries.enumerated() {
            try socket.sendMessage(query)
            burst.sent += 1
            guard index % 16 == 15 else { continue }
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(socket.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                guard count > 0 else { break }
                burst.count(Array(buffer[0..<count]))
            }
        }
        while let reply = socket.receiveMessage() { burst.count(reply) }
        return burst
    }

    /// `count` queries for `name` (ids 1, 2, ...), with EDNS (so that an answer can carry an
    /// extended error) and `cookie` (client cookie, or client and server cookie) in a COOKIE
    /// option when given.
    static func queries(_ name: String, type: UInt16 = RawDNS.typeA, count: Int, cookie: [UInt8]? = nil) -> [[UInt8]] {
        (0..<count).map { query(id: UInt16(truncatingIfNeeded: $0 + 1), name: name, type: type, cookie: cookie) }
    }

    static func query(id: UInt16, name: String, type: UInt16 = RawDNS.typeA, cookie: [UInt8]? = nil) -> [UInt8] {
        let plain = RawDNS.query(id: id, name: name, type: type, udpPayloadSize: 1232)
        guard let cookie else { return plain }
        // RawDNS ends the message with an OPT record whose RDATA is empty: give it the option.
        var bytes = Array(plain.dropLast(2))
        bytes += RawDNS.be16(UInt16(4 + cookie.count)) + RawDNS.be16(10) + RawDNS.be16(UInt16(cookie.count)) + cookie
        return bytes
    }

    /// The client and server cookie dnsd gives `client` (8 bytes) in its answer to one query.
    static func serverCookie(port: UInt16, client: [UInt8]) throws -> [UInt8] {
        let socket = try DNSSocket.udp(port: port, timeout: 2)
        try socket.sendMessage(query(id: 7, name: "example.test", type: RawDNS.typeSOA, cookie: client))
        guard let reply = socket.receiveMessage() else { throw IntegrationError("no answer to a query with a cookie") }
        let option: [UInt8] = [0, 10, 0, 24] + client
        guard let start = (0...max(0, reply.count - option.count - 16)).first(where: { Array(reply[$0..<($0 + option.count)]) == option }) else {
            throw IntegrationError("no server cookie in the answer")
        }
        return Array(reply[(start + 4)..<(start + 28)])
    }

    private mutating func count(_ reply: [UInt8]) {
        guard let header = RawHeader(reply) else { return }
        if header.truncated { truncated += 1; return }
        switch header.flags & 0x0F {
        case 0: answered += 1
        case 2:
            servfail += 1
            if reply.count >= 12, String(decoding: reply, as: UTF8.self).contains("over limits.") { overLimit += 1 }
        case 5: refused += 1
        default: other += 1
        }
    }
}
