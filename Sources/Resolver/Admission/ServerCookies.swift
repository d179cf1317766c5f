#if canImport(Glibc)
import Glibc
#endif
import CDatagramBatch
import NIOConcurrencyHelpers

/// DNS server cookies (RFC 7873) in the interoperable form of RFC 9018: version 1, a timestamp,
/// and SipHash-2-4 over the client cookie, version, timestamp and client address, keyed with
/// a 16-byte server secret. Any server sharing the secret (an anycast fleet, BIND, Knot,
/// PowerDNS) makes and accepts the same cookies.
///
/// The secret rotates without a restart (`cookie.rotate`); the previous one still verifies, so
/// no client in the middle of a conversation is told BADCOOKIE by the rotation. Shared by every
/// configuration generation.
public final class ServerCookies: Sendable {
    /// RFC 9018 §4.3: a cookie older than an hour, or more than five minutes in the future,
    /// is not valid; one older than half an hour is replaced rather than echoed.
    static let maximumAge: Int64 = 3600
    static let maximumSkew: Int64 = 300
    static let renewAfter: Int64 = 1800

    private struct Secrets {
        var current: [UInt8]
        var previous: [UInt8]?
    }

    private let secrets: NIOLockedValueBox<Secrets>

    /// `secret`: 16 bytes, or nil for a random one.
    public init(secret: [UInt8]?, previous: [UInt8]? = nil) {
        secrets = NIOLockedValueBox(Secrets(current: secret ?? Self.randomSecret(), previous: previous))
    }

    public static func randomSecret() -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 16)
        _ = bytes.withUnsafeMutableBytes { dnsd_random_fill($0.baseAddress, 16) }
        return bytes
    }

    /// The secrets in force: the one that makes cookies, and the one before it.
    public var current: (secret: [UInt8], previous: [UInt8]?) {
        secrets.withLockedValue { ($0.current, $0.previous) }
    }

    /// Makes `secret` (or a random one) the one that makes cookies; the one before keeps verifying
    /// until the next rotation.
    @discardableResult
    public func rotate(to secret: [UInt8]? = nil) -> [UInt8] {
        let fresh = secret ?? Self.randomSecret()
        secrets.withLockedValue { secrets in
            guard secrets.current != fresh else { return }
            secrets.previous = secrets.current
            secrets.current = fresh
        }
        return fresh
    }

    /// The 16-byte server cookie for `clientCookie` from `client` at `now` (Unix seconds).
    func make(clientCookie: UInt64, client: ClientAddress, now: UInt32) -> (UInt64, UInt64) {
        let key = secrets.withLockedValue { SipHash24.key($0.current) }
        let head = UInt64(0x0100_0000) << 32 | UInt64(now)
        return (head, Self.hash(key: key, clientCookie: clientCookie, head: head, client: client))
    }

    /// Whether `server` (16 bytes as two big-endian words) is a cookie this server made for
    /// `clientCookie` and `client`, and is still in its validity window at `now`.
    func verify(clientCookie: UInt64, server: (UInt64, UInt64), client: ClientAddress, now: UInt32) -> Bool {
        let (head, hash) = server
        guard head >> 32 == 0x0100_0000 else { return false }
        let age = Int64(Int32(bitPattern: now &- UInt32(truncatingIfNeeded: head)))
        guard age <= Self.maximumAge, age >= -Self.maximumSkew else { return false }
        let (current, previous) = secrets.withLockedValue { ($0.current, $0.previous) }
        if Self.hash(key: SipHash24.key(current), clientCookie: clientCookie, head: head, client: client) == hash { return true }
        guard let previous else { return false }
        return Self.hash(key: SipHash24.key(previous), clientCookie: clientCookie, head: head, client: client) == hash
    }

    /// Whether a valid cookie made at `head`'s timestamp should be echoed rather than renewed.
    static func isFresh(_ head: UInt64, now: UInt32) -> Bool {
        Int64(Int32(bitPattern: now &- UInt32(truncatingIfNeeded: head))) < renewAfter
    }

    /// The hash field as a big-endian word: SipHash's little-endian output bytes, in order.
    private static func hash(key: (UInt64, UInt64), clientCookie: UInt64, head: UInt64, client: ClientAddress) -> UInt64 {
        var hasher = SipHash24(key: key)
        hasher.appendBigEndian(clientCookie, bytes: 8)
        hasher.appendBigEndian(head, bytes: 8)
        let address = client.unmapped
        if address.family == 4 {
            hasher.appendBigEndian(address.high >> 32, bytes: 4)
        } else {
            hasher.appendBigEndian(address.high, bytes: 8)
            hasher.appendBigEndian(address.low, bytes: 8)
        }
        return hasher.finalize().byteSwapped
    }
}
