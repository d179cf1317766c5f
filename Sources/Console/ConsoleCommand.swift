import ArgumentParser
import ConsoleCore
import ControlProto
import Foundation

/// `dnsconsole`: watch a running dnsd live and drive reloads, through its control socket only.
@main
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dnsconsole",
        abstract: "Interactive console for a running dnsd (control protocol only).",
        discussion: """
            Panes: header (version, uptime, QPS and a 1-minute sparkline, answers by rcode, cache hit \
            ratio, a warning while late timers keep UDP workers from their batch wait), live query \
            stream, latency, certificates, upstreams, top names and clients. \
            Keys: ? help, / filter, space pause, r tls.reload, f cache.flush, c config.reload, w top window, \
            enter drill into a client, u upstream off/on, tab focus, s sort, q quit. \
            When dnsd goes away the console says so and reconnects. See docs/console.md.
            """,
        version: ProductVersion.description
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("Control socket (default: $DNSD_SOCKET, else \(ControlSocketPath.clientDefaultPath)).", valueName: "PATH"))
    var socket: String?

    @Option(help: ArgumentHelp("Seconds between polls of the daemon's counters (0.2 to 60).", valueName: "SECONDS"))
    var refresh: Double = 1

    func validate() throws {
        guard refresh >= 0.2, refresh <= 60 else { throw ValidationError("--refresh must be between 0.2 and 60 seconds") }
    }

    /// At most this many frames a second; curses sends only changed cells anyway.
    static let frameInterval = 0.1

    @MainActor
    func run() async throws {
        let path = ControlSocketPath.resolve(socket)
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "?"
        var state = ConsoleState(socketPath: path, host: host)
        let link = DaemonLink(path: path, refresh: refresh)
        let screen = Screen()
        defer { screen.close() }
        let renderer = ConsoleRenderer(unicode: screen.unicode)
        state.layout = ConsoleLayout(width: screen.size.width, height: screen.size.height)
        link.start()
        var dirty = true
        var lastFrame = 0.0
        var lastMessage = false
        while true {
            let now = Date().timeIntervalSince1970
            // Everything the daemon sent since the last tick, applied in one go.
            let delivery = link.take()
            if !delivery.isEmpty || state.sample != delivery.sample {
                state.sample = delivery.sample
                for snapshot in delivery.snapshots { state.apply(snapshot, now: now) }
                for batch in delivery.batches { state.receive(batch) }
                for outcome in delivery.outcomes { state.finish(outcome, now: now) }
                if let reason = delivery.lost { state.lost(reason) }
                dirty = true
            }
            state.expireMessage(now: now)
            if lastMessage != (state.message != nil) { dirty = true }
            lastMessage = state.message != nil
            if dirty && now - lastFrame >= Self.frameInterval {
                screen.draw(renderer.render(state, now: now))
                lastFrame = now
                dirty = false
            }
            let wait = dirty ? max(0.01, Self.frameInterval - (Date().timeIntervalSince1970 - lastFrame)) : Self.frameInterval
            switch screen.read(timeout: Int32(wait * 1000)) {
            case nil: break
            case .gone?: return
            case .resize?:
                state.layout = ConsoleLayout(width: screen.size.width, height: screen.size.height)
                dirty = true
            case .key(let key)?:
                dirty = true
                switch state.handle(key, now: Date().timeIntervalSince1970) {
                case .quit?: return
                case let action?: link.perform(action)
                case nil: break
                }
            }
        }
    }
}
