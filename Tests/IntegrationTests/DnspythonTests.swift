import Testing

/// dnspython (Debian's python3-dnspython) as a third client, running Fixtures/dnspython_checks.py:
/// UDP answers, EDNS echo, TC, a reused TCP connection and three queries pipelined in a
/// single TCP write (RFC 7766 section 6.2.1.1).
@Suite("dnspython checks")
struct DnspythonTests {
    @Test("dnspython_checks.py passes against dnsd")
    func checks() throws {
        let python = try PeerTool.requirePythonWithDNSPython()
        let script = try Fixtures.path("dnspython_checks.py")
        try DnsdProcess.with { dnsd in
            let result = try PeerTool.run(python, [script, "127.0.0.1:\(dnsd.port)"], timeout: 60)
            #expect(result.status == 0, "\(result.transcript)")
            #expect(result.stdout.contains(" 0 failed"), "\(result.stdout)")
        }
    }
}
