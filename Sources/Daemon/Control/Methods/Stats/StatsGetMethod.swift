import ControlProto
import DNSProto
import Foundation
import Resolver

/// `stats.get [prefix]`: every counter since the last `stats.reset`, flat `name: value`, and a
/// few gauges; admission's counters as `acl.*`, `rrl.*`, `cookie.*`, `limits.*` and `any.*`; (`queries.in_flight`, `udp.batch_wait.suspended_workers`, `config.generation`,
/// and the in-flight caps' `relay.waiting`, `udp.miss_waiting` with their `_peak`s); with dnstap on,
/// `dnstap.sent`, `dnstap.dropped` and `dnstap.connected`; with the query log on, `query_log.written` and
/// `query_log.dropped`; what `queries.top`'s summaries cost since start: `top.counted`, `top.missed`
/// and `top.cpu_ms` (QueryTallies.swift); with a validating `recurse` plugin, `dnssec.secure`, `dnssec.insecure`,
/// `dnssec.bogus`, `dnssec.indeterminate` and `dnssec.budget_exhausted`.
/// Reading never changes anything, so monitoring can poll it freely.
struct StatsGetMethod: ControlMethod {
    let name = "stats.get"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let prefix = try params.optionalString("prefix") ?? ""
        let (counters, since) = context.runtime.statsSinceReset()
        var values: [String: JSONValue] = [
            "queries.total": .int(Int(counters.total)),
            "answers.truncated": .int(Int(counters.truncated)),
            "uptime.seconds": .int(Int(Date().timeIntervalSince(context.runtime.started))),
            "stats.since": .string(ISO8601DateFormatter().string(from: since)),
            "config.generation": .int(context.runtime.generation),
            "queries.in_flight": .int(Int(context.runtime.counters.inFlight)),
            "udp.batch_wait.suspensions": .int(Int(clamping: context.runtime.batchWaitSuspensionsSinceReset)),
            "udp.batch_wait.suspended_workers": .int(context.runtime.udpWorkers.suspendedWorkers),
            "relay.waiting": .int(context.runtime.udpWorkers.relayWaiting),
            "relay.waiting_peak": .int(context.runtime.udpWorkers.relayWaitingPeak),
            "udp.miss_waiting": .int(context.runtime.udpWorkers.missWaiting),
            "udp.miss_waiting_peak": .int(context.runtime.udpWorkers.missWaitingPeak),
        ]
        if let dnstap = context.runtime.dnstap {
            // Totals since start (not since stats.reset), like the metrics' dnstap series.
            values["dnstap.sent"] = .int(Int(clamping: dnstap.sent))
            values["dnstap.dropped"] = .int(Int(clamping: dnstap.dropped))
            values["dnstap.connected"] = .int(dnstap.connected ? 1 : 0)
        }
        if let queryLog = context.runtime.queryLog {
            values["query_log.written"] = .int(Int(clamping: queryLog.written))
            values["query_log.dropped"] = .int(Int(clamping: queryLog.dropped))
        }
        let tallies = context.runtime.tallies.cost
        values["top.counted"] = .int(Int(clamping: tallies.counted))
        values["top.missed"] = .int(Int(clamping: tallies.missed))
        values["top.cpu_ms"] = .int(Int(clamping: tallies.cpuNanos / 1_000_000))
        // Totals since start (not since stats.reset; kept across reloads), like `dnstap.*`.
        let validators = context.runtime.plugins(of: RecursePlugin.self).map(\.plugin).filter { $0.settings.dnssec == .validate }
        if !validators.isEmpty {
            for status in DNSSECStatus.allCases {
                values["dnssec.\(status)"] = .int(validators.reduce(0) { $0 + ($1.validatorState.validationTotals[status] ?? 0) })
            }
            values["dnssec.budget_exhausted"] = .int(validators.reduce(0) { $0 + $1.validatorState.budgetExhaustedTotal })
        }
        for (transport, count) in counters.byTransport { values["queries.\(transport)"] = .int(Int(count)) }
        for (rcode, count) in counters.byRcode { values["answers.rcode.\(rcode)"] = .int(Int(count)) }
        for (source, count) in counters.bySource { values["answers.source.\(source)"] = .int(Int(count)) }
        for (name, count) in context.runtime.admissionSinceReset { values[name] = .int(Int(clamping: count)) }
        for (label, fraction) in [("p50", 0.5), ("p90", 0.9), ("p99", 0.99)] {
            if let micros = counters.latencyPercentileMicros(fraction) { values["latency.\(label)_us"] = .int(Int(micros)) }
        }
        return .object(values.filter { $0.key.hasPrefix(prefix) })
    }
}
