import Foundation
import Testing

/// `udp.scheduling` (UDPSettings.swift): the UDP worker threads of a real dnsd run under the
/// normal policy by default and under SCHED_BATCH when told, as the kernel reports them in
/// /proc; a reload that changes the setting says it needs a restart and changes nothing.
@Suite("UDP worker scheduling")
struct UDPSchedulingTests {
    /// Linux's policy numbers (sched.h): SCHED_OTHER 0, SCHED_BATCH 3.
    static let other = 0, batch = 3

    /// The policy of each `dnsd-udp-N` thread of `pid`, by thread name.
    static func workerPolicies(_ pid: Int32) throws -> [String: Int] {
        let tasks = "/proc/\(pid)/task"
        var policies: [String: Int] = [:]
        for tid in try FileManager.default.contentsOfDirectory(atPath: tasks) {
            let name = (try? String(contentsOfFile: "\(tasks)/\(tid)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            guard name.hasPrefix("dnsd-udp-"), let stat = try? String(contentsOfFile: "\(tasks)/\(tid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { continue }
            // proc(5): after "pid (comm)" come the fields from 3 (state) on; policy is field 41.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            policies[name] = Int(fields[41 - 3])
        }
        return policies
    }

    static func settings(udp: String?) -> String {
        (udp.map { "udp: {scheduling: \($0)}\n" } ?? "") + "threads: 2\n"
    }

    @Test("by default every UDP worker runs under the normal policy, and the start-up line says so")
    func normalByDefault() throws {
        try DnsdProcess.with(settings: Self.settings(udp: nil)) { dnsd in
            let policies = try Self.workerPolicies(dnsd.process.processIdentifier)
            #expect(policies.count == 2, "two workers for threads: 2: \(policies)")
            #expect(policies.values.allSatisfy { $0 == Self.other }, "\(policies)")
            #expect(dnsd.stderr.contains("udp_scheduling=normal"), "\(dnsd.stderr)")
            #expect(try Dig.query(port: dnsd.port, "www.example.test", "A").status == "NOERROR")
        }
    }

    @Test("scheduling: batch puts the workers under SCHED_BATCH; a reload to normal needs a restart and changes nothing")
    func batchOnRequest() throws {
        try DnsdProcess.with(settings: Self.settings(udp: "batch")) { dnsd in
            let pid = dnsd.process.processIdentifier
            let policies = try Self.workerPolicies(pid)
            #expect(policies.count == 2 && policies.values.allSatisfy { $0 == Self.batch }, "\(policies)")
            #expect(dnsd.stderr.contains("udp_scheduling=batch"), "\(dnsd.stderr)")

            let text = Self.settings(udp: "normal") + DnsdProcess.configText(port: dnsd.port)
            try text.write(toFile: dnsd.configPath, atomically: true, encoding: .utf8)
            let socket = dnsd.controlSocket
            let reload = try ControlPlaneTests.dnsctl(socket, ["--json", "config.reload"])
            #expect(reload.status == 0 && reload.stdout.contains("udp.scheduling"), "\(reload.transcript)")
            #expect(try Self.workerPolicies(pid).values.allSatisfy { $0 == Self.batch })
            #expect(try Dig.query(port: dnsd.port, "www.example.test", "A").status == "NOERROR")
        }
    }
}
