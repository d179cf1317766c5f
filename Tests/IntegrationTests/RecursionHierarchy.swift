import Foundation

/// A DNS tree on loopback for the `recurse` tests, built by the tests themselves: a root,
/// two TLDs (`alpha.`, `beta.`) and authoritative servers, each an NSD process on its own
/// address `PREFIX.N` (Linux routes all of 127/8 to lo, no setup needed), all on one port,
/// plus Fixtures/recurse_misbehaving_servers.py for servers that drop EDNS, truncate, spoof,
/// never answer or refer forever. `hintsPath` points at the test root; nothing leaves lo.
///
/// Addresses (last octet): 1 root, 2 alpha., 3 beta., 10 example.alpha + mixed.alpha,
/// 11 example.beta + other.alpha, 12 a lame server (serves only unrelated.alpha, so it
/// REFUSES the zones delegated to it), 13 nothing listens, 20-26 the Python servers.
final class RecursionHierarchy {
    let port: UInt16
    let prefix: String
    let directory: URL
    let hintsPath: String
    let logPath: String
    private var servers: [RecursionNSD] = []
    private var fixture: Process?

    func address(_ last: Int) -> String { "\(prefix).\(last)" }

    /// The fixture servers' query log lines ("ADDRESS transport name. TYPE edns|noedns").
    func fixtureQueries(_ last: Int) -> [String] {
        ((try? String(contentsOf: URL(fileURLWithPath: logPath), encoding: .utf8)) ?? "")
            .split(separator: "\n").map(String.init).filter { $0.hasPrefix(address(last) + " ") }
    }

    /// `port` nil picks a free one; `withFixtures` false starts only the NSD servers.
    init(port: UInt16? = nil, prefix: String? = nil, withFixtures: Bool = true) throws {
        self.port = try port ?? LoopbackPort.free()
        self.prefix = prefix ?? "127.\(Int.random(in: 100...250)).\(Int.random(in: 1...250))"
        directory = try Fixtures.scratchDirectory("recurse-tree")
        hintsPath = directory.appendingPathComponent("root.hints").path
        logPath = directory.appendingPathComponent("fixture.log").path
        try """
        .                   3600000 IN NS a.root-servers.net.
        a.root-servers.net. 3600000 IN A  \(address(1))

        """.write(toFile: hintsPath, atomically: true, encoding: .utf8)
        do {
            try start(withFixtures: withFixtures)
        } catch {
            stop()
            throw error
        }
    }

    deinit { stop() }

    private func start(withFixtures: Bool) throws {
        let zones = Self.zones(self)
        let layout: [(Int, [String])] = [
            (1, ["."]), (2, ["alpha."]), (3, ["beta."]), (10, ["example.alpha.", "mixed.alpha."]),
            (11, ["example.beta.", "other.alpha."]), (12, ["unrelated.alpha."]),
        ]
        for (last, names) in layout {
            servers.append(try RecursionNSD(address: address(last), port: port, zones: names.map { ($0, zones[$0]!) },
                                            directory: directory.appendingPathComponent("nsd\(last)")))
        }
        if withFixtures {
            let python = try PeerTool.requirePythonWithDNSPython()
            let script = try Fixtures.path("recurse_misbehaving_servers.py")
            let output = directory.appendingPathComponent("fixture.out")
            let process = try PeerTool.launch(python, [script, String(port), logPath, "300",
                                                      "\(address(20))=dropedns=noedns.alpha.", "\(address(21))=tc=tc.alpha.",
                                                      "\(address(22))=spoof=spoof.alpha.", "\(address(23))=nxdomain=victim.beta.",
                                                      "\(address(24))=deepref=deep.alpha.", "\(address(25))=formerr=formerr.alpha.",
                                                      "\(address(26))=drop=blackhole.alpha."], log: output)
            fixture = process
            let deadline = Date().addingTimeInterval(10)
            while !((try? String(contentsOf: output, encoding: .utf8)) ?? "").contains("ready") {
                guard process.isRunning, Date() < deadline else {
                    throw IntegrationError("recurse_misbehaving_servers.py did not start\n\((try? String(contentsOf: output, encoding: .utf8)) ?? "")")
                }
                usleep(50_000)
            }
        }
        for server in servers { try server.waitUntilAnswering() }
    }

