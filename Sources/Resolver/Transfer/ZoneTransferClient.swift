import DNSProto
import Foundation
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// A secondary's side of a transfer: asks one primary for a zone's SOA or the whole zone
/// (AXFR, RFC 5936) over TCP, signed with TSIG when a key is named, and checks every message
/// of the answer (its ID, rcode and, with a key, its signature).
///
/// Blocking, with a timeout on every read and write: it runs on the secondary's own refresh
/// thread, never on an event loop.
public struct ZoneTransferClient: Sendable {
    public var primary: SocketAddress
    public var key: TSIGKey?
    /// Seconds any one connect, read or write may take.
    public var timeout: Double

    public init(primary: SocketAddress, key: TSIGKey?, timeout: Double = 10) {
        self.primary = primary
        self.key = key
        self.timeout = timeout
    }

    /// The primary's SOA record for `zone` (the refresh check, RFC 1034 §4.3.5).
    public func soa(of zone: DNSName) throws -> ResourceRecord {
        var found: ResourceRecord?
        try exchange(zone: zone, type: .soa) { records in
            found = records.first { $0.type == .soa && $0.name == zone }
            return true
        }
        guard let found else { throw ZoneTransferClientError("\(describe): the answer to SOA \(zone) holds no SOA record") }
        return found
    }

    /// Every record of `zone` from one AXFR, the SOA first (and not repeated at the end).
    public func axfr(of zone: DNSName) throws -> [ResourceRecord] {
        var records: [ResourceRecord] = []
        var soaCount = 0
        try exchange(zone: zone, type: .axfr) { batch in
            for record in batch {
                if records.isEmpty, record.type != .soa {
                    throw ZoneTransferClientError("\(describe): AXFR \(zone) does not start with the SOA")
                }
                if record.type == .soa {
                    soaCount += 1
                    // RFC 5936 §2.2: the second SOA closes the transfer.
                    if soaCount == 2 { return true }
                }
                records.append(record)
            }
            return false
        }
        return records
    }

    private var describe: String { "primary \(primary.ipAddress ?? "?")@\(primary.port ?? 0)" }

    /// Sends one query and hands the answer records of each response message to `take` until
    /// it returns true (the answer is complete).
    private func exchange(zone: DNSName, type: RecordType, take: ([ResourceRecord]) throws -> Bool) throws {
        let id = UInt16.random(in: 0...UInt16.max)
        let query = Message(header: Header(id: id), questions: [Question(name: zone, type: type, recordClass: .in)])
        var bytes = try query.encode()
        var verifier: TSIGSigner.ResponseVerifier?
        if let key {
            let signed = TSIGSigner.signRequest(bytes, key: key)
            bytes = signed.bytes
            verifier = TSIGSigner.ResponseVerifier(key: key, requestMAC: signed.mac)
        }
        let connection = try Connection(to: primary, timeout: timeout, describe: describe)
        defer { connection.close() }
        try connection.write([UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes)
        var done = false
        while !done {
            let length = try connection.read(2)
            var message = try connection.read(Int(length[0]) << 8 | Int(length[1]))
            if verifier != nil {
                if let header = Header.peek(message), Rcode(rawValue: UInt16(header.rcodeLow)) == .notAuth {
                    throw ZoneTransferClientError("\(describe) refused the TSIG signature of key \(key?.name.description ?? "?") (NOTAUTH)")
                }
                guard let stripped = verifier!.check(message) else {
                    throw ZoneTransferClientError("\(describe): a message of the \(type) \(zone) answer fails TSIG verification with key \(key?.name.description ?? "?")")
                }
                message = stripped
            }
            let response = try Message(wire: message)
            guard response.header.id == id, response.header.isResponse else {
                throw ZoneTransferClientError("\(describe): an answer to \(type) \(zone) with the wrong ID")
            }
            guard response.rcode == .noError else {
                throw ZoneTransferClientError("\(describe) answered \(type) \(zone) with \(response.rcode)")
            }
            done = try take(response.answers)
            if !done, type != .axfr { break }
        }
        guard done else { throw ZoneTransferClientError("\(describe): the answer to \(type) \(zone) is incomplete") }
        if let verifier, !verifier.isComplete {
            throw ZoneTransferClientError("\(describe): the last message of the \(type) \(zone) answer is not signed")
        }
    }
}

/// Why a transfer or SOA check failed, in words for the log and `zone.list`.
public struct ZoneTransferClientError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// One blocking TCP connection with timeouts.
private struct Connection {
    let fd: Int32
    let describe: String

    init(to address: SocketAddress, timeout: Double, describe: String) throws {
        self.describe = describe
        let family = address.protocol == .inet6 ? AF_INET6 : AF_INET
        fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ZoneTransferClientError("\(describe): socket: \(String(cString: strerror(errno)))") }
        var interval = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        // On Linux SO_SNDTIMEO bounds connect() too.
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        let fd = fd
        guard address.withSockAddr({ connect(fd, $0, socklen_t($1)) }) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            throw ZoneTransferClientError("\(describe): connect: \(reason)")
        }
    }

    func write(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { throw ZoneTransferClientError("\(describe): send: \(String(cString: strerror(errno)))") }
            sent += count
        }
    }

    func read(_ wanted: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: wanted)
        var got = 0
        while got < wanted {
            let count = out.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, wanted - got, 0) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                throw ZoneTransferClientError("\(describe): \(count == 0 ? "closed the connection mid-answer" : "read: \(String(cString: strerror(errno)))")")
            }
            got += count
        }
        return out
    }

    func close() { Glibc.close(fd) }
}
