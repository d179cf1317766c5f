import Dispatch

/// Runs the daemon's async work on the concurrency pool while the main thread waits for it,
/// instead of an `async` main.
///
/// An async main hands the main thread to `dispatch_main`, which ends it with `pthread_exit`.
/// The process's first thread then lingers as a zombie with the credentials it had, and
/// `/proc/PID/status` (what `ps`, `top` and systemd show) reads that thread: after `user:`
/// dropped root (Daemon's PrivilegeDrop), dnsd would still look like root there, capabilities
/// and all. A main thread that is alive takes part in the drop like every other thread.
enum MainThreadWait {
    /// Blocks until `body` returns; its error, if it threw.
    static func run(_ body: @escaping @Sendable () async throws -> Void) -> Error? {
        let finished = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        Task.detached {
            do { try await body() } catch { outcome.error = error }
            finished.signal()
        }
        finished.wait()
        return outcome.error
    }

    /// Written by the task before it signals, read by the main thread after the wait: the
    /// semaphore orders the two, so no lock is needed.
    private final class Outcome: @unchecked Sendable {
        var error: Error?
    }
}
