import Foundation
import Testing

/// The hosts plugin in the real dnsd, seen by dig: A, AAAA, PTR, NODATA, and a reload after
/// the file is rewritten.
@Suite("Hosts (integration)")
struct HostsIntegrationTests {
    @Test func answersAndReloads() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-hosts")
        let hostsPath = directory.appendingPathComponent("hosts").path
        try """
        # test hosts file
        192.0.2.10   web.hosts.test www.hosts.test
        2001:db8::10 web.hosts.test
        bogus line here
        """.write(toFile: hostsPath, atomically: true, encoding: .utf8)
        let servers = """
          - zones: [hosts.test., 2.0.192.in-addr.arpa., 8.b.d.0.1.0.0.2.ip6.arpa.]
            plugins:
              - hosts: {file: hosts, inline: ["192.0.2.99 inline.hosts.test"], ttl: 120, reload: 200ms, fallthrough: false}
        """
        try ForwardDnsd.with(servers: servers, directory: directory) { dnsd in
            let a = try Dig.query(port: dnsd.port, "web.hosts.test", "A")
            #expect(a.answers("A") == ["192.0.2.10"], "\(a.raw)")
            #expect(a.authoritative)
            #expect(a.answer.first?.ttl == 120)
            #expect(try Dig.query(port: dnsd.port, "web.hosts.test", "AAAA").answers("AAAA") == ["2001:db8::10"])
            let nodata = try Dig.query(port: dnsd.port, "www.hosts.test", "AAAA")
            #expect(nodata.status == "NOERROR")
            #expect(nodata.answer.isEmpty)
            #expect(try Dig.query(port: dnsd.port, "inline.hosts.test", "A").answers("A") == ["192.0.2.99"])
            let ptr = try Dig.query(port: dnsd.port, "10.2.0.192.in-addr.arpa", "PTR")
            #expect(ptr.answers("PTR") == ["web.hosts.test.", "www.hosts.test."], "\(ptr.raw)")
            let ptr6 = try Dig.query(port: dnsd.port, "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", "PTR")
            #expect(ptr6.answers("PTR") == ["web.hosts.test."], "\(ptr6.raw)")
            #expect(try Dig.query(port: dnsd.port, "other.hosts.test", "A").status == "NXDOMAIN")
            #expect(dnsd.stderr.contains("hosts:4"), "the bad line is reported with file:line\n\(dnsd.stderr)")

            // Rewrite the file (new inode, as editors and config tools do) and wait for the reload.
            try "192.0.2.20 web.hosts.test\n192.0.2.21 new.hosts.test\n".write(toFile: hostsPath, atomically: true, encoding: .utf8)
            let deadline = Date().addingTimeInterval(5)
            var reloaded: DigOutput
            repeat {
                Thread.sleep(forTimeInterval: 0.2)
                reloaded = try Dig.query(port: dnsd.port, "new.hosts.test", "A")
            } while reloaded.answers("A").isEmpty && Date() < deadline
            #expect(reloaded.answers("A") == ["192.0.2.21"], "\(reloaded.raw)\n\(dnsd.stderr)")
            #expect(try Dig.query(port: dnsd.port, "web.hosts.test", "A").answers("A") == ["192.0.2.20"])
            #expect(try Dig.query(port: dnsd.port, "www.hosts.test", "A").status == "NXDOMAIN")
            #expect(try Dig.query(port: dnsd.port, "inline.hosts.test", "A").answers("A") == ["192.0.2.99"], "inline entries stay")
            // Overwritten in place (same inode): also noticed.
            try "192.0.2.30 web.hosts.test\n".write(toFile: hostsPath, atomically: false, encoding: .utf8)
            var inPlace: DigOutput
            let deadline2 = Date().addingTimeInterval(5)
            repeat {
                Thread.sleep(forTimeInterval: 0.2)
                inPlace = try Dig.query(port: dnsd.port, "web.hosts.test", "A")
            } while inPlace.answers("A") != ["192.0.2.30"] && Date() < deadline2
            #expect(inPlace.answers("A") == ["192.0.2.30"])
        }
    }

    @Test func badInlineLineIsAConfigError() throws {
        let directory = try Fixtures.scratchDirectory("hosts-config")
        let path = directory.appendingPathComponent("dnsd.yaml").path
        try """
        listen: [udp://127.0.0.1:0]
        servers:
          - zones: [.]
            plugins:
              - hosts:
                  inline: ["192.0.2.1 ok.test", "300.1.1.1 bad.test"]
        """.write(toFile: path, atomically: true, encoding: .utf8)
        let result = try DnsdProcess.runToCompletion(["--check-config", path])
        #expect(result.status != 0)
        let text = result.stdout + result.stderr
        #expect(text.contains("dnsd.yaml:6:"), "\(text)")
        #expect(text.contains("'300.1.1.1' is not an IPv4 or IPv6 address"), "\(text)")
    }
}
