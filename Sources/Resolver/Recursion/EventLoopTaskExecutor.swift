import NIOConcurrencyHelpers
import NIOCore

/// Runs a task's nonisolated async code on one NIO event loop, as the task's executor
/// preference (SE-0417). A resolution's sockets, timers and futures live on the event loop of
/// the query; without a preference every `await` resumed on the global concurrent pool, so each
/// client query and each upstream answer crossed between two threads (the recursion bench
/// counted 7 context switches a client query against Unbound's 1.3).
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let loop: EventLoop

    private init(_ loop: EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// One executor per event loop, made on first use and kept: tasks hold on to their
    /// preference, and the loops live as long as the process.
    private static let executors = NIOLockedValueBox<[ObjectIdentifier: EventLoopTaskExecutor]>([:])

    static func of(_ loop: EventLoop) -> EventLoopTaskExecutor {
        executors.withLockedValue { executors in
            let key = ObjectIdentifier(loop)
            if let executor = executors[key] { return executor }
            let executor = EventLoopTaskExecutor(loop)
            executors[key] = executor
            return executor
        }
    }
}
