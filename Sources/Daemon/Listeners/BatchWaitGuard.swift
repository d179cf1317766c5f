/// Whether a UDP worker's batch wait (`udp.batch_wait`, UDPSettings.swift) pays on this host.
///
/// The wait is worth it only if the sleep ends about when asked. Where it does not (a virtual
/// CPU that the hypervisor wakes slowly from idle, say), every query held during the sleep
/// waits the overrun too, and the tail latency grows with nothing gained. So the worker times
/// its sleeps: when they run over by more than the wait itself on average (a moving average
/// over about 8 sleeps), it stops sleeping and blocks on the socket as with `batch_wait: 0`,
/// and tries again after `suspendedBursts` bursts.
struct BatchWaitGuard {
    static let suspendedBursts = 10_000

    /// The wait, in nanoseconds.
    let wait: UInt64
    /// Moving average of how far sleeps ran past `wait`, in nanoseconds.
    private(set) var overrun: UInt64 = 0
    private var remainingSuspension = 0
    /// How often the guard has stopped the waits (for the worker's one-time log line).
    private(set) var suspensions = 0

    /// The waits are stopped now: the worker blocks on the socket.
    var isSuspended: Bool { remainingSuspension > 0 }

    init(microseconds: Int32) {
        wait = UInt64(max(0, microseconds)) * 1_000
    }

    /// Whether to sleep before the next read; call once per burst that would sleep.
    mutating func shouldWait() -> Bool {
        guard wait > 0 else { return false }
        if remainingSuspension > 0 {
            remainingSuspension -= 1
            return false
        }
        return true
    }

    /// Records that a sleep took `elapsed` nanoseconds. Returns true when this suspends the waits.
    @discardableResult
    mutating func slept(_ elapsed: UInt64) -> Bool {
        let over = elapsed > wait ? elapsed - wait : 0
        overrun = overrun - overrun / 8 + over / 8
        guard overrun > wait else { return false }
        overrun = 0
        remainingSuspension = Self.suspendedBursts
        suspensions += 1
        return true
    }
}
