import DNSProto
import Foundation

/// TSIG signing and checking on wire bytes (RFC 8945 §4.3 and §5): what the MAC covers for a
/// request, a response, and the later messages of a multi-message answer (AXFR, IXFR).
public enum TSIGSigner {
    /// The fudge dnsd signs with and the default it allows (RFC 8945 §10 recommends 300 s).
    public static let fudge: UInt16 = 300

    /// What checking a request found.
    public enum Verdict: Sendable {
        /// No TSIG record.
        case unsigned
        /// Signed with `key`; `mac` is what the answer's MAC covers first.
        case signed(key: TSIGKey, mac: [UInt8])
        /// Refused with a TSIG error (`TSIGRecord.badKey`/`badSig`/`badTime`): `reply` turns a
        /// NOTAUTH response skeleton into the answer the RFC asks for (signed only for BADTIME).
        case failed(error: UInt16, record: TSIGRecord, key: TSIGKey?)
    }

    public static func now() -> UInt64 { UInt64(Date().timeIntervalSince1970) }

    /// Checks a request's signature (RFC 8945 §5.2: key, then MAC, then time).
    public static func verifyRequest(_ bytes: [UInt8], keyring: TSIGKeyring, now: UInt64 = now()) -> Verdict {
        guard let located = try? TSIGRecord.locate(in: bytes) else { return .unsigned }
        let record = located.record
        guard let key = keyring[record.keyName], TSIGKey.Algorithm(name: record.algorithm) == key.algorithm else {
            return .failed(error: TSIGRecord.badKey, record: record, key: nil)
        }
        let covered = located.unsigned + record.variables(timersOnly: false)
        guard record.mac.count == key.algorithm.macSize, key.algorithm.isValid(record.mac, for: covered, secret: key.secret) else {
            return .failed(error: TSIGRecord.badSig, record: record, key: nil)
        }
        let skew = now > record.timeSigned ? now - record.timeSigned : record.timeSigned - now
        guard skew <= UInt64(record.fudge) else {
            return .failed(error: TSIGRecord.badTime, record: record, key: key)
        }
        return .signed(key: key, mac: record.mac)
    }

    /// Signs a request (a NOTIFY dnsd sends); returns the signed bytes and the MAC, which
    /// the reply's MAC covers.
    public static func signRequest(_ bytes: [UInt8], key: TSIGKey, now: UInt64 = now()) -> (bytes: [UInt8], mac: [UInt8]) {
        var record = TSIGRecord(keyName: key.name, algorithm: key.algorithm.name, timeSigned: now, fudge: fudge,
                                originalID: UInt16(bytes[0]) << 8 | UInt16(bytes[1]))
        record.mac = key.algorithm.mac(bytes + record.variables(timersOnly: false), secret: key.secret)
        return (record.append(to: bytes), record.mac)
    }

    /// Checks a reply to a request signed with `requestMAC` (RFC 8945 §5.3: request MAC,
    /// then the reply, then its variables).
    public static func verifyResponse(_ bytes: [UInt8], key: TSIGKey, requestMAC: [UInt8], now: UInt64 = now()) -> Bool {
        guard let located = try? TSIGRecord.locate(in: bytes), located.record.keyName == key.name, located.record.error == 0 else {
            return false
        }
        let record = located.record
        let covered = prefix(requestMAC) + located.unsigned + record.variables(timersOnly: false)
        let skew = now > record.timeSigned ? now - record.timeSigned : record.timeSigned - now
        return key.algorithm.isValid(record.mac, for: covered, secret: key.secret) && skew <= UInt64(record.fudge)
    }

