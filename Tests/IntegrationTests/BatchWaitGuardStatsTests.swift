import CDatagramBatch
import Foundation
import Testing

/// The batch-wait guard (BatchWaitGuard.swift) as an operator sees it: `stats.get` counts the
/// times a UDP worker stopped its `udp.batch_wait` sleeps because they ended late, shows how
/// many workers block on the socket for that reason now, and `stats.reset` restarts the count.
///
/// Sleeps that end late are made the way a hypervisor makes them when it takes a virtual CPU
/// away: the test stops dnsd (SIGSTOP) for 2 ms in the middle of each round of queries and lets
/// it go on, so a sleep that spans the stop ends milliseconds after it was due. (A CPU hog
/// pinned beside dnsd did the same, but slowed every test running in parallel with it.)
@Suite("Batch-wait guard in stats.get")
struct BatchWaitGuardStatsTests {
    @Test("late sleeps are counted in stats.get and reset by stats.reset; with batch_wait 0 nothing is")
    func lateSleepsAreCounted() throws {
        let late = try Self.floodWithStops(batchWait: "50us")
        #expect(late.suspensions >= 1, "\(late.stats)\n\(late.stderr)")
        #expect(late.suspendedWorkers == 1, "\(late.stats)")
        #expect(late.afterReset == 0, "stats.reset did not restart the count: \(late.afterResetText)")
        #expect(late.stderr.contains("udp.batch_wait sleeps of 50us are ending more than that late"), "\(late.stderr)")

        let off = try Self.floodWithStops(batchWait: "0")
        #expect(off.suspensions == 0 && off.suspendedWorkers == 0, "\(off.stats)")
    }

    struct Observed {
        var stats = "", afterResetText = "", stderr = ""
        var suspensions = -1, suspendedWorkers = -1, afterReset = -1
    }

    /// A one-worker dnsd sent 20 rounds of 40 queries 20 us apart (each round read back before
    /// the next), stopped for 2 ms halfway through each round, then asked `stats.get
    /// udp.batch_wait`, reset, and asked again.
    static func floodWithStops(batchWait: String) throws -> Observed {
        let settings = "threads: 1\nudp: {batch_wait: \(batchWait)}\n"
        return try DnsdProcess.with(settings: settings) { dnsd in
            try streamWithStops(dnsd)
            let socket = dnsd.controlSocket
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

    /// 20 rounds of 40 queries 20 us apart to `dnsd`, each round read back before the next,
    /// with dnsd stopped for 2 ms halfway through each round.
    static func streamWithStops(_ dnsd: DnsdProcess) throws {
        let pid = dnsd.process.processIdentifier
        defer { kill(pid, SIGCONT) }
        // A stream, not bursts: the worker is under load by its rule only when a read finds
        // a datagram that arrived while it was answering the last ones.
        let client = try UDPBatchWaitTests.Client(port: dnsd.port)
        for _ in 0..<20 {
            for index in 0..<40 {
                client.send()
                dnsd_nap(20)
                if index == 20 {
                    kill(pid, SIGSTOP)
                    usleep(2_000)
                    kill(pid, SIGCONT)
                }
            }
            client.answers(40)
        }
    }

    static func number(_ name: String, in json: String) -> Int? {
        guard let data = json.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return (object[name] as? NSNumber)?.intValue
    }
}
