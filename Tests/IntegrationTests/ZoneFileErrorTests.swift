import Foundation
import Testing

/// A zone file with a syntax error stops dnsd at start with `PATH:LINE:COLUMN: reason`, so an
/// operator's editor can jump to it. Fixtures/bad.zone line 6 is `www     IN  A    1.2.3`,
/// whose address starts in column 18.
@Suite("Zone file errors")
struct ZoneFileErrorTests {
    @Test("dnsd refuses to start and names bad.zone:6:18", arguments: ["--config", "--check-config"])
    func badZone(option: String) throws {
        let directory = try Fixtures.scratchDirectory("dnsd-badzone")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.copy("bad.zone", into: directory)
        let config = directory.appendingPathComponent("dnsd.yaml").path
        let port = try LoopbackPort.free()
        try DnsdProcess.configText(port: port, zoneFile: "bad.zone").write(toFile: config, atomically: true, encoding: .utf8)

        let result = try DnsdProcess.runToCompletion([option, config], timeout: 20)
        #expect(result.status != 0, "dnsd accepted a zone with a bad A record\n\(result.transcript)")
        #expect(result.stderr.contains("bad.zone:6:18:"), "\(result.transcript)")
        #expect(result.stderr.contains("1.2.3"), "the reason quotes the bad field\n\(result.transcript)")
    }
}
