import Atomics
import Foundation
import Logging
import NIOConcurrencyHelpers
import Resolver

/// The query log: a `QueryObserver` that, on the query path, only filters, samples and queues
/// (BoundedQueue: an append under a lock, or a drop, counted); its own thread turns events into
/// JSON lines and writes, rotates and reopens the file (QueryLogFile), so a slow disk never
/// slows answering.
public final class QueryLogOutput: QueryObserver, @unchecked Sendable {
    public let settings: QueryLogSettings
    private let logger: Logger
    private let queue: BoundedQueue<QueryEvent>
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)
    private let sampleCounter = ManagedAtomic<UInt64>(0)
    private let writtenCount = ManagedAtomic<UInt64>(0)
    /// `reopen` asks by raising `reopenRequested`; the writer answers by raising `reopenDone`.
    private let reopenRequested = ManagedAtomic<UInt64>(0)
    private let reopenDone = ManagedAtomic<UInt64>(0)
    private let lastFailure = NIOLockedValueBox<String?>(nil)

    /// Lines dropped: the queue was full, or the file could not be written.
    public var dropped: UInt64 { queue.dropped }
    /// Lines written to the file.
    public var written: UInt64 { writtenCount.load(ordering: .relaxed) }

    public init(settings: QueryLogSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        queue = BoundedQueue(capacity: settings.queueSize)
    }

    public func record(_ event: QueryEvent) {
        if settings.wants(event) && sampled() { queue.push(event) }
    }

    public func recordAnswered(_ events: [QueryEvent]) {
        queue.push(contentsOf: events.filter { settings.wants($0) && sampled() })
    }

    /// One in `sample`: a shared count, so the share holds across threads and bursts.
    @inline(__always)
    private func sampled() -> Bool {
        settings.sample == 1 || sampleCounter.loadThenWrappingIncrement(ordering: .relaxed) % UInt64(settings.sample) == 0
    }

    /// Starts the writer thread: after the privilege drop, so the files it makes are dnsd's user's.
    public func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "query-log"
        self.thread = thread
        thread.start()
    }

    /// Writes what is queued, closes the file and stops the thread; waits at most `timeout` seconds.
    public func stop(timeout: Double = 3) {
        queue.stop()
        if thread != nil { _ = finished.wait(timeout: .now() + timeout) }
    }

    /// Has the writer close the file and open the path again (logrotate moved it away), and
    /// waits until it has: lines queued before are written to the new file, none are lost.
    /// Throws the reason when the path cannot be opened (the writer keeps trying per batch).
    public func reopen(timeout: Double = 5) async throws {
        let ticket = reopenRequested.wrappingIncrementThenLoad(ordering: .relaxed)
        queue.nudge()
        let deadline = Date(timeIntervalSinceNow: timeout)
        while reopenDone.load(ordering: .acquiring) < ticket {
            guard Date() < deadline else { throw QueryLogFile.Failure(description: "the query log writer did not answer within \(Int(timeout))s") }
            try await Task.sleep(for: .milliseconds(5))
        }
        if let failure = lastFailure.withLockedValue({ $0 }) { throw QueryLogFile.Failure(description: failure) }
    }

    private func run() {
        var file = QueryLogFile(settings: settings)
        var failing = false
        func openFile() {
            do {
                try file.open()
                lastFailure.withLockedValue { $0 = nil }
                if failing { logger.info("query log: writing to \(settings.file) again") }
                failing = false
            } catch {
                lastFailure.withLockedValue { $0 = "\(error)" }
                if !failing { logger.warning("query log: \(error) (lines are dropped and counted until it opens)") }
                failing = true
            }
        }
        openFile()
        var batch: [QueryEvent] = []
        var pending: [UInt8] = []
        var line: [UInt8] = []
        pending.reserveCapacity(1 << 16)
        while queue.take(into: &batch) {
            let requested = reopenRequested.load(ordering: .relaxed)
            if requested > reopenDone.load(ordering: .relaxed) || !file.isOpen {
                openFile()
                reopenDone.store(requested, ordering: .releasing)
            }
            var lines: UInt64 = 0
            func flush() {
                guard lines > 0 else { return }
                do {
                    guard file.isOpen else { throw QueryLogFile.Failure(description: "\(settings.file) is not open") }
                    try file.write(pending)
                    writtenCount.wrappingIncrement(by: lines, ordering: .relaxed)
                } catch {
                    queue.countDropped(lines)
                    if !failing { logger.warning("query log: \(error) (lines are dropped and counted)") }
                    failing = true
                    file.close()
                }
                pending.removeAll(keepingCapacity: true)
                lines = 0
            }
            for event in batch {
                line.removeAll(keepingCapacity: true)
                QueryLogLine.append(event, to: &line)
                if file.isOpen && file.needsRotation(pending: pending.count, adding: line.count) {
                    flush()
                    do { try file.rotate() } catch {
                        lastFailure.withLockedValue { $0 = "\(error)" }
                        logger.warning("query log: \(error)")
                    }
                }
                pending.append(contentsOf: line)
                lines += 1
            }
            flush()
            batch.removeAll(keepingCapacity: true)
        }
        file.close()
    }
}
