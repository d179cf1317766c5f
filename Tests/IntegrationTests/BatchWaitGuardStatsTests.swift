import CDatagramBatch
import Foundation
import Testing

/// The batch-wait guard (BatchWaitGuard.swift) as an operator sees it: `stats.get` counts the
/// times a UDP worker stopped its `udp.batch_wait` sleeps because they ended late, shows how
/// many workers block on the socket for that reason now, and `stats.reset` restarts the count.
///
/// Sleeps that end late are made the way a busy host makes them: dnsd's threads share one CPU
/// with a process that never sleeps, and the worker runs under SCHED_BATCH, which a waking
/// thread does not preempt with, so a 50 us sleep ends when the hog's time slice does,
/// milliseconds later.
@Suite("Batch-wait guard in stats.get")
struct BatchWaitGuardStatsTests {
    @Test("late sleeps are counted in stats.get and reset by stats.reset; with batch_wait 0 nothing is")
    func lateSleepsAreCounted() throws {
        let late = try Self.floodOnABusyCPU(batchWait: "50us")
        #expect(late.suspensions >= 1, "\(late.stats)\n\(late.stderr)")
        #expect(late.suspendedWorkers == 1, "\(late.stats)")
        #expect(late.afterReset == 0, "stats.reset did not restart the count: \(late.afterResetText)")
        #expect(late.stderr.contains("udp.batch_wait sleeps of 50us are ending more than that late"), "\(late.stderr)")

        let off = try Self.floodOnABusyCPU(batchWait: "0")
        #expect(off.suspensions == 0 && off.suspendedWorkers == 0, "\(off.stats)")
    }

    struct Observed {
        var stats = "", afterResetText = "", stderr = ""
        var suspensions = -1, suspendedWorkers = -1, afterReset = -1
    }

    /// A one-worker dnsd pinned with a CPU hog to one CPU, sent 20 rounds of 40 queries 20 us
    /// apart (each round read back before the next), then asked `stats.get udp.batch_wait`,
    /// reset, and asked again.
    static func floodOnABusyCPU(batchWait: String) throws -> Observed {
        let settings = "threads: 1\nudp: {scheduling: batch, batch_wait: \(batchWait)}\n"
        return try DnsdProcess.with(settings: settings) { dnsd in
            let taskset = try PeerTool.require("taskset")
            let hog = try PeerTool.launch(taskset, ["-c", "0", "sh", "-c", "while :; do :; done"],
                                          log: dnsd.directory.appendingPathComponent("hog.log"))
            // SIGKILL: the shell loop, started from this test process, does not end on SIGTERM.
            defer { kill(hog.processIdentifier, SIGKILL); hog.waitUntilExit() }
            let pin = try PeerTool.run(taskset, ["-a", "-p", "-c", "0", "\(dnsd.process.processIdentifier)"])
            #expect(pin.status == 0, "\(pin.transcript)")

            // A stream, not bursts: the worker is under load by its rule only when a read finds
            // a datagram that arrived while it was answering the last ones.
            let client = try UDPBatchWaitTests.Client(port: dnsd.port)
            for _ in 0..<20 {
                for _ in 0..<40 {
                    client.send()
                    dnsd_nap(20)
                }
                client.answers(40)
            }
            let socket = dnsd.directory.appendingPathComponent("control.sock").path
            var observed = Observed()
            let stats = try ControlPlaneTests.dnsctl(socket, ["--json", "stats.get", "udp.batch_wait"])
            observed.stats = stats.transcript
            observed.suspensions = Self.number("udp.batch_wait.suspensions", in: stats.stdout) ?? -1
            observed.suspendedWorkers = Self.number("udp.batch_wait.suspended_workers", in: stats.stdout) ?? -1
            _ = try ControlPlaneTests.dnsctl(socket, ["stats.reset"])
            let after = try ControlPlaneTests.dnsctl(socket, ["--json", "stats.get", "udp.batch_wait.suspensions"])
            observed.afterResetText = after.transcript
            observed.afterReset = Self.number("udp.batch_wait.suspensions", in: after.stdout) ?? -1
            observed.stderr = dnsd.stderr
            return observed
        }
    }

    static func number(_ name: String, in json: String) -> Int? {
        guard let data = json.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return (object[name] as? NSNumber)?.intValue
    }
}
