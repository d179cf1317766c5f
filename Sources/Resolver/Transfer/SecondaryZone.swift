import DNSProto
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// A zone kept from its primaries (RFC 1034 §4.3.5, RFC 1996): what the `secondary` plugin
/// answers from, and the thread that keeps it current.
///
/// At start the persisted copy (`file`) is loaded, so a restart serves at once; then the SOA
/// timers run: every `refresh` seconds the primaries' SOA serial is asked for, and a newer one
/// (RFC 1982 serial arithmetic) is transferred by AXFR and swapped in whole; after a failure
/// the next try comes after `retry`; once `expire` has passed without any primary answering,
/// the zone answers SERVFAIL until one does. A NOTIFY from a primary starts a refresh at once.
/// Each new version is written to `file` (temp, fsync, rename) before it serves.
///
/// The expire clock counts from the last successful contact, or for a copy loaded from disk
/// from the start of dnsd: a restart gives the primaries one more `expire` to answer.
public final class SecondaryZone: Sendable {
    /// What the configuration says; `config.reload` may change it while the zone runs.
    public struct Settings: Sendable, Equatable {
        public var primaries: [SocketAddress]
        public var key: TSIGKey?
        public var file: String
        /// Seconds before the first retry when there is no SOA yet to take `retry` from.
        public var initialRetry: Double

        public init(primaries: [SocketAddress], key: TSIGKey?, file: String, initialRetry: Double = 10) {
            self.primaries = primaries
            self.key = key
            self.file = file
            self.initialRetry = initialRetry
        }
    }

    /// What `zone.list` shows about a secondary.
    public struct Status: Sendable {
        public var origin: DNSName
        public var serial: UInt32?
        public var records: Int
        public var primaries: [String]
        public var file: String
        /// The primary the current version came from (nil for a copy loaded from disk).
        public var transferredFrom: String?
        public var lastTransfer: Date?
        public var lastContact: Date?
        public var nextRefresh: Date?
        public var expiresAt: Date?
        public var expired: Bool
        public var lastError: String?
    }

    private struct State {
        var zone: AuthoritativeZone?
        var transferredFrom: String?
        var lastTransfer: Date?
        var lastContact: Date?
        var nextRefresh = Date()
        var expiresAt: Date?
        var lastError: String?
        var refreshRequested = false
        /// The next refresh transfers even when the serial has not moved (`zone.retransfer`).
        var forceTransfer = false
        var started = false
    }

    public let origin: DNSName
    private let settingsBox: NIOLockedValueBox<Settings>
    private let state = NIOLockedValueBox(State())
    /// Wakes the refresh thread early (a NOTIFY, `zone.retransfer`).
    private let wake = NSCondition()
    private let logger = Logger(label: "dnsd.secondary")

    public init(origin: DNSName, settings: Settings) {
        self.origin = origin
        settingsBox = NIOLockedValueBox(settings)
    }

    public var settings: Settings {
        get { settingsBox.withLockedValue { $0 } }
        set { settingsBox.withLockedValue { $0 = newValue } }
    }

    /// The zone to answer from: nil before the first copy arrives and after it expired.
    public var servable: AuthoritativeZone? {
        state.withLockedValue { state in
            guard let zone = state.zone, let expiresAt = state.expiresAt, Date() < expiresAt else { return nil }
            return zone
        }
    }

    /// The version held, expired or not.
    public var current: AuthoritativeZone? { state.withLockedValue { $0.zone } }

    /// Whether `address` is one of the primaries (NOTIFY is taken only from them; the port
    /// is not compared: a primary sends NOTIFY from any port).
    public func isPrimary(_ address: SocketAddress) -> Bool {
        settings.primaries.contains { $0.ipAddress == address.ipAddress }
    }

    /// Loads the persisted copy and starts the refresh thread; later calls do nothing.
    public func start() {
        let first = state.withLockedValue { state -> Bool in
            defer { state.started = true }
            return !state.started
        }
        guard first else { return }
        loadPersisted()
        Thread.detachNewThread { [self] in run() }
    }

    /// Asks for a refresh now (a NOTIFY arrived, or an operator asked); with `force`, the
    /// zone is transferred whatever the primary's serial.
    public func refreshNow(force: Bool = false) {
        state.withLockedValue { state in
            state.refreshRequested = true
            if force { state.forceTransfer = true }
        }
        wake.lock()
        wake.signal()
        wake.unlock()
    }

