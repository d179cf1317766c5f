import CDatagramBatch
import Foundation
import Testing

/// `udp.batch_wait` (UDPSettings.swift) on a real dnsd: after a burst the worker sleeps before
/// it reads again, so queries that arrive one by one during that sleep are answered as one
/// burst, which a UDP GRO client sees as one coalesced read. With `batch_wait: 0` the worker
/// blocks on the socket and wakes for each of them. The start-up line shows the setting, and a
/// reload that changes it says it needs a restart.
@Suite("UDP batch wait")
struct UDPBatchWaitTests {
    static let queries = 8

    /// Under the normal policy: SCHED_BATCH would let a woken worker wait behind whatever runs
    /// on its core, which gathers queries too and would hide what `batch_wait` does.
    static func settings(_ wait: String?) -> String {
        "threads: 1\nudp: {scheduling: normal" + (wait.map { ", batch_wait: \($0)" } ?? "") + "}\n"
    }

    /// Warms the packet cache with the question, then, per trial: one query and its answer (the
    /// worker now sleeps its batch wait), then `queries` more, each in its own datagram, `gap`
    /// microseconds apart (the client sleeps, leaving its core to the worker). Returns, per
    /// trial, how many answers the largest single read held.
    static func largestReads(port: UInt16, gap: Int32, trials: Int) throws -> [Int] {
        // Or each sleep may overrun by the default timer slack, 50 us.
        _ = dnsd_thread_timer_slack(1_000)
        defer { _ = dnsd_thread_timer_slack(50_000) }
        let client = try GROSocket()
        var server = GROSocket.loopback(port: port)
        var nextID: UInt16 = 100
        func send() {
            let query = RawDNS.query(id: nextID, name: "www.example.test", type: RawDNS.typeA)
            nextID += 1
            _ = query.withUnsafeBytes { bytes in
                withUnsafePointer(to: &server) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(client.fd, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
        }
        func answers(_ expected: Int) -> [Int] {
            var reads: [Int] = [], seen = 0
            while seen < expected, let read = client.read() {
                let answers = read.bytes.count / (read.segment ?? read.bytes.count)
                reads.append(answers)
                seen += answers
            }
            return reads
        }
        send()  // the first answer comes from the full path and fills the packet cache
        _ = answers(1)
        var largest: [Int] = []
        for _ in 0..<trials {
            send()
            _ = answers(1)
            for index in 0..<queries {
                if index > 0 { dnsd_nap(gap) }
                send()
            }
            let reads = answers(queries)
            #expect(reads.reduce(0, +) == queries, "every query answered: \(reads)")
            largest.append(reads.max() ?? 0)
        }
        return largest
    }

    @Test("queries that arrive while the worker waits are answered as one burst; the default is 50us")
    func gathersDuringTheWait() throws {
        try DnsdProcess.with(settings: Self.settings("1ms")) { dnsd in
            #expect(dnsd.stderr.contains("udp_batch_wait=1000us"), "\(dnsd.stderr)")
            // 8 queries 60 us apart arrive within the 1 ms wait. A trial can miss it when this
            // thread is held up for most of a millisecond, hence several.
            let largest = try Self.largestReads(port: dnsd.port, gap: 60, trials: 5)
            #expect(largest.contains(Self.queries), "no trial's \(Self.queries) answers came as one burst: \(largest)")
        }
        try DnsdProcess.with(settings: Self.settings(nil)) { dnsd in
            #expect(dnsd.stderr.contains("udp_batch_wait=50us"), "\(dnsd.stderr)")
        }
    }

    @Test("batch_wait: 0 wakes for each arrival; a reload that changes it needs a restart")
    func offWakesPerArrival() throws {
        try DnsdProcess.with(settings: Self.settings("0")) { dnsd in
            #expect(dnsd.stderr.contains("udp_batch_wait=0us"), "\(dnsd.stderr)")
            // 200 us apart: the worker, blocked on the socket, is woken by each and answers it
            // long before the next; all 8 in one burst would need it kept off the CPU for
            // 1.4 ms in every trial.
            let largest = try Self.largestReads(port: dnsd.port, gap: 200, trials: 5)
            #expect(largest.contains { $0 < Self.queries }, "every trial came as one burst: \(largest)")

            let text = Self.settings("100us") + DnsdProcess.configText(port: dnsd.port)
            try text.write(toFile: dnsd.configPath, atomically: true, encoding: .utf8)
            let socket = dnsd.directory.appendingPathComponent("control.sock").path
            let reload = try ControlPlaneTests.dnsctl(socket, ["--json", "config.reload"])
            #expect(reload.status == 0 && reload.stdout.contains("udp.batch_wait"), "\(reload.transcript)")
        }
    }
}
