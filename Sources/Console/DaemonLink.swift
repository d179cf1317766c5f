import ConsoleCore
import ControlProto
import Foundation

/// The console's two connections to dnsd, each on its own thread: one polls (every
/// `--refresh` seconds, and runs the actions the operator asks for), one reads the
/// `queries.subscribe` stream. Both hand what they get to the main actor through a
/// lock-protected inbox, so no curses call and no view-model change ever happens off the
/// main thread, and a slow or dead daemon never freezes the keyboard.
///
/// Role: at connect the poller asks `system.whoami`, so the console shows `r`, `f`, `c` and `u` as
/// unavailable to a read-only connection before anyone presses them. An action refused with
/// -32001 anyway (access changed) also marks the connection read-only.
final class DaemonLink: @unchecked Sendable {
    /// What the threads have delivered since the main actor last looked.
    struct Delivery {
        var snapshots: [PollSnapshot] = []
        var batches: [QueryEventBatch] = []
        var outcomes: [ActionOutcome] = []
        var lost: String?
        var sample = 1
        var isEmpty: Bool { snapshots.isEmpty && batches.isEmpty && outcomes.isEmpty && lost == nil }
    }

    /// The stream is sampled above this many events a second: nobody reads faster, and
    /// decoding every event at 20k QPS would cost the console a core.
    static let streamEventsPerSecond = 200.0
    /// Slow panes (1-min latency, top lists, upstreams, certificates) are fetched every this
    /// many seconds: each costs the daemon a pass over its event ring.
    static let slowPollSeconds = 5.0

    private let path: String
    private let refresh: Double
    private let lock = NSLock()
    private var delivery = Delivery()
    private var actions: [ConsoleAction] = []
    private var wantedSample = 1
    /// Seconds the top lists cover (`w`); only the polling thread reads it.
    private var topWindow = 60
    /// Streamed events are dropped past this many waiting (the main actor is stuck).
    private let maxWaitingEvents = 20_000
    private var waitingEvents = 0

    init(path: String, refresh: Double) {
        self.path = path
        self.refresh = max(0.2, refresh)
    }

    func start() {
        let poller = Thread { [self] in pollLoop() }
        poller.name = "dnsconsole-poll"
        poller.start()
        let reader = Thread { [self] in streamLoop() }
        reader.name = "dnsconsole-stream"
        reader.start()
    }

    /// Everything delivered so far (the main actor calls this every tick).
    func take() -> Delivery {
        lock.withLock {
            let taken = delivery
            delivery = Delivery()
            delivery.sample = taken.sample
            waitingEvents = 0
            return taken
        }
    }

    func perform(_ action: ConsoleAction) {
        lock.withLock { actions.append(action) }
    }

    private func deliver(_ change: (inout Delivery) -> Void) { lock.withLock { change(&delivery) } }

    static func reason(_ error: Error) -> String {
        switch error {
        case ControlClientError.cannotConnect(_, let reason): return reason
        case ControlClientError.io(let reason): return reason
        case ControlClientError.timedOut: return "no answer in time"
        default: return "\(error)"
        }
    }

    // MARK: - Polling thread

    private func pollLoop() {
        var client: ControlClient?
        var nextPoll = Date.distantPast, nextSlow = Date.distantPast
        var firstRound = true
        while true {
            let pending: [ConsoleAction] = lock.withLock { defer { actions = [] }; return actions }
            do {
                if client == nil {
                    let connection = try ControlClient(path: path, timeout: .seconds(3))
                    client = connection
                    firstRound = true
                    nextSlow = .distantPast
                }
                guard let connection = client else { continue }
                for action in pending { run(action, on: connection) }
                if !pending.isEmpty { nextSlow = .distantPast }  // show the reload's effect now
                if Date() >= nextPoll || !pending.isEmpty {
                    nextPoll = Date().addingTimeInterval(refresh)
                    let slow = Date() >= nextSlow
                    if slow { nextSlow = Date().addingTimeInterval(Self.slowPollSeconds) }
                    let snapshot = try poll(connection, first: firstRound, slow: slow)
                    firstRound = false
                    deliver { $0.snapshots.append(snapshot) }
                }
            } catch let error as RPCError {
                // A refused connection (limit hit) answers with an error and closes.
                client = nil
                deliver { $0.lost = error.message }
                nextPoll = Date().addingTimeInterval(1)
            } catch {
                client = nil
                deliver { $0.lost = Self.reason(error) }
                for action in pending { deliver { $0.outcomes.append(.failed(action, "dnsd is not reachable")) } }
                nextPoll = Date().addingTimeInterval(1)
            }
            Thread.sleep(forTimeInterval: client == nil ? 0.5 : 0.05)
        }
    }

    /// A method whose failure only blanks its pane (an older dnsd, no cache configured).
    private func optional(_ connection: ControlClient, _ method: String, _ params: JSONValue? = nil) throws -> JSONValue? {
        do { return try connection.call(method, params: params) } catch is RPCError { return nil }
    }