    /// SIGTERM to every server at once, then SIGKILL for those still running after 1 s (NSD
    /// started from the test runner is sometimes slow to act on SIGTERM; its children exit
    /// with their parent either way).
    func stop() {
        RecursionNSD.stopAll(servers)
        servers = []
        if let fixture, fixture.isRunning {
            kill(fixture.processIdentifier, SIGTERM)
            if !PeerTool.waitForExit(fixture, timeout: 5) { kill(fixture.processIdentifier, SIGKILL) }
        }
        fixture = nil
    }

    /// The zone texts, by zone name.
    static func zones(_ tree: RecursionHierarchy) -> [String: String] {
        func a(_ last: Int) -> String { tree.address(last) }
        let soa = "@ 3600 IN SOA ns1 hostmaster 1 3600 900 604800 300"
        let bomb = (1...40).map { "bomb 3600 IN NS ns\($0).victim.beta." }.joined(separator: "\n")
        return [
            ".": """
            $ORIGIN .
            $TTL 86400
            . IN SOA a.root-servers.net. hostmaster.root. 1 1800 900 604800 86400
            . IN NS a.root-servers.net.
            a.root-servers.net. IN A \(a(1))
            alpha. IN NS ns1.alpha.
            ns1.alpha. IN A \(a(2))
            beta. IN NS ns1.beta.
            ns1.beta. IN A \(a(3))
            """,
            "alpha.": """
            $ORIGIN alpha.
            $TTL 3600
            \(soa)
            @ IN NS ns1
            ns1 IN A \(a(2))
            example IN NS ns1.example
            ns1.example IN A \(a(10))
            other IN NS ns.example.beta.
            mixed IN NS ns1.mixed
            mixed IN NS ns2.mixed
            mixed IN NS ns3.mixed
            ns1.mixed IN A \(a(12))
            ns2.mixed IN A \(a(13))
            ns3.mixed IN A \(a(10))
            alllame IN NS ns1.alllame
            alllame IN NS ns2.alllame
            ns1.alllame IN A \(a(12))
            ns2.alllame IN A \(a(13))
            noedns IN NS ns.noedns
            ns.noedns IN A \(a(20))
            tc IN NS ns.tc
            ns.tc IN A \(a(21))
            spoof IN NS ns.spoof
            ns.spoof IN A \(a(22))
            deep IN NS ns.deep
            ns.deep IN A \(a(24))
            formerr IN NS ns.formerr
            ns.formerr IN A \(a(25))
            blackhole IN NS ns.blackhole
            ns.blackhole IN A \(a(26))
            loop IN NS ns.loop.beta.
            \(bomb)
            """,
            "beta.": """
            $ORIGIN beta.
            $TTL 3600
            \(soa)
            @ IN NS ns1
            ns1 IN A \(a(3))
            example IN NS ns1.example
            ns1.example IN A \(a(11))
            victim IN NS ns.victim
            ns.victim IN A \(a(23))
            loop IN NS ns.loop.alpha.
            """,
            "example.alpha.": """
            $ORIGIN example.alpha.
            $TTL 3600
            \(soa)
            @ IN NS ns1
            ns1 IN A \(a(10))
            www IN A 192.0.2.1
            alias IN CNAME www.example.beta.
            inzone IN CNAME www
            dangling IN CNAME nx.example.beta.
            dn IN DNAME example.beta.
            mail IN MX 10 www
            txt IN TXT "hello from example.alpha"
            host.sub IN A 192.0.2.5
            """,
            "mixed.alpha.": """
            $ORIGIN mixed.alpha.
            $TTL 3600
            \(soa)
            @ IN NS ns1
            @ IN NS ns2
            @ IN NS ns3
            ns1 IN A \(a(12))
            ns2 IN A \(a(13))
            ns3 IN A \(a(10))
            www IN A 192.0.2.6
            """,
            "example.beta.": """
            $ORIGIN example.beta.
            $TTL 3600
            \(soa)
            @ IN NS ns1
            ns1 IN A \(a(11))
            ns IN A \(a(11))
            www IN A 192.0.2.2
            """,
            "other.alpha.": """
            $ORIGIN other.alpha.
            $TTL 3600
            @ IN SOA ns.example.beta. hostmaster.other.alpha. 1 3600 900 604800 300
            @ IN NS ns.example.beta.
            host IN A 192.0.2.3
            """,
            "unrelated.alpha.": """
            $ORIGIN unrelated.alpha.
            $TTL 3600
            @ IN SOA ns hostmaster 1 3600 900 604800 300
            @ IN NS ns
            ns IN A \(a(12))
            """,
        ]
    }
}

