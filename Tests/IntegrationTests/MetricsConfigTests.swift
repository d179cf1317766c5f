import Foundation
import Testing

/// A bad `metrics:` section stops dnsd (and fails --check-config) with file:line and the key.
@Suite("Metrics config errors")
struct MetricsConfigTests {
    struct BadMetrics: CustomStringConvertible, Sendable {
        var description: String
        /// The `metrics:` line, written as line 3 of the file.
        var metrics: String
        var mentions: String
    }

    static let cases: [BadMetrics] = [
        BadMetrics(description: "a host name instead of an address", metrics: "metrics: {listen: localhost:9153}",
                   mentions: "not an IP address"),
        BadMetrics(description: "port out of range", metrics: "metrics: {listen: 127.0.0.1:99999}", mentions: "0-65535"),
        BadMetrics(description: "no port", metrics: "metrics: {listen: 127.0.0.1}", mentions: "missing :PORT"),
        BadMetrics(description: "IPv6 without brackets", metrics: #"metrics: {listen: "::1:9153"}"#, mentions: "brackets"),
        BadMetrics(description: "a DNS scheme", metrics: "metrics: {listen: tcp://127.0.0.1:9153}", mentions: "HOST:PORT"),
        BadMetrics(description: "relative path", metrics: "metrics: {listen: 127.0.0.1:9153, path: metrics}",
                   mentions: "metrics.path"),
        BadMetrics(description: "unknown key", metrics: "metrics: {listen: 127.0.0.1:9153, port: 9153}", mentions: "port"),
        BadMetrics(description: "listen missing", metrics: "metrics: {path: /metrics}", mentions: "missing 'listen'"),
    ]

    @Test("the error names file, line and metrics key", arguments: cases)
    func badMetrics(_ bad: BadMetrics) throws {
        let directory = try Fixtures.scratchDirectory("dnsd-badmetrics")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.copy("example.test.zone", into: directory)
        let config = directory.appendingPathComponent("metrics-config.yaml").path
        let yaml = """
            listen: [udp://127.0.0.1:1]
            control: {socket: control.sock}
            \(bad.metrics)
            servers:
              - zones: [example.test.]
                plugins:
                  - zone: {file: example.test.zone}

            """
        try yaml.write(toFile: config, atomically: true, encoding: .utf8)
        for option in ["--config", "--check-config"] {
            let result = try DnsdProcess.runToCompletion([option, config], timeout: 20)
            #expect(result.status == 1, "\(option): dnsd accepted it\n\(result.transcript)")
            #expect(result.stderr.contains("metrics-config.yaml:3:"), "\(option): file:line not named\n\(result.transcript)")
            #expect(result.stderr.contains("metrics"), "\(option): key not named\n\(result.transcript)")
            #expect(result.stderr.contains(bad.mentions), "\(option): '\(bad.mentions)' not said\n\(result.transcript)")
        }
    }

    @Test("a metrics address already in use stops dnsd with the address in the message")
    func addressInUse() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-metrics-busy")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.copy("example.test.zone", into: directory)
        // Hold a TCP port: dnsd's DNS listener uses another free port.
        let busy = try SocketAddress.boundSocket(type: LoopbackPort.streamType, port: 0)
        defer { close(busy.fd) }
        _ = listen(busy.fd, 1)
        let port = try LoopbackPort.free()
        let config = directory.appendingPathComponent("dnsd.yaml").path
        try """
            listen: [udp://127.0.0.1:\(port)]
            control: {socket: control.sock}
            metrics: {listen: 127.0.0.1:\(busy.port)}
            servers:
              - zones: [example.test.]
                plugins:
                  - zone: {file: example.test.zone}

            """.write(toFile: config, atomically: true, encoding: .utf8)
        let result = try DnsdProcess.runToCompletion(["--config", config], timeout: 20)
        #expect(result.status == 1, "\(result.transcript)")
        #expect(result.stderr.contains("cannot listen on http://127.0.0.1:\(busy.port)/metrics"), "\(result.transcript)")
    }
}