    private func poll(_ connection: ControlClient, first: Bool, slow: Bool) throws -> PollSnapshot {
        var snapshot = PollSnapshot()
        if first {
            snapshot.version = try connection.call("core.version")["version"]?.stringValue
            let role = try connection.call("system.whoami")["role"]?.stringValue
            snapshot.readOnly = role != "admin"
        }
        snapshot.uptimeSeconds = try connection.call("core.uptime")["seconds"]?.intValue
        snapshot.takeStats(try connection.call("stats.get"))
        snapshot.takeCache(try optional(connection, "cache.stats"))
        if let latency = try optional(connection, "latency.histogram", .object(["window": .int(10)])) {
            snapshot.latency10s = LatencySummary(json: latency, window: 10)
        }
        if slow {
            if let latency = try optional(connection, "latency.histogram", .object(["window": .int(60)])) {
                snapshot.latency1m = LatencySummary(json: latency, window: 60)
            }
            if let top = try optional(connection, "queries.top", .object(["window": .int(topWindow), "limit": .int(50)])) {
                snapshot.takeTop(top)
            }
            snapshot.takeLimited(try optional(connection, "rrl.list", .object(["limit": .int(20)])))
            snapshot.upstreams = (try optional(connection, "upstream.list"))?.arrayValue?.compactMap(UpstreamRow.init(json:)) ?? []
            var certificates: [CertificateRow] = []
            for entry in (try optional(connection, "tls.list"))?.arrayValue ?? [] {
                guard let name = entry["name"]?.stringValue else { continue }
                if let info = try optional(connection, "tls.info", .object(["name": .string(name)])), let row = CertificateRow(info: info) {
                    certificates.append(row)
                }
            }
            snapshot.certificates = certificates
        }
        updateSample(totalQueries: snapshot.totalQueries)
        return snapshot
    }

    private var lastCount: (total: Int, at: Date)?

    /// Chooses the stream's sampling from the query rate: a power of two, so small changes
    /// in rate do not resubscribe back and forth.
    private func updateSample(totalQueries: Int?) {
        guard let total = totalQueries else { return }
        defer { lastCount = (total, Date()) }
        guard let last = lastCount, total >= last.total else { return }
        let rate = Double(total - last.total) / max(0.05, Date().timeIntervalSince(last.at))
        var sample = 1
        while Double(sample) * Self.streamEventsPerSecond < rate && sample < 1 << 20 { sample *= 2 }
        lock.withLock { wantedSample = sample }
    }

    private func run(_ action: ConsoleAction, on connection: ControlClient) {
        let outcome: ActionOutcome
        do {
            switch action {
            case .reloadCertificates:
                outcome = .reload(report: PollSnapshot.report(try connection.call("tls.reload")), failure: nil)
            case .flushCache(let name):
                let params: JSONValue = name.map { .object(["name": .string($0.hasSuffix(".") ? $0 : $0 + ".")]) } ?? .object([:])
                outcome = .flushed(name: name, count: try connection.call("cache.flush", params: params)["flushed"]?.intValue ?? 0)
            case .reloadConfig:
                outcome = .configReloaded(ConfigReloadResult(result: try connection.call("config.reload")))
            case .topWindow(let seconds):
                topWindow = seconds
                return
            case .showClient(let address, let window):
                let detail = ClientDetail(json: try connection.call("clients.show", params: .object(["address": .string(address), "window": .int(window)])))
                outcome = detail.map { .client($0) } ?? .failed(action, "no answer for \(address)")
            case .setUpstream(let name, let enabled):
                _ = try connection.call(enabled ? "upstream.enable" : "upstream.disable", params: .object(["name": .string(name)]))
                outcome = .upstreamSet(name: name, enabled: enabled)
            case .quit:
                return
            }
        } catch let error as RPCError where error.code == RPCError.forbidden {
            outcome = .forbidden(action)
        } catch let error as RPCError where error.code == RPCError.operationFailed && action == .reloadCertificates {
            outcome = .reload(report: PollSnapshot.report(error.data), failure: error.message)
        } catch let error as RPCError where error.code == RPCError.operationFailed && action == .reloadConfig {
            outcome = .configReloaded(ConfigReloadResult(failure: error.message, data: error.data))
        } catch let error as RPCError {
            outcome = .failed(action, error.message)
        } catch {
            outcome = .failed(action, Self.reason(error))
        }
        deliver { $0.outcomes.append(outcome) }
    }

    // MARK: - Stream thread

    /// `{"sample": N}`, filled by subscript rather than written as a dictionary literal: a
    /// literal's initializer is a loop, and Swift 6.3.1's loop-invariant code motion never
    /// finishes on that loop inlined into `streamLoop`'s endless one (a release build of
    /// dnsconsole then spins in the optimizer; swiftlang/swift#88618).
    private static func subscribeParams(sample: Int) -> JSONValue {
        var params: [String: JSONValue] = [:]
        params["sample"] = .int(sample)
        return .object(params)
    }

    private func streamLoop() {
        while true {
            do {
                // A short timeout so the loop notices when the sampling should change.
                let client = try ControlClient(path: path, timeout: .seconds(1))
                let sample = lock.withLock { wantedSample }
                _ = try client.call("queries.subscribe", params: Self.subscribeParams(sample: sample))
                deliver { $0.sample = sample }
                while lock.withLock({ wantedSample }) == sample {
                    let line: [UInt8]
                    do { line = try client.readLine() } catch ControlClientError.timedOut { continue }
                    guard var batch = QueryEventBatch.decode(line: line) else { continue }
                    lock.withLock {
                        if waitingEvents + batch.events.count > maxWaitingEvents {
                            batch.missed += batch.events.count
                            batch.events = []
                        }
                        waitingEvents += batch.events.count
                        delivery.batches.append(batch)
                    }
                }
            } catch {
                // The poller reports the daemon gone; this thread just retries.
                Thread.sleep(forTimeInterval: 1)
            }
        }
    }
}
