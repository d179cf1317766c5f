import Foundation
import Testing

/// A bad YAML config stops dnsd with a message naming the config file, the line and the key.
@Suite("Config errors")
struct ConfigErrorTests {
    struct BadConfig: CustomStringConvertible, Sendable {
        var description: String
        var yaml: String
        var line: Int
        /// Text that must appear: the offending key, or the YAML problem.
        var mentions: String
    }

    static let cases: [BadConfig] = [
        BadConfig(description: "listen is a mapping, not a list", yaml: """
            # line 1
            servers:
              - zones: [example.test.]
                plugins:
                  - zone: {file: example.test.zone}
            listen: {udp: 5353}

            """, line: 6, mentions: "listen"),
        BadConfig(description: "misspelt key inside a plugin", yaml: """
            listen: [udp://127.0.0.1:1]
            servers:
              - zones: [example.test.]
                plugins:
                  - zone: {fiel: example.test.zone}

            """, line: 5, mentions: "fiel"),
        BadConfig(description: "unknown top-level key", yaml: """
            listen: [udp://127.0.0.1:1]
            servers:
              - zones: [example.test.]
                plugins:
                  - zone: {file: example.test.zone}
            lissen: [tcp://127.0.0.1:1]

            """, line: 6, mentions: "lissen"),
        BadConfig(description: "unknown UDP scheduling policy", yaml: """
            listen: [udp://127.0.0.1:1]
            udp:
              scheduling: fifo
            servers:
              - zones: [example.test.]
                plugins:
                  - zone: {file: example.test.zone}

            """, line: 3, mentions: "fifo"),
        BadConfig(description: "UDP segmentation not a boolean", yaml: """
            listen: [udp://127.0.0.1:1]
            udp: {scheduling: batch,
                  segmentation: sometimes}
            servers:
              - zones: [example.test.]
                plugins:
                  - zone: {file: example.test.zone}

            """, line: 3, mentions: "sometimes"),
        BadConfig(description: "UDP batch wait over 1ms", yaml: """
            listen: [udp://127.0.0.1:1]
            udp:
              batch_wait: 5ms
            servers:
              - zones: [example.test.]
                plugins:
                  - zone: {file: example.test.zone}

            """, line: 3, mentions: "at most 1ms"),
        BadConfig(description: "UDP batch wait not a duration", yaml: """
            listen: [udp://127.0.0.1:1]
            udp: {batch_wait: soon}
            servers:
              - zones: [example.test.]
                plugins:
                  - zone: {file: example.test.zone}

            """, line: 2, mentions: "soon"),
        BadConfig(description: "YAML syntax error", yaml: """
            listen: [udp://127.0.0.1:1
            servers:
              - zones: [example.test.]

            """, line: 2, mentions: "YAML"),
        // Found by fuzz/ConfigFuzzer: these three were reported at line 0.
        BadConfig(description: "a key twice in one mapping", yaml: """
            listen: [udp://127.0.0.1:1]
            tcp: {idle_timeout: 10s, idle_timeout: 20s}
            servers:
              - zones: [example.test.]
                plugins:
                  - zone: {file: example.test.zone}

            """, line: 2, mentions: "'idle_timeout' appears twice"),
        BadConfig(description: "a bare plugin name whose plugin needs settings", yaml: """
            listen: [udp://127.0.0.1:1]
            servers:
              - zones: [example.test.]
                plugins:
                  - zone

            """, line: 5, mentions: "zone"),
        BadConfig(description: "a TSIG secret that is not base64", yaml: """
            listen: [udp://127.0.0.1:1]
            tsig_keys:
              - {name: transfer.example., algorithm: hmac-sha256, secret: "not*base64"}
            servers:
              - zones: [example.test.]
                plugins: [{zone: {file: example.test.zone}}]

            """, line: 3, mentions: "is not base64"),
        BadConfig(description: "a TSIG algorithm dnsd does not offer", yaml: """
            listen: [udp://127.0.0.1:1]
            tsig_keys:
              - name: transfer.example.
                algorithm: hmac-md5
                secret: AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=
            servers:
              - zones: [example.test.]
                plugins: [{zone: {file: example.test.zone}}]

            """, line: 4, mentions: "unknown TSIG algorithm 'hmac-md5'"),
        BadConfig(description: "a transfer policy naming a key that is not defined", yaml: """
            listen: [udp://127.0.0.1:1]
            servers:
              - zones: [example.test.]
                plugins:
                  - zone: {file: example.test.zone, transfer: {keys: [missing.example.]}}

            """, line: 5, mentions: "no TSIG key 'missing.example.' in tsig_keys"),
        BadConfig(description: "a control character in the YAML", yaml: """
            listen: [udp://127.0.0.1:1]
            servers:
              - zones: [example.test.]
                plugins: [\u{01}zone: {file: example.test.zone}]

            """, line: 4, mentions: "control characters"),
    ]

    @Test("the error names file, line and key", arguments: cases)
    func badConfig(_ bad: BadConfig) throws {
        let directory = try Fixtures.scratchDirectory("dnsd-badconfig")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.copy("example.test.zone", into: directory)
        let config = directory.appendingPathComponent("broken-config.yaml").path
        try bad.yaml.write(toFile: config, atomically: true, encoding: .utf8)

        for option in ["--config", "--check-config"] {
            let result = try DnsdProcess.runToCompletion([option, config], timeout: 20)
            #expect(result.status != 0, "\(option): dnsd accepted it\n\(result.transcript)")
            #expect(result.stderr.contains("broken-config.yaml"), "\(option): file not named\n\(result.transcript)")
            let namesLine = result.stderr.contains("broken-config.yaml:\(bad.line):")
                || result.stderr.contains("line \(bad.line)")
            #expect(namesLine, "\(option): line \(bad.line) not named\n\(result.transcript)")
            #expect(result.stderr.contains(bad.mentions), "\(option): '\(bad.mentions)' not named\n\(result.transcript)")
        }
    }
}