    public var status: Status {
        let settings = settings
        return state.withLockedValue { state in
            Status(origin: origin, serial: state.zone?.serial, records: state.zone?.records.count ?? 0,
                   primaries: settings.primaries.map(Self.describe), file: settings.file, transferredFrom: state.transferredFrom,
                   lastTransfer: state.lastTransfer, lastContact: state.lastContact, nextRefresh: state.nextRefresh,
                   expiresAt: state.expiresAt, expired: state.zone != nil && (state.expiresAt.map { Date() >= $0 } ?? true),
                   lastError: state.lastError)
        }
    }

    static func describe(_ address: SocketAddress) -> String { "\(address.ipAddress ?? "?")@\(address.port ?? 0)" }

    private func loadPersisted() {
        let file = settings.file
        guard FileManager.default.fileExists(atPath: file) else { return }
        do {
            let zone = try ZoneLoader.load(path: file, origin: origin)
            let expire = Self.timers(zone).expire
            state.withLockedValue { state in
                state.zone = zone
                state.expiresAt = Date().addingTimeInterval(expire)
            }
            logger.info("secondary \(origin): serving serial \(zone.serial) from \(file) until a primary answers")
        } catch {
            state.withLockedValue { $0.lastError = "\(error)" }
            logger.warning("secondary \(origin): the persisted copy \(file) does not load: \(error)")
        }
    }

    /// The refresh loop: wait for the next refresh (or a wake-up), refresh, plan the next.
    private func run() {
        while true {
            wake.lock()
            while true {
                let (due, requested) = state.withLockedValue { ($0.nextRefresh, $0.refreshRequested) }
                if requested || due <= Date() { break }
                _ = wake.wait(until: due)
            }
            wake.unlock()
            let force = state.withLockedValue { state -> Bool in
                defer { state.refreshRequested = false; state.forceTransfer = false }
                return state.forceTransfer
            }
            refresh(force: force)
        }
    }

    /// One refresh: each primary in order until one answers.
    func refresh(force: Bool) {
        let settings = settings
        var errors: [String] = []
        for primary in settings.primaries {
            do {
                try refresh(from: primary, settings: settings, force: force)
                let now = Date()
                state.withLockedValue { state in
                    state.lastContact = now
                    state.lastError = nil
                    if let zone = state.zone {
                        let timers = Self.timers(zone)
                        state.expiresAt = now.addingTimeInterval(timers.expire)
                        state.nextRefresh = now.addingTimeInterval(timers.refresh)
                    }
                }
                return
            } catch {
                errors.append("\(error)")
            }
        }
        let message = errors.joined(separator: "; ")
        logger.warning("secondary \(origin): refresh failed: \(message)")
        state.withLockedValue { state in
            state.lastError = message
            let retry = state.zone.map { Self.timers($0).retry } ?? settings.initialRetry
            state.nextRefresh = Date().addingTimeInterval(retry)
        }
    }

    private func refresh(from primary: SocketAddress, settings: Settings, force: Bool) throws {
        let client = ZoneTransferClient(primary: primary, key: settings.key)
        let held = current
        let soa = try client.soa(of: origin)
        let offered = ZoneHistory.Entry.serial(soa)
        if let held, !force, !SignatureValidity.serialLess(held.serial, offered) {
            logger.debug("secondary \(origin): \(Self.describe(primary)) has serial \(offered), we hold \(held.serial)")
            return
        }
        let records = try client.axfr(of: origin)
        let zone: AuthoritativeZone
        do { zone = try AuthoritativeZone(origin: origin, records: records) } catch {
            throw ZoneTransferClientError("\(Self.describe(primary)): AXFR \(origin) is not a valid zone: \(error)")
        }
        // Durable before it serves: a restart must never go back to an older serial.
        try ZoneEditor.replaceFile(settings.file, with: Array(ZoneFilePrinter.print(zone.records, origin: origin).utf8))
        let now = Date()
        state.withLockedValue { state in
            state.zone = zone
            state.transferredFrom = Self.describe(primary)
            state.lastTransfer = now
        }
        logger.info("secondary \(origin): AXFR serial \(zone.serial) from \(Self.describe(primary)): \(zone.records.count) records\(settings.key.map { ", TSIG key \($0.name)" } ?? "")")
    }

    /// The SOA's refresh, retry and expire, in seconds (at least 1 each, so a zero never spins).
    static func timers(_ zone: AuthoritativeZone) -> (refresh: Double, retry: Double, expire: Double) {
        guard case .soa(let soa) = zone.soa.rdatas[0] else { return (3600, 600, 604_800) }
        return (Double(max(soa.refresh, 1)), Double(max(soa.retry, 1)), Double(max(soa.expire, 1)))
    }
}
