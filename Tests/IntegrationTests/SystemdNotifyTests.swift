import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// dnsd under `Type=notify`, with the test as the service manager: a datagram socket in
/// `$NOTIFY_SOCKET` receives READY only once every listener answers, RELOADING and READY
/// around `dnsctl config.reload`, WATCHDOG=1 every half `$WATCHDOG_USEC`, and STOPPING on
/// SIGTERM.
@Suite("systemd notify")
struct SystemdNotifyTests {
    /// Starts dnsd (fixture zone, control socket beside the config) with `environment`, not
    /// waiting for it to answer: the notifications are what say when it is ready.
    static func launch(environment: [String: String], directory: URL) throws -> DnsdProcess {
        try Fixtures.copy("example.test.zone", into: directory)
        let port = try LoopbackPort.free()
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        try DnsdProcess.configText(port: port).write(toFile: configPath, atomically: true, encoding: .utf8)
        return try DnsdProcess(arguments: ["--config", configPath], directory: directory, configPath: configPath, port: port,
                               environment: environment)
    }

    /// The messages up to READY=1; when none comes, the failure shows what dnsd logged.
    static func untilReady(_ listener: NotifyListener, _ dnsd: DnsdProcess) throws -> [NotifyListener.Message] {
        do { return try listener.messages(until: "READY=1", timeout: 20) } catch {
            throw IntegrationError("\(error)\n\(dnsd.stderr)")
        }
    }

    @Test("READY after the listeners answer, RELOADING/READY around config.reload, WATCHDOG, STOPPING")
    func lifecycle() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-notify")
        let listener = try NotifyListener(directory.appendingPathComponent("notify.sock").path)
        let dnsd = try Self.launch(environment: ["NOTIFY_SOCKET": listener.name, "WATCHDOG_USEC": "1000000"], directory: directory)
        defer { _ = try? dnsd.stop() }

        let start = try Self.untilReady(listener, dnsd)
        let ready = try #require(start.last)
        #expect(ready.value("STATUS")?.hasPrefix("serving 1 zones on udp://127.0.0.1:\(dnsd.port)") == true, "\(ready.text)")
        #expect(!start.dropLast().contains { $0.lines.contains("WATCHDOG=1") }, "a watchdog ping before READY: \(start.map(\.text))")
        // Everything is bound the moment READY arrives: UDP, TCP and the control socket answer.
        #expect(try Dig.query(port: dnsd.port, "www.example.test", "A", Transport.udp.digOptions).status == "NOERROR")
        #expect(try Dig.query(port: dnsd.port, "www.example.test", "A", Transport.tcp.digOptions).status == "NOERROR")
        let ping = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["core.ping"])
        #expect(ping.status == 0, "\(ping.transcript)")

        // WATCHDOG_USEC=1 s: a ping every 0.5 s, each after a probe of the UDP listener.
        let watched = listener.messages(for: 3).filter { $0.lines == ["WATCHDOG=1"] }
        #expect((4...8).contains(watched.count), "\(watched.count) pings in 3 s")
        if let first = watched.first, let last = watched.last, watched.count > 1 {
            let mean = last.arrived.timeIntervalSince(first.arrived) / Double(watched.count - 1)
            #expect(mean > 0.35 && mean < 0.8, "mean interval \(mean) s")
        }

        let reload = try ControlPlaneTests.dnsctl(dnsd.controlSocket, ["config.reload"])
        #expect(reload.status == 0, "\(reload.transcript)")
        let around = try listener.messages(until: "READY=1", timeout: 10).filter { $0.lines != ["WATCHDOG=1"] }
        #expect(around.count == 2, "\(around.map(\.text))")
        let reloading = try #require(around.first)
        #expect(reloading.lines.contains("RELOADING=1"), "\(reloading.text)")
        // MONOTONIC_USEC is CLOCK_MONOTONIC, the clock this process reads too.
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let nowMicros = Double(now.tv_sec) * 1e6 + Double(now.tv_nsec) / 1e3
        let stamp = try #require(reloading.value("MONOTONIC_USEC").flatMap { Double($0) }, "\(reloading.text)")
        #expect(abs(nowMicros - stamp) < 30e6, "MONOTONIC_USEC=\(stamp), now \(nowMicros)")
        #expect(around.last?.value("STATUS")?.contains("generation 2") == true, "\(around.map(\.text))")

        let status = try dnsd.stop()
        #expect(status == 0, "\(dnsd.stderr)")
        let stopping = listener.messages(for: 0.5).filter { $0.lines.contains("STOPPING=1") }
        #expect(stopping.count == 1, "\(dnsd.stderr)")
        if status == 0 { try? FileManager.default.removeItem(at: directory) }
    }

    @Test("an abstract NOTIFY_SOCKET (@name) gets READY too; no WATCHDOG without WATCHDOG_USEC")
    func abstractSocket() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-notify")
        defer { try? FileManager.default.removeItem(at: directory) }
        let listener = try NotifyListener("@dnsd-test-notify-\(UUID().uuidString)")
        let dnsd = try Self.launch(environment: ["NOTIFY_SOCKET": listener.name], directory: directory)
        defer { _ = try? dnsd.stop() }
        _ = try Self.untilReady(listener, dnsd)
        #expect(try Dig.query(port: dnsd.port, "www.example.test", "A", Transport.udp.digOptions).status == "NOERROR")
        #expect(listener.messages(for: 1.5).isEmpty)
        #expect(try dnsd.stop() == 0, "\(dnsd.stderr)")
    }

    @Test("without a UDP listener the watchdog probes an event loop, and still pings")
    func watchdogWithoutUDP() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-notify")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Fixtures.copy("example.test.zone", into: directory)
        let port = try LoopbackPort.free()
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        try DnsdProcess.configText(port: port).replacingOccurrences(of: "[udp://127.0.0.1:\(port), ", with: "[")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let listener = try NotifyListener(directory.appendingPathComponent("notify.sock").path)
        let dnsd = try DnsdProcess(arguments: ["--config", configPath], directory: directory, configPath: configPath, port: port,
                                   environment: ["NOTIFY_SOCKET": listener.name, "WATCHDOG_USEC": "600000"])
        defer { _ = try? dnsd.stop() }
        _ = try Self.untilReady(listener, dnsd)
        #expect(dnsd.waitForStderr(containing: "probing the query path (event loop)"), "\(dnsd.stderr)")
        let pings = listener.messages(for: 2).filter { $0.lines == ["WATCHDOG=1"] }
        #expect((4...9).contains(pings.count), "\(pings.count) pings in 2 s\n\(dnsd.stderr)")
        #expect(try Dig.query(port: port, "www.example.test", "A", Transport.tcp.digOptions).status == "NOERROR")
        #expect(try dnsd.stop() == 0, "\(dnsd.stderr)")
    }

    @Test("WATCHDOG_PID of another process means no watchdog")
    func watchdogForAnotherProcess() throws {
        let directory = try Fixtures.scratchDirectory("dnsd-notify")
        defer { try? FileManager.default.removeItem(at: directory) }
        let listener = try NotifyListener(directory.appendingPathComponent("notify.sock").path)
        let dnsd = try Self.launch(environment: ["NOTIFY_SOCKET": listener.name, "WATCHDOG_USEC": "400000", "WATCHDOG_PID": "1"],
                                   directory: directory)
        defer { _ = try? dnsd.stop() }
        _ = try Self.untilReady(listener, dnsd)
        #expect(listener.messages(for: 1).isEmpty)
    }
}