/// One NSD serving `zones` on `address`:`port` only (a variant of NSDProcess for the
/// recursion tree: its own address and several zones).
final class RecursionNSD {
    /// SIGTERM to every server at once, then SIGKILL for those still running after 1 s.
    static func stopAll(_ servers: [RecursionNSD]) {
        for server in servers { server.signal(SIGTERM) }
        let deadline = Date().addingTimeInterval(1)
        while servers.contains(where: \.isRunning), Date() < deadline { usleep(20_000) }
        for server in servers where server.isRunning { server.signal(SIGKILL) }
        for server in servers { server.stop() }
    }

    let address: String
    let port: UInt16
    let zones: [String]
    let directory: URL
    private let process: Process
    private let logURL: URL

    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    init(address: String, port: UInt16, zones: [(String, String)], directory: URL) throws {
        let nsd = try PeerTool.require("nsd")
        self.address = address
        self.port = port
        self.zones = zones.map(\.0)
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var zoneConfig = ""
        for (index, (name, text)) in zones.enumerated() {
            let file = directory.appendingPathComponent("zone\(index).zone").path
            try (text + "\n").write(toFile: file, atomically: true, encoding: .utf8)
            zoneConfig += "zone:\n    name: \"\(name)\"\n    zonefile: \"\(file)\"\n"
        }
        let config = """
        server:
            ip-address: \(address)@\(port)
            port: \(port)
            do-ip6: no
            username: ""
            chroot: ""
            zonesdir: "\(directory.path)"
            pidfile: "\(directory.path)/nsd.pid"
            database: ""
            xfrdfile: "\(directory.path)/xfrd.state"
            zonelistfile: "\(directory.path)/zone.list"
            verbosity: 1
            server-count: 1
            minimal-responses: yes
            hide-version: yes
            rrl-ratelimit: 0
        remote-control:
            control-enable: no
        \(zoneConfig)
        """
        let confPath = directory.appendingPathComponent("nsd.conf").path
        try config.write(toFile: confPath, atomically: true, encoding: .utf8)
        logURL = directory.appendingPathComponent("nsd.log")
        process = try PeerTool.launch(nsd, ["-d", "-c", confPath], log: logURL)
    }

    deinit { stop() }

    /// Polls with dig for the first zone's SOA until NSD answers.
    func waitUntilAnswering(timeout: Double = 10) throws {
        let dig = try PeerTool.require("dig")
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            guard process.isRunning else {
                throw IntegrationError("nsd on \(address):\(port) exited with status \(process.terminationStatus)\n\(log)")
            }
            let result = try PeerTool.run(dig, ["@\(address)", "-p", String(port), zones[0], "SOA", "+norec", "+short",
                                                "+time=1", "+tries=1"], timeout: 5)
            if result.status == 0, !result.stdout.isEmpty { return }
            usleep(100_000)
        }
        throw IntegrationError("nsd on \(address):\(port) did not answer within \(timeout) s\n\(log)")
    }

    var isRunning: Bool { process.isRunning }

    func signal(_ number: Int32) {
        if process.isRunning { kill(process.processIdentifier, number) }
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        if !PeerTool.waitForExit(process, timeout: 10) {
            kill(process.processIdentifier, SIGKILL)
            _ = PeerTool.waitForExit(process, timeout: 5)
        }
    }
}
