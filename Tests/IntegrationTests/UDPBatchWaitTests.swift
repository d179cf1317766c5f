import CDatagramBatch
import Foundation
import Testing

/// `udp.batch_wait` (UDPSettings.swift) on a real dnsd: under load, after a burst the worker
/// sleeps before it reads again, so queries that arrive one by one during that sleep are
/// answered as one burst, which a UDP GRO client sees as one coalesced read. After a quiet
/// spell it does not sleep. With `batch_wait: 0` the worker blocks on the socket and wakes for
/// each of them. The start-up line shows the setting, and a
/// reload that changes it says it needs a restart.
@Suite("UDP batch wait")
struct UDPBatchWaitTests {
    static let queries = 8

    /// Under the normal policy: SCHED_BATCH would let a woken worker wait behind whatever runs
    /// on its core, which gathers queries too and would hide what `batch_wait` does.
    static func settings(_ wait: String?) -> String {
        "threads: 1\nudp: {scheduling: normal" + (wait.map { ", batch_wait: \($0)" } ?? "") + "}\n"
    }

    /// A GRO client asking a dnsd on `port` for www.example.test, one datagram per query.
    final class Client {
        let socket: GROSocket
        var server: sockaddr_in
        var nextID: UInt16 = 100

        init(port: UInt16) throws {
            socket = try GROSocket()
            server = GROSocket.loopback(port: port)
        }

        func send() {
            let query = RawDNS.query(id: nextID, name: "www.example.test", type: RawDNS.typeA)
            nextID += 1
            _ = query.withUnsafeBytes { bytes in
                withUnsafePointer(to: &server) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(socket.fd, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
        }

        /// Reads until `expected` answers came; returns how many each read held.
        @discardableResult
        func answers(_ expected: Int) -> [Int] {
            var reads: [Int] = [], seen = 0
            while seen < expected, let read = socket.read() {
                let answers = read.bytes.count / (read.segment ?? read.bytes.count)
                reads.append(answers)
                seen += answers
            }
            return reads
        }
    }

    /// Warms the packet cache with the question, then, per trial: two queries, each after the
    /// other's answer (the second is read within the wait of asking, so the worker, under load
    /// by its rule, now sleeps its batch wait), then `queries` more, each in its own datagram,
    /// `gap` microseconds apart (the client sleeps, leaving its core to the worker). Returns,
    /// per trial, how many answers the largest single read held.
    ///
    /// A trial shows the worker's behaviour only if neither side was kept off the CPU for most
    /// of a millisecond during it, which the tests running beside this one (two cores, dnsd
    /// and peer processes of their own) do now and then for a few trials on end. So the trials
    /// stop at the first that shows `sought`, and are 25 ms apart, spanning a second or more.
    static func largestReads(port: UInt16, gap: Int32, trials: Int = 40, until sought: (Int) -> Bool) throws -> [Int] {
        // Or each sleep may overrun by the default timer slack, 50 us.
        _ = dnsd_thread_timer_slack(1_000)
        defer { _ = dnsd_thread_timer_slack(50_000) }
        let client = try Client(port: port)
        client.send()  // the first answer comes from the full path and fills the packet cache
        client.answers(1)
        var largest: [Int] = []
        for trial in 0..<trials {
            if trial > 0 { usleep(25_000) }
            for _ in 0..<2 {
                client.send()
                client.answers(1)
            }
            for index in 0..<queries {
                if index > 0 { dnsd_nap(gap) }
                client.send()
            }
            let reads = client.answers(queries)
            #expect(reads.reduce(0, +) == queries, "every query answered: \(reads)")
            largest.append(reads.max() ?? 0)
            if sought(largest[trial]) { break }
        }
        return largest
    }

    @Test("after a quiet spell the worker does not sleep: the next query is answered at once")
    func noWaitAfterQuiet() throws {
        try DnsdProcess.with(settings: Self.settings("1ms")) { dnsd in
            let client = try Client(port: dnsd.port)
            client.send()  // fills the packet cache
            client.answers(1)
            // A query after 20 ms of quiet, then one the moment its answer is in. Had the worker
            // slept its 1 ms after the first, the second would wait out the rest of that
            // sleep, nearly 1 ms in every trial; unless held up, it is answered in tens of us.
            // Up to 20 trials, to the first fast one: see largestReads on being held up.
            var roundTrips: [UInt64] = []
            while roundTrips.count < 20, !roundTrips.contains(where: { $0 < 500 }) {
                usleep(20_000)
                client.send()
                client.answers(1)
                let start = DispatchTime.now().uptimeNanoseconds
                client.send()
                client.answers(1)
                roundTrips.append((DispatchTime.now().uptimeNanoseconds - start) / 1_000)
            }
            #expect(roundTrips.contains { $0 < 500 }, "every second query waited (us): \(roundTrips)")
        }
    }

    @Test("queries that arrive while the worker waits are answered as one burst; the default is 50us")
    func gathersDuringTheWait() throws {
        try DnsdProcess.with(settings: Self.settings("1ms")) { dnsd in
            #expect(dnsd.stderr.contains("udp_batch_wait=1000us"), "\(dnsd.stderr)")
            // 8 queries 60 us apart arrive within the 1 ms wait. A trial can miss it when this
            // thread is held up for most of a millisecond, hence several.
            let largest = try Self.largestReads(port: dnsd.port, gap: 60) { $0 == Self.queries }
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
            let largest = try Self.largestReads(port: dnsd.port, gap: 200) { $0 < Self.queries }
            #expect(largest.contains { $0 < Self.queries }, "every trial came as one burst: \(largest)")

            let text = Self.settings("100us") + DnsdProcess.configText(port: dnsd.port)
            try text.write(toFile: dnsd.configPath, atomically: true, encoding: .utf8)
            let socket = dnsd.controlSocket
            let reload = try ControlPlaneTests.dnsctl(socket, ["--json", "config.reload"])
            #expect(reload.status == 0 && reload.stdout.contains("udp.batch_wait"), "\(reload.transcript)")
        }
    }
}