    /// The answer to a request whose TSIG failed: `response` (rcode NOTAUTH) with a TSIG record
    /// carrying the error; BADTIME is signed and tells the client our time (RFC 8945 §5.2.3),
    /// BADKEY and BADSIG are not signed (we cannot, or must not, §5.2.1-2).
    public static func failure(_ response: [UInt8], error: UInt16, request: TSIGRecord, key: TSIGKey?, now: UInt64 = now()) -> [UInt8] {
        var record = TSIGRecord(keyName: request.keyName, algorithm: request.algorithm, timeSigned: now, fudge: fudge,
                                originalID: request.originalID, error: error)
        guard error == TSIGRecord.badTime, let key else { return record.append(to: response) }
        record.timeSigned = request.timeSigned
        record.otherData = Array(withUnsafeBytes(of: now.bigEndian) { Array($0) }.suffix(6))
        record.mac = key.algorithm.mac(prefix(request.mac) + response + record.variables(timersOnly: false), secret: key.secret)
        return record.append(to: response)
    }

    /// Signs the messages of one answer in order: the first covers the request's MAC and the
    /// full variables, each later one the previous MAC and only the timers (RFC 8945 §5.3.1).
    /// dnsd signs every message of a stream, which every client accepts.
    public struct Stream: Sendable {
        public let key: TSIGKey
        private var priorMAC: [UInt8]
        private var first = true
        private let now: UInt64

        public init(key: TSIGKey, requestMAC: [UInt8], now: UInt64 = TSIGSigner.now()) {
            self.key = key
            priorMAC = requestMAC
            self.now = now
        }

        public mutating func sign(_ message: [UInt8]) -> [UInt8] {
            var record = TSIGRecord(keyName: key.name, algorithm: key.algorithm.name, timeSigned: now, fudge: TSIGSigner.fudge,
                                    originalID: UInt16(message[0]) << 8 | UInt16(message[1]))
            record.mac = key.algorithm.mac(TSIGSigner.prefix(priorMAC) + message + record.variables(timersOnly: !first), secret: key.secret)
            first = false
            priorMAC = record.mac
            return record.append(to: message)
        }
    }

    /// A MAC as the next digest starts with it: its length in two bytes, then the MAC.
    static func prefix(_ mac: [UInt8]) -> [UInt8] { [UInt8(mac.count >> 8), UInt8(mac.count & 0xFF)] + mac }
}

extension TSIGSigner {
    /// Checks the messages of one signed answer in order, as a secondary reads an AXFR: the
    /// first must be signed and covers the request's MAC with the full variables; a later
    /// signed one covers the previous MAC, every unsigned message since, and the timers only.
    /// RFC 8945 §5.3.1 lets a server leave up to 99 messages in a row unsigned (NSD signs
    /// about every hundredth); the last message must be signed, which `finish` checks.
    public struct ResponseVerifier: Sendable {
        public let key: TSIGKey
        private var priorMAC: [UInt8]
        private var pending: [UInt8] = []
        private var unsignedRun = 0
        private var first = true

        public init(key: TSIGKey, requestMAC: [UInt8]) {
            self.key = key
            priorMAC = requestMAC
        }

        /// Checks one message; returns it without its TSIG record, or nil when it fails.
        public mutating func check(_ message: [UInt8], now: UInt64 = TSIGSigner.now()) -> [UInt8]? {
            guard let located = try? TSIGRecord.locate(in: message) else {
                guard !first, unsignedRun < 99 else { return nil }
                pending += message
                unsignedRun += 1
                return message
            }
            let record = located.record
            guard record.keyName == key.name, record.error == 0, record.mac.count == key.algorithm.macSize else { return nil }
            let covered = TSIGSigner.prefix(priorMAC) + pending + located.unsigned + record.variables(timersOnly: !first)
            let skew = now > record.timeSigned ? now - record.timeSigned : record.timeSigned - now
            guard key.algorithm.isValid(record.mac, for: covered, secret: key.secret), skew <= UInt64(record.fudge) else { return nil }
            first = false
            pending = []
            unsignedRun = 0
            priorMAC = record.mac
            return located.unsigned
        }

        /// Whether the answer ended on a signed message.
        public var isComplete: Bool { !first && unsignedRun == 0 }
    }
}
