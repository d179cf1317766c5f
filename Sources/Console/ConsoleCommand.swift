import ArgumentParser
import ControlProto
import Foundation

/// `dnsconsole`: watch a running dnsd through its control socket.
@main
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dnsconsole",
        abstract: "Interactive console for a running dnsd (control protocol only).",
        discussion: "Keys: ? help, q quit. When dnsd goes away the console says so and reconnects.",
        version: "0.1.0"
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("Control socket (default: $DNSD_SOCKET, else \(ControlSocketPath.defaultPath)).", valueName: "PATH"))
    var socket: String?

    @Option(help: "Seconds between polls of the daemon.")
    var refresh: Double = 1

    @MainActor
    func run() async throws {
        let path = ControlSocketPath.resolve(socket)
        var model = ConsoleViewModel(socketPath: path)
        let screen = Screen()
        defer { screen.close() }
        var client: ControlClient?
        var nextPoll = Date.distantPast
        while true {
            if Date() >= nextPoll {
                do {
                    let connection = try client ?? ControlClient(path: path, timeout: .seconds(2))
                    client = connection
                    model.update(version: try connection.call("core.version"), uptime: try connection.call("core.uptime"),
                                 methods: try connection.call("system.listMethods"))
                } catch {
                    client = nil
                    model.lost("\(error)")
                }
                nextPoll = Date().addingTimeInterval(max(0.1, refresh))
            }
            screen.draw(model)
            guard let key = screen.key(timeout: 100) else { continue }
            switch key {
            case Int32(UInt8(ascii: "q")): return
            case Int32(UInt8(ascii: "?")): model.showHelp.toggle()
            default: break
            }
        }
    }
}
