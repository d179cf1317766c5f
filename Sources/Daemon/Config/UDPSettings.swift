/// The `udp:` section: how the UDP worker threads (UDPWorker.swift) run.
///
/// ```yaml
/// udp: {scheduling: batch}
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
/// The policy needs no privilege. A change takes a restart.
public struct UDPSettings: Sendable, Equatable {
    public enum Scheduling: String, Sendable {
        case batch, normal
    }

    public var scheduling: Scheduling = .batch

    public init(scheduling: Scheduling = .batch) {
        self.scheduling = scheduling
    }

    static func parse(_ node: ConfigNode) throws -> UDPSettings {
        let keys = try node.mapping(allowed: ["scheduling"])
        var settings = UDPSettings()
        if let scheduling = keys["scheduling"] {
            let value = try scheduling.string()
            guard let parsed = Scheduling(rawValue: value) else {
                throw scheduling.error("unknown scheduling '\(value)' (batch or normal)")
            }
            settings.scheduling = parsed
        }
        return settings
    }
}
