import Atomics
import DNSProto
import Foundation
import Logging
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Sends NOTIFY (RFC 1996) for one zone to its secondaries (`notify` and `also_notify`) after
/// every new serial, over UDP, signed with the target's TSIG key when it names one.
///
/// Each target is retried with backoff (1 s, 2 s, 4 s, ...) until it answers with a NOTIFY
/// response carrying the query's ID (and a valid TSIG when signed), for at most
/// `maxAttempts` sends (RFC 1996 §3.6: retransmit until acknowledged, within bounds). A newer
/// change stops the retries of an older one: the newer NOTIFY says everything it did. Each
/// round runs on its own thread, off the event loops, so a silent secondary holds no query.
public final class ZoneNotifier: Sendable {
    public struct Target: Sendable, Hashable, CustomStringConvertible {
        public var address: SocketAddress
        public var key: TSIGKey?
        public init(address: SocketAddress, key: TSIGKey?) {
            self.address = address
            self.key = key
        }
        public var description: String { "\(address.ipAddress ?? "?")@\(address.port ?? 0)" }
    }

    public let targets: [Target]
    public let maxAttempts: Int
    /// Seconds to wait for the first answer; doubles with each retry.
    public let firstTimeout: Double
    private let generation = ManagedAtomic<Int>(0)
    private let logger: Logger
    private let counters: ZoneTransferCounters?

    public init(targets: [Target], maxAttempts: Int = 5, firstTimeout: Double = 1, counters: ZoneTransferCounters? = nil,
                logger: Logger = Logger(label: "dnsd.notify")) {
        self.targets = targets
        self.counters = counters
        self.maxAttempts = maxAttempts
        self.firstTimeout = firstTimeout
        self.logger = logger
    }

    /// Starts a NOTIFY round for `zone`'s current serial; returns at once.
    public func zoneChanged(_ zone: AuthoritativeZone) {
        guard !targets.isEmpty else { return }
        let round = generation.wrappingIncrementThenLoad(ordering: .relaxed)
        let soa = zone.soa.records()[0]
        for target in targets {
            Thread.detachNewThread { [self] in
                send(soa: soa, to: target, round: round)
            }
        }
    }

    private func send(soa: ResourceRecord, to target: Target, round: Int) {
        var timeout = firstTimeout
        for attempt in 1...maxAttempts {
            guard generation.load(ordering: .relaxed) == round else { return }
            let id = UInt16.random(in: 0...UInt16.max)
            var header = Header(id: id)
            header.opcode = .notify
            header.authoritative = true
            let message = Message(header: header, questions: [Question(name: soa.name, type: .soa, recordClass: soa.recordClass)],
                                  answers: [soa])
            guard var bytes = try? message.encode() else { return }
            var requestMAC: [UInt8] = []
            if let key = target.key { (bytes, requestMAC) = TSIGSigner.signRequest(bytes, key: key) }
            let started = Date()
            switch exchange(bytes, id: id, with: target.address, timeout: timeout) {
            case .some(let reply):
                if let key = target.key, !TSIGSigner.verifyResponse(reply, key: key, requestMAC: requestMAC) {
                    logger.warning("NOTIFY \(soa.name) to \(target): the reply's TSIG does not verify with key \(key.name)")
                } else if let rcode = Header.peek(reply).map({ Rcode(rawValue: UInt16($0.rcodeLow)) }), rcode != .noError {
                    logger.warning("NOTIFY \(soa.name) to \(target): answered \(rcode)")
                    counters?.count(.notifyUnacknowledged)
                    return
                } else {
                    logger.info("NOTIFY \(soa.name) serial \(ZoneHistory.Entry.serial(soa)) acknowledged by \(target)")
                    counters?.count(.notifyAcknowledged)
                    return
                }
            case .none:
                break
            }
            // A refused port fails at once: still wait out the attempt, or retries would spin.
            let waited = Date().timeIntervalSince(started)
            if attempt < maxAttempts, waited < timeout { Thread.sleep(forTimeInterval: timeout - waited) }
            timeout *= 2
        }
        logger.warning("NOTIFY \(soa.name) to \(target): no acknowledgement after \(maxAttempts) attempts")
        counters?.count(.notifyUnacknowledged)
    }

    /// One send and the wait for its answer (the NOTIFY response with our ID); nil on timeout.
    private func exchange(_ bytes: [UInt8], id: UInt16, with address: SocketAddress, timeout: Double) -> [UInt8]? {
        let family = address.protocol == .inet6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var interval = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        guard address.withSockAddr({ connect(fd, $0, socklen_t($1)) }) == 0,
              bytes.withUnsafeBytes({ Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else { return nil }
        var reply = [UInt8](repeating: 0, count: 4096)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeout * 1e9)
        while DispatchTime.now().uptimeNanoseconds < deadline {
            let count = reply.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            // A refused port (ICMP) or the timeout: this attempt is over.
            guard count >= 12 else { return nil }
            if reply[0] == UInt8(id >> 8), reply[1] == UInt8(id & 0xFF), reply[2] & 0x80 != 0, (reply[2] >> 3) & 0x0F == 4 {
                return Array(reply[..<count])
            }
        }
        return nil
    }
}
