import Testing
@testable import Resolver

@Suite("Upstream addresses")
struct UpstreamAddressTests {
    @Test("udp, tcp, tls and https forms with default ports")
    func forms() throws {
        let udp = try UpstreamAddress.parse("udp://127.0.0.1")
        #expect(udp.kind == .udp && udp.host == "127.0.0.1" && udp.port == 53)
        let tcp = try UpstreamAddress.parse("tcp://[::1]:5300")
        #expect(tcp.kind == .tcp && tcp.host == "::1" && tcp.port == 5300)
        let tls = try UpstreamAddress.parse("tls://127.0.0.1@dns.test")
        #expect(tls.kind == .tls && tls.port == 853 && tls.verifyName == "dns.test")
        let tlsPort = try UpstreamAddress.parse("tls://127.0.0.1:8853@dns.test")
        #expect(tlsPort.port == 8853 && tlsPort.verifyName == "dns.test")
        let doh = try UpstreamAddress.parse("https://dns.test:8443/dns-query@127.0.0.1")
        #expect(doh.kind == .https && doh.host == "dns.test" && doh.port == 8443 && doh.path == "/dns-query")
        #expect(doh.fixedAddress == "127.0.0.1" && doh.verifyName == "dns.test")
        let dohDefault = try UpstreamAddress.parse("https://127.0.0.1")
        #expect(dohDefault.port == 443 && dohDefault.path == "/dns-query" && dohDefault.verifyName == nil)
        #expect(udp.description == "udp://127.0.0.1")
    }

    @Test("bad entries are refused with a reason", arguments: [
        "127.0.0.1", "quic://127.0.0.1", "udp://dns.example", "udp://127.0.0.1:0", "udp://127.0.0.1:99999",
        "tcp://::1:53", "udp://127.0.0.1/path", "tls://127.0.0.1@", "https://dns.test/dns-query@not-an-ip", "udp://",
    ])
    func refused(text: String) {
        #expect(throws: UpstreamAddressError.self) { try UpstreamAddress.parse(text) }
    }

    @Test("resolv.conf: nameserver lines in order, comments and zoned IPv6 skipped")
    func resolvConf() {
        let text = """
        # generated
        search example.org
        nameserver 192.0.2.53
        nameserver 2001:db8::53 # second
        ; nameserver 198.51.100.1
        nameserver fe80::1%eth0
        nameserver not-an-address
        options edns0
        """
        #expect(ResolvConf.nameservers(in: text) == ["udp://192.0.2.53:53", "udp://[2001:db8::53]:53"])
    }
}
