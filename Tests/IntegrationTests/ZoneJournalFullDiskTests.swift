import Foundation
import Testing

/// A zone journal on a full disk: the edit whose append fails is refused (never acknowledged),
/// and it does not poison the next one. The zone lives on a small tmpfs that a filler file
/// fills up, so the failure is the kernel's own ENOSPC in the middle of an entry, not a mock.
/// Before, the file was cut back after the failed write but its offset was not, so the next
/// acknowledged entry landed after a hole of zero bytes and the next start refused the journal.
@Suite("Zone journal on a full disk", .serialized)
struct ZoneJournalFullDiskTests {
    @Test("a failed append is refused; the next edit is kept; restart replays both acknowledged edits",
          .enabled(if: geteuid() == 0, "mounting a tmpfs needs root"))
    func failedAppendDoesNotPoisonTheNext() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-fulldisk")
        let disk = directory.appendingPathComponent("disk")
        try FileManager.default.createDirectory(at: disk, withIntermediateDirectories: true)
        let mount = try PeerTool.run(try PeerTool.require("mount"), ["-t", "tmpfs", "-o", "size=256k", "tmpfs", disk.path])
        try #require(mount.status == 0, "cannot mount a tmpfs: \(mount.transcript)")
        defer {
            _ = try? PeerTool.run("/bin/umount", ["-l", disk.path])
            try? FileManager.default.removeItem(at: directory)
        }
        try Fixtures.copy("example.test.zone", into: disk)
        let port = try LoopbackPort.free()
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        try DnsdProcess.configText(port: port, zoneFile: "disk/example.test.zone")
            .replacingOccurrences(of: "{file: disk/example.test.zone}", with: "{file: disk/example.test.zone, compact: 1048576}")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        var dnsd = try DnsdProcess(arguments: ["--config", configPath], directory: directory, configPath: configPath, port: port)
        try dnsd.waitUntilAnswering()
        defer { _ = try? dnsd.stop() }
        let socket = dnsd.controlSocket

        let first = try ControlPlaneTests.dnsctl(socket, ["zone.add", "example.test.", "before-full 300 IN TXT \"acknowledged\""])
        #expect(first.status == 0, "\(first.transcript)")

        // Fill the disk; then an entry longer than a page cannot fit in what is left of the
        // journal's last page: write() stores part of it and fails with ENOSPC.
        let filler = disk.appendingPathComponent("filler").path
        try fill(filler)
        let strings = (0..<24).map { "\"" + String(repeating: Character(UnicodeScalar(UInt8(97 + $0 % 26))), count: 250) + "\"" }
        let big = try ControlPlaneTests.dnsctl(socket, ["zone.add", "example.test.", "on-full-disk 300 IN TXT " + strings.joined(separator: " ")])
        #expect(big.status == 1, "the append on a full disk was acknowledged\n\(big.transcript)")
        #expect(big.stderr.contains("No space left"), "\(big.transcript)")

        try FileManager.default.removeItem(atPath: filler)
        let after = try ControlPlaneTests.dnsctl(socket, ["zone.add", "example.test.", "after-full 300 IN TXT \"acknowledged\""])
        #expect(after.status == 0, "\(after.transcript)")

        #expect(try dnsd.stop() == 0)
        dnsd = try DnsdProcess(arguments: ["--config", configPath], directory: directory, configPath: configPath, port: port)
        try dnsd.waitUntilAnswering()
        let dig = try PeerTool.require("dig")
        func txt(_ name: String) throws -> String {
            try PeerTool.run(dig, ["@127.0.0.1", "-p", "\(port)", "\(name).example.test.", "TXT", "+short", "+tries=1", "+time=2"]).stdout
        }
        #expect(try txt("before-full") == "\"acknowledged\"\n", "\(dnsd.stderr)")
        #expect(try txt("after-full") == "\"acknowledged\"\n", "\(dnsd.stderr)")
        #expect(try txt("on-full-disk") == "", "the refused edit came back")
        let journal = try String(contentsOfFile: disk.appendingPathComponent("example.test.zone.journal").path, encoding: .utf8)
        #expect(!journal.contains("\0"), "a hole in the journal")
    }

    /// Writes `path` until the file system has no space left.
    private func fill(_ path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(fd >= 0)
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0x2E, count: 4096)
        while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        #expect(errno == ENOSPC, "filling stopped with errno \(errno), not ENOSPC")
    }
}
