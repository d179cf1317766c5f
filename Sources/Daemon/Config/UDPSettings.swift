/// The `udp:` section: how the UDP worker threads (UDPWorker.swift) run.
///
/// ```yaml
/// udp: {scheduling: batch, segmentation: true}
/// ```
///
/// `scheduling: batch` (the default) runs the workers under Linux's SCHED_BATCH policy: a
/// worker woken by an arriving query does not preempt whatever else is running on that core;
/// it runs at the next scheduling point and takes every query that arrived meanwhile in one
/// `recvmmsg`. Where dnsd shares cores with other busy processes (its clients, a local
/// authoritative server, a load generator), that turns a context switch per few queries into
/// one per burst: in bench/ with two workers on the cores dnsperf and NSD also use, 20-30%
/// more queries per CPU-second, p99 level with the peers' (docs/benchmarks.md). On cores of
/// its own nothing changes. `normal` keeps the default policy (SCHED_OTHER), where a woken worker
/// preempts at once: for a host whose other work must always yield to DNS.
/// The policy needs no privilege.
///
/// `segmentation: true` (the default) sends the answers (and relayed queries) of one burst that
/// go to the same peer with the same length, up to 1232 bytes, as one message the kernel cuts
/// into datagrams (UDP generic segmentation offload, Linux 4.18+; datagram_send.c): the IP
/// stack is crossed once per group instead of once per datagram. The peer receives ordinary
/// datagrams. A kernel or route that refuses it is detected at the first send and that batch
/// goes on plainly. `false` sends every datagram on its own, for instance so that a capture on
/// the sending host (`tcpdump -i lo`, which sees the message before it is cut) shows one
/// packet per datagram. A change of either key takes a restart.
public struct UDPSettings: Sendable, Equatable {
    public enum Scheduling: String, Sendable {
        case batch, normal
    }

    public var scheduling: Scheduling = .batch
    public var segmentation = true

    public init(scheduling: Scheduling = .batch, segmentation: Bool = true) {
        self.scheduling = scheduling
        self.segmentation = segmentation
    }

    static func parse(_ node: ConfigNode) throws -> UDPSettings {
        let keys = try node.mapping(allowed: ["scheduling", "segmentation"])
        var settings = UDPSettings()
        if let scheduling = keys["scheduling"] {
            let value = try scheduling.string()
            guard let parsed = Scheduling(rawValue: value) else {
                throw scheduling.error("unknown scheduling '\(value)' (batch or normal)")
            }
            settings.scheduling = parsed
        }
        if let segmentation = keys["segmentation"] { settings.segmentation = try segmentation.bool() }
        return settings
    }
}
