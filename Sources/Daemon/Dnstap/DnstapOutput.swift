import Atomics
import DNSProto
import Foundation
import Logging
import Resolver

/// dnstap's writer: the query path hands it `TapMessage`s (`WireTap.record`: an append under
/// a lock, or a drop, counted, when `queue_size` messages already wait), and its own thread
/// picks the server block's selection, encodes protobuf and writes Frame Streams to the sink.
/// A collector that goes away is reconnected with backoff (0.25 s doubling to 4 s); while it
/// is away the queue fills and further messages are dropped, so answering never waits.
public final class DnstapOutput: WireTap, @unchecked Sendable {
    public let settings: DnstapSettings
    private let encoder: DnstapEncoder
    /// The server block's `dnstap:` selection for a question name (the pipeline in force).
    private let selection: @Sendable (DNSName) -> TapSelection
    private let logger: Logger

    private let queue: BoundedQueue<TapMessage>
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)

    private let sentCount = ManagedAtomic<UInt64>(0)
    private let connectedFlag = ManagedAtomic<Bool>(false)

    /// Messages dropped: the queue was full (no collector, or a slow one), or a write failed.
    public var dropped: UInt64 { queue.dropped }
    /// dnstap messages written to the sink.
    public var sent: UInt64 { sentCount.load(ordering: .relaxed) }
    /// Whether a stream to the sink is open.
    public var connected: Bool { connectedFlag.load(ordering: .relaxed) }

    public init(settings: DnstapSettings, logger: Logger, selection: @escaping @Sendable (DNSName) -> TapSelection) {
        self.settings = settings
        self.logger = logger
        self.selection = selection
        encoder = DnstapEncoder(identity: Array(settings.identity.utf8), version: Array(settings.version.utf8))
        queue = BoundedQueue(capacity: settings.queueSize)
    }

    public func record(_ message: TapMessage) {
        queue.push(message)
    }

    public func record(_ messages: [TapMessage]) {
        queue.push(contentsOf: messages)
    }

    /// Starts the writer thread.
    public func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "dnstap"
        self.thread = thread
        thread.start()
    }

    /// Writes what is queued, ends the stream (STOP, FINISH) and stops the thread; waits at
    /// most `timeout` seconds.
    public func stop(timeout: Double = 3) {
        queue.stop()
        if thread != nil { _ = finished.wait(timeout: .now() + timeout) }
    }

    private func run() {
        var connection: DnstapConnection?
        var backoff = 0.25
        var failing = false
        var batch: [TapMessage] = []
        while true {
            if connection == nil {
                do {
                    connection = try DnstapConnection.open(settings.sink)
                    connectedFlag.store(true, ordering: .relaxed)
                    logger.info("dnstap: writing to \(settings.sink)")
                    (backoff, failing) = (0.25, false)
                } catch {
                    if !failing { logger.warning("dnstap: cannot write to \(settings.sink) (retrying with backoff): \(error)") }
                    failing = true
                    if !queue.pause(seconds: backoff) { break }
                    backoff = min(backoff * 2, 4)
                    continue
                }
            }
            guard queue.take(into: &batch) else { break }
            var frames: [UInt8] = []
            var count: UInt64 = 0
            for message in batch {
                for payload in encoder.encode(message, selection: selection) {
                    FrameStreams.appendData(payload, to: &frames)
                    count += 1
                }
            }
            batch.removeAll(keepingCapacity: true)
            guard count > 0, let open = connection else { continue }
            do {
                try open.write(frames)
                sentCount.wrappingIncrement(by: count, ordering: .relaxed)
            } catch {
                queue.countDropped(count)
                logger.warning("dnstap: lost the sink \(settings.sink) (reconnecting): \(error)")
                open.close()
                connection = nil
                connectedFlag.store(false, ordering: .relaxed)
            }
        }
        connection?.finish()
        connectedFlag.store(false, ordering: .relaxed)
    }
}
