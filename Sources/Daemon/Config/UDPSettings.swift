/// The `udp:` section: how the UDP worker threads (UDPWorker.swift) run.
///
/// ```yaml
/// udp: {scheduling: normal, segmentation: true, batch_wait: 50us}
/// ```
///
/// `scheduling: normal` (the default) keeps the default policy (SCHED_OTHER): a worker woken by
/// an arriving query preempts what runs on its core at once. `batch` runs the workers under
/// Linux's SCHED_BATCH policy: a woken worker runs at the next scheduling point and takes every
/// query that arrived meanwhile in one `recvmmsg`. Where dnsd shares cores with its own load
/// (clients, a local authoritative server, a load generator) that turns a context switch per
/// few queries into one per burst (in bench/ with two workers on the cores of dnsperf and NSD,
/// 20-30% more queries per CPU-second), but where another process keeps the core busy every
/// query waits out that process's time slice: with a compiler on the worker's core, a median
/// of 3.2 ms against 0.45-2 ms with `normal` (docs/configuration.md). Latency first, so `normal`
/// by default. On cores of its own nothing changes.
/// The policy needs no privilege.
///
/// `segmentation: true` (the default) sends the answers (and relayed queries) of one burst that
/// go to the same peer with the same length, up to 1232 bytes, as one message the kernel cuts
/// into datagrams (UDP generic segmentation offload, Linux 4.18+; datagram_send.c): the IP
/// stack is crossed once per group instead of once per datagram. The peer receives ordinary
/// datagrams. A kernel or route that refuses it is detected at the first send and that batch
/// goes on plainly. `false` sends every datagram on its own, for instance so that a capture on
/// the sending host (`tcpdump -i lo`, which sees the message before it is cut) shows one
/// packet per datagram.
///
/// `batch_wait` (default 50us, at most 1ms, 0 to turn it off): under load (the last read found
/// a datagram within `batch_wait` of asking) and after a burst that did not fill its
/// `recvmmsg`, a worker sleeps this long before it reads again, rather than blocking on the
/// socket at once. Under load the queries that arrive meanwhile are read, answered and sent as
/// one burst, and while it sleeps the worker is not on the socket's wait queue, so neither it
/// nor the senders pay a wake-up per datagram: what a NIC's interrupt coalescing (`ethtool -C
/// rx-usecs`) does for the same reason. In bench/ with one worker, 0 against 50us: 1.08-1.88x the
/// queries per CPU-second on cache hits, 1.16-1.29x on the mix (docs/benchmarks.md). A
/// query that arrives while the worker sleeps waits at most `batch_wait`. After a quiet spell
/// it does not sleep (nothing would gather, and each query would cost a timer wake-up): it
/// blocks on the socket, and reads the next query at once. Not while relayed queries wait
/// upstream: the worker then polls its client and upstream sockets together. Where the host
/// ends such sleeps late, the worker stops sleeping for a while (BatchWaitGuard.swift), counted
/// in `stats.get udp.batch_wait` and `dnsd_udp_batch_wait_*` (UDPWorkerTelemetry.swift).
///
/// A change of any of these keys takes a restart.
public struct UDPSettings: Sendable, Equatable {
    public enum Scheduling: String, Sendable {
        case batch, normal
    }

    public static let maxBatchWait = Duration.milliseconds(1)

    public var scheduling: Scheduling = .normal
    public var segmentation = true
    public var batchWait = Duration.microseconds(50)

    public init(scheduling: Scheduling = .normal, segmentation: Bool = true, batchWait: Duration = .microseconds(50)) {
        self.scheduling = scheduling
        self.segmentation = segmentation
        self.batchWait = batchWait
    }

    /// `batchWait` in whole microseconds, as the workers sleep it.
    public var batchWaitMicroseconds: Int32 {
        let (seconds, attoseconds) = batchWait.components
        return Int32(seconds * 1_000_000 + attoseconds / 1_000_000_000_000)
    }

    static func parse(_ node: ConfigNode) throws -> UDPSettings {
        let keys = try node.mapping(allowed: ["scheduling", "segmentation", "batch_wait"])
        var settings = UDPSettings()
        if let scheduling = keys["scheduling"] {
            let value = try scheduling.string()
            guard let parsed = Scheduling(rawValue: value) else {
                throw scheduling.error("unknown scheduling '\(value)' (batch or normal)")
            }
            settings.scheduling = parsed
        }
        if let segmentation = keys["segmentation"] { settings.segmentation = try segmentation.bool() }
        if let wait = keys["batch_wait"] {
            settings.batchWait = try wait.duration(in: .zero ... maxBatchWait)
        }
        return settings
    }
}
