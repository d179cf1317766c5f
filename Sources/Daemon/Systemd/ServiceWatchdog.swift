import Atomics
import Dispatch
import Foundation
import Logging

/// systemd's watchdog (`WatchdogSec=` in the unit): a thread of its own that probes the query
/// path (QueryPathProbe.swift) every half `$WATCHDOG_USEC`, as sd_watchdog_enabled(3)
/// recommends, and sends `WATCHDOG=1` only when the probe was answered. A daemon whose
/// UDP workers or event loops hang therefore stops pinging and systemd restarts it, which a
/// timer that pinged regardless would hide.
public final class ServiceWatchdog: Sendable {
    /// Half of `$WATCHDOG_USEC`: how often the probe runs and the ping is sent.
    public let interval: Duration
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = ManagedAtomic(false)

    /// Nil when systemd asked for no watchdog: `$WATCHDOG_USEC` unset or not a positive
    /// number, or `$WATCHDOG_PID` naming another process (the variables were inherited).
    public init?(environment: [String: String] = ProcessInfo.processInfo.environment, pid: Int32 = getpid()) {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = UInt64(text), microseconds > 0 else { return nil }
        if let owner = environment["WATCHDOG_PID"], Int32(owner) != pid { return nil }
        interval = .microseconds(Int64(microseconds / 2))
    }

    /// Starts the thread; each round waits `interval`, probes, and pings on success. A failed
    /// probe is logged (at most once until one succeeds again) and not pinged.
    public func start(probe: QueryPathProbe, notifier: ServiceNotifier, logger: Logger) {
        let seconds = Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18
        let thread = Thread { [self] in
            var failing = false
            // The first ping at once: READY=1 has just been sent, the path has just answered.
            notifier.watchdog()
            while !stopped.load(ordering: .relaxed) {
                if wake.wait(timeout: .now() + seconds) == .success || stopped.load(ordering: .relaxed) { break }
                if let problem = probe.check() {
                    if !failing { logger.error("watchdog: the query path did not answer its probe, not pinging systemd: \(problem)") }
                    failing = true
                    continue
                }
                if failing { logger.notice("watchdog: the query path answers again") }
                failing = false
                notifier.watchdog()
            }
        }
        thread.name = "dnsd-watchdog"
        thread.start()
        logger.info("systemd watchdog: probing the query path (\(probe.description)) every \(seconds) s")
    }

    /// Ends the thread at its next wait (at shutdown; systemd stops expecting pings after STOPPING=1).
    public func stop() {
        stopped.store(true, ordering: .relaxed)
        wake.signal()
    }
}
