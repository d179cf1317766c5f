import Foundation
import Testing

/// Start-up logging and graceful shutdown: dnsd says where it listens, and SIGTERM or SIGINT
/// make it exit 0 after it has served.
@Suite("Lifecycle")
struct ShutdownTests {
    @Test("logs its UDP and TCP listeners on stderr")
    func listeningLog() throws {
        try DnsdProcess.with { dnsd in
            let log = dnsd.stderr
            #expect(log.contains("listening on udp://127.0.0.1:\(dnsd.port)"), "\(log)")
            #expect(log.contains("listening on tcp://127.0.0.1:\(dnsd.port)"), "\(log)")
        }
    }

    @Test("exits 0 on a signal after serving both transports", arguments: [SIGTERM, SIGINT])
    func gracefulExit(signal: Int32) throws {
        let dnsd = try DnsdProcess.start()
        let udp = try Dig.query(port: dnsd.port, "www.example.test", "A", ["+notcp"])
        let tcp = try Dig.query(port: dnsd.port, "www.example.test", "A", ["+tcp"])
        // An idle open TCP connection must not hold shutdown up.
        let idle = try DNSSocket.tcp(port: dnsd.port)
        let status = try dnsd.stop(signal: signal)
        #expect(udp.status == "NOERROR" && tcp.status == "NOERROR", "\(udp.raw)\n\(tcp.raw)")
        #expect(status == 0, "exit status after signal \(signal)\n\(dnsd.stderr)")
        withExtendedLifetime(idle) {}
        if status == 0 {
            try? FileManager.default.removeItem(at: dnsd.directory)
        }
    }
}
