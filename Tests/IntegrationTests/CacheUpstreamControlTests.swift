import Foundation
import Testing

/// cache.* and upstream.* against dnsd with a cache in front of a forward to a real NSD. The
/// forward goes over TCP, so UDP misses take the plugin chain and fill the cache plugin's own
/// store, which cache.dump and cache.flush read (a UDP forward would be relayed: RelayCacheRulesTests).
@Suite("Cache and upstream control methods", .serialized)
struct CacheUpstreamControlTests {
    @Test func cacheAndUpstreamMethods() throws {
        try NSDProcess.with { nsd in
            let upstream = "tcp://127.0.0.1:\(nsd.port)"
            let servers = """
              - zones: [example.test.]
                plugins:
                  - cache: {}
                  - forward: {to: [\(upstream)], timeout: 1s}
            """
            try ForwardDnsd.with(servers: servers) { dnsd in
                let socket = dnsd.controlSocket
                let dig = try PeerTool.require("dig")
                func ask(_ name: String) throws -> String {
                    try PeerTool.run(dig, ["@127.0.0.1", "-p", "\(dnsd.port)", name, "A", "+short", "+tries=1", "+time=3"]).stdout
                }
                #expect(try ask("www.example.test.") != "")
                #expect(try ask("www.example.test.") != "")

                let stats = try ControlPlaneTests.dnsctl(socket, ["--json", "cache.stats"])
                #expect(stats.status == 0 && stats.stdout.contains(#""hits":1"#) && stats.stdout.contains(#""entries":1"#), "\(stats.transcript)")
                let lookup = try ControlPlaneTests.dnsctl(socket, ["--json", "cache.lookup", "www.example.test.", "A"])
                #expect(lookup.stdout.contains(#""kind":"positive""#) && lookup.stdout.contains("www.example.test."), "\(lookup.transcript)")
                #expect(try ControlPlaneTests.dnsctl(socket, ["--json", "cache.dump", "5"]).stdout.contains("www.example.test."))
                let flush = try ControlPlaneTests.dnsctl(socket, ["--json", "cache.flush", "example.test.", "", "true"])
                #expect(flush.stdout.contains(#""flushed":1"#), "\(flush.transcript)")
                #expect(try ControlPlaneTests.dnsctl(socket, ["--json", "cache.lookup", "www.example.test."]).stdout == "[]\n")
                let badFlush = try ControlPlaneTests.dnsctl(socket, ["cache.flush", "", "AAAA"])
                #expect(badFlush.status == 1 && badFlush.stderr.contains("need a 'name'"), "\(badFlush.transcript)")

                let list = try ControlPlaneTests.dnsctl(socket, ["--json", "upstream.list"])
                #expect(list.stdout.contains(#""name":"\#(upstream)""#) && list.stdout.contains(#""state":"up""#), "\(list.transcript)")
                #expect(try ControlPlaneTests.dnsctl(socket, ["upstream.disable", upstream]).status == 0)
                // With its only upstream out of service and nothing cached, the name fails.
                let failed = try PeerTool.run(dig, ["@127.0.0.1", "-p", "\(dnsd.port)", "mail.example.test.", "A", "+tries=1", "+time=3"])
                #expect(failed.stdout.contains("SERVFAIL"), "\(failed.transcript)")
                #expect(try ControlPlaneTests.dnsctl(socket, ["upstream.enable", upstream]).status == 0)
                #expect(try ask("mail.example.test.") != "")
                let unknown = try ControlPlaneTests.dnsctl(socket, ["upstream.disable", "udp://192.0.2.1:53"])
                #expect(unknown.status == 1 && unknown.stderr.contains(upstream), "\(unknown.transcript)")
            }
        }
    }

    /// DESIGN.md: anything that changes an answer invalidates the cached entries it touches.
    @Test func zoneEditsInvalidateCachedAnswers() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-cache-zone")
        try Fixtures.copy("example.test.zone", into: directory)
        let servers = """
          - zones: [example.test.]
            plugins:
              - cache: {}
              - zone: {file: example.test.zone}
        """
        try ForwardDnsd.with(servers: servers, directory: directory) { dnsd in
            let socket = dnsd.controlSocket
            let dig = try PeerTool.require("dig")
            func status(_ name: String) throws -> String {
                try PeerTool.run(dig, ["@127.0.0.1", "-p", "\(dnsd.port)", name, "A", "+tries=1", "+time=3"]).stdout
            }
            #expect(try status("fresh.example.test.").contains("NXDOMAIN"))
            #expect(try ControlPlaneTests.dnsctl(socket, ["--json", "cache.lookup", "fresh.example.test."]).stdout.contains("nxdomain"))
            let added = try ControlPlaneTests.dnsctl(socket, ["zone.add", "example.test.", "fresh 300 IN A 192.0.2.77"])
            #expect(added.status == 0, "\(added.transcript)")
            let after = try status("fresh.example.test.")
            #expect(after.contains("NOERROR") && after.contains("192.0.2.77"), "the negative answer was still cached:\n\(after)")
        }
    }
}
