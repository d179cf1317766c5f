import Foundation
import Testing

/// The access default with no `acl` at all, against a real dnsd reached from a test host in a
/// network namespace: a block that forwards answers loopback and this host's own subnets and
/// refuses everyone else; an authoritative zone answers everyone; the subnets follow
/// interface changes without a reload.
@Suite("Default access", .serialized)
struct DefaultAccessTests {
    @Test func aNonLocalSourceIsRefusedByAForwardingBlockAndAnsweredByAZone() throws {
        let network = try TestNetwork()
        defer { network.remove() }
        let upstream = try FaultyUpstream(mode: "answer")
        let directory = try Fixtures.scratchDirectory("dnsd-default-access")
        let port = try LoopbackPort.free()
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        let config = ForwardDnsd.configText(port: port, servers: """
              - zones: [fwd.test.]
                plugins:
                  - cache: {}
                  - forward: {to: [\(upstream.url())]}
            """).replacingOccurrences(of: "listen: [udp://127.0.0.1:\(port), tcp://127.0.0.1:\(port)]",
                                      with: "listen: [udp://127.0.0.1:\(port), tcp://127.0.0.1:\(port), udp://\(network.hostAddress):\(port)]")
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let dnsd = try DnsdProcess(arguments: ["--config", configPath], directory: directory, configPath: configPath, port: port)
        defer { #expect((try? dnsd.stop()) == 0) }
        try dnsd.waitUntilAnswering(probing: "ready.test")
        #expect(dnsd.stderr.contains("fwd.test. (default: loopback and localnets only)"), "\(dnsd.stderr)")
        #expect(dnsd.stderr.contains("ready.test. (default: everyone)"))

        let dig = try PeerTool.require("dig")
        func ask(from source: String, _ name: String, _ type: String = "A") throws -> String {
            let result = try network.run(dig, ["@\(network.hostAddress)", "-p", String(port), "-b", source, name, type, "+time=2", "+tries=1"])
            return try DigOutput(result.stdout).status
        }
        #expect(try ask(from: network.remoteClient, "www.fwd.test.") == "REFUSED")
        #expect(upstream.queries.isEmpty, "\(upstream.queries)")
        #expect(try ask(from: network.remoteClient, "ready.test.", "SOA") == "NOERROR", "zones answer everyone")
        #expect(try ask(from: network.localClient, "www.fwd.test.") == "NOERROR", "the host's own subnet is local")
        #expect(try #require(try AccessControlTests.dig(port, from: "127.0.0.7", "www.fwd.test.")).status == "NOERROR")

        // The remote client's network becomes one of this host's: answered, no reload.
        try network.addHostAddress("\(network.remoteClient.split(separator: ".").prefix(3).joined(separator: ".")).1/24")
        var status = ""
        let deadline = Date().addingTimeInterval(10)
        repeat {
            status = try ask(from: network.remoteClient, "www.fwd.test.")
            if status != "NOERROR" { usleep(200_000) }
        } while status != "NOERROR" && Date() < deadline
        #expect(status == "NOERROR", "localnets did not follow the new address")
    }
}
