import Foundation
import Testing

/// The forward plugin against upstreams that misbehave on purpose
/// (Fixtures/forward_faulty_upstream.py): each test fails if the feature it names is missing.
@Suite("Forward: faulty upstreams", .serialized)
struct ForwardFaultTests {
    private func block(_ to: [String], _ options: String = "") -> String {
        """
          - zones: [.]
            plugins:
              - forward: {to: [\(to.joined(separator: ", "))]\(options.isEmpty ? "" : ", " + options)}
        """
    }

    @Test("a dropping first upstream: sequential fails over, then marks it down after max_fails")
    func failoverAndHealthMarking() throws {
        let dead = try FaultyUpstream(mode: "drop")
        let good = try FaultyUpstream(mode: "answer", address: "192.0.2.1")
        try ForwardDnsd.with(servers: block([dead.url(), good.url()], "policy: sequential, timeout: 1s, max_fails: 2, health_check: 60s")) { dnsd in
            var latencies: [Double] = []
            for index in 1...5 {
                let start = Date()
                let answer = try Dig.query(port: dnsd.port, "q\(index).failover.test", "A")
                latencies.append(Date().timeIntervalSince(start))
                #expect(answer.status == "NOERROR", "\(answer.raw)")
                #expect(answer.answers("A") == ["192.0.2.1"], "\(answer.raw)")
            }
            // Only the first max_fails queries waited for the dead upstream; then it was down.
            #expect(dead.queries.count == 2, "the dead upstream saw \(dead.queries)")
            #expect(latencies[0] >= 0.9, "the first query should have waited for the timeout: \(latencies)")
            // Well under the 1 s timeout, with room for starting dig on a loaded machine.
            #expect(latencies[3] < 0.6 && latencies[4] < 0.6, "queries after max_fails still waited: \(latencies)")
            #expect(good.queries.count == 5, "\(good.queries)")
        }
    }

    @Test("parallel answers quickly although the first upstream is dead")
    func parallelIgnoresDeadUpstream() throws {
        let dead = try FaultyUpstream(mode: "drop")
        let good = try FaultyUpstream(mode: "answer", address: "192.0.2.2")
        try ForwardDnsd.with(servers: block([dead.url(), good.url()], "policy: parallel, timeout: 2s, max_fails: 0")) { dnsd in
            for index in 1...3 {
                let start = Date()
                let answer = try Dig.query(port: dnsd.port, "p\(index).parallel.test", "A")
                let elapsed = Date().timeIntervalSince(start)
                #expect(answer.answers("A") == ["192.0.2.2"], "\(answer.raw)")
                #expect(elapsed < 1.0, "parallel took \(elapsed) s with a dead first upstream")
            }
            #expect(dead.queries.count == 3, "parallel must ask every upstream: \(dead.queries)")
        }
    }

    @Test("SERVFAIL from the first upstream moves on to the next")
    func servfailFailsOver() throws {
        let failing = try FaultyUpstream(mode: "servfail")
        let good = try FaultyUpstream(mode: "answer", address: "192.0.2.3")
        try ForwardDnsd.with(servers: block([failing.url(), good.url()], "timeout: 1s")) { dnsd in
            let answer = try Dig.query(port: dnsd.port, "sf.example.org", "A")
            #expect(answer.status == "NOERROR", "\(answer.raw)")
            #expect(answer.answers("A") == ["192.0.2.3"], "\(answer.raw)")
            #expect(failing.queries.count == 1)
        }
    }

    @Test("forged answers (wrong ID, wrong question) are dropped; the genuine one is taken", arguments: ["spoof-id", "spoof-question"])
    func forgedAnswersIgnored(mode: String) throws {
        let liar = try FaultyUpstream(mode: mode, address: "192.0.2.4")
        try ForwardDnsd.with(servers: block([liar.url()], "timeout: 1s")) { dnsd in
            for transport in ["+notcp", "+tcp"] {
                let answer = try Dig.query(port: dnsd.port, "spoof.example.org", "A", [transport])
                #expect(answer.status == "NOERROR", "\(answer.raw)")
                #expect(answer.answers("A") == ["192.0.2.4"], "forged data accepted:\n\(answer.raw)")
            }
        }
    }

    @Test("an upstream that only sends wrong-ID replies times out to SERVFAIL, never the forgery")
    func onlyForgeriesTimeOut() throws {
        let liar = try FaultyUpstream(mode: "spoof-only")
        try ForwardDnsd.with(servers: block([liar.url()], "timeout: 500ms")) { dnsd in
            let answer = try Dig.query(port: dnsd.port, "spoof.example.org", "A")
            #expect(answer.status == "SERVFAIL", "\(answer.raw)")
            #expect(answer.answers("A").isEmpty, "\(answer.raw)")
        }
    }

    @Test("a TC=1 UDP answer is retried over TCP to the same server and returned in full")
    func truncatedAnswerRetriedOverTCP() throws {
        let upstream = try FaultyUpstream(mode: "tc", address: "192.0.2.5")
        try ForwardDnsd.with(servers: block([upstream.url()], "timeout: 1s")) { dnsd in
            let answer = try Dig.query(port: dnsd.port, "big.example.org", "A", ["+tcp"])
            #expect(answer.status == "NOERROR", "\(answer.raw)")
            #expect(answer.answers("A").count == 40, "\(answer.raw)")
            #expect(answer.answers("A").contains("192.0.2.5"))
            #expect(upstream.queries == ["udp big.example.org.", "tcp big.example.org."], "\(upstream.queries)")
        }
    }

    @Test("all upstreams down: SERVFAIL with extended error 23, then 22 once they are marked down")
    func allDownAnswersServfailWithExtendedError() throws {
        let first = try FaultyUpstream(mode: "drop")
        let second = try FaultyUpstream(mode: "drop")
        try ForwardDnsd.with(servers: block([first.url(), second.url()], "timeout: 1s, max_fails: 1, health_check: 60s")) { dnsd in
            let failed = try Dig.query(port: dnsd.port, "down1.example.org", "A")
            #expect(failed.status == "SERVFAIL", "\(failed.raw)")
            #expect(ForwardDnsd.extendedErrorCode(failed) == 23, "\(failed.raw)")
            let start = Date()
            let down = try Dig.query(port: dnsd.port, "down2.example.org", "A")
            #expect(down.status == "SERVFAIL", "\(down.raw)")
            #expect(ForwardDnsd.extendedErrorCode(down) == 22, "\(down.raw)")
            #expect(Date().timeIntervalSince(start) < 0.6, "with every upstream down the answer should not wait for the 1 s timeout")
            #expect(first.queries.count == 1 && second.queries.count == 1)
        }
    }
}
