import Foundation

/// dnsconsole (or, with `init(command:)`, any interactive program: CompletionScriptTests runs
/// shells) in a detached tmux session on a private tmux server (`tmux -L`), so tests can type
/// keys and read the screen back with `capture-pane`. After the console exits the pane prints
/// `CONSOLE-EXIT=<status>` and a shell prompt line, to show the terminal is usable again.
final class ConsoleTmux {
    let server: String
    private let tmux: String

    convenience init(socket: String, width: Int = 120, height: Int = 40, refresh: Double = 0.5) throws {
        let console = URL(fileURLWithPath: try DnsdProcess.binary()).deletingLastPathComponent().appendingPathComponent("dnsconsole").path
        try self.init(command: "env LANG=C.UTF-8 LC_ALL=C.UTF-8 \(console) --socket '\(socket)' --refresh \(refresh); echo CONSOLE-EXIT=$?; echo PROMPT-BACK; sleep 60",
                      width: width, height: height)
    }

    /// `command` (a shell command line) in a new tmux session.
    init(command: String, width: Int = 120, height: Int = 40) throws {
        tmux = try PeerTool.require("tmux")
        server = "dnsd-test-\(UUID().uuidString.prefix(8))"
        // Through python3, which empties the signal mask first: the test runner's threads
        // block signals, spawned children inherit that, and tmux's client and server
        // handshake with signals (it hangs). Every stream goes to /dev/null: the tmux server
        // it forks would otherwise keep PeerTool's pipes open and nothing would see EOF.
        let launcher = """
            import os, signal, subprocess, sys
            signal.pthread_sigmask(signal.SIG_SETMASK, [])
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
            d = subprocess.DEVNULL
            sys.exit(subprocess.run(sys.argv[1:], stdin=d, stdout=d, stderr=d).returncode)
            """
        let started = try PeerTool.run("/usr/bin/python3", ["-c", launcher, tmux, "-L", server, "new-session", "-d",
                                                            "-x", "\(width)", "-y", "\(height)", command], timeout: 20)
        guard started.status == 0 else { throw IntegrationError("tmux new-session failed\n\(started.transcript)") }
    }

    deinit { _ = try? PeerTool.run(tmux, ["-L", server, "kill-server"]) }

    /// The pane's text, one string per line.
    func screen() throws -> [String] {
        let result = try PeerTool.run(tmux, ["-L", server, "capture-pane", "-p"])
        guard result.status == 0 else { throw IntegrationError("capture-pane failed\n\(result.transcript)") }
        return result.stdout.components(separatedBy: "\n")
    }

    /// `tmux send-keys` (key names like Enter, BSpace, Tab, or literal text).
    func send(_ keys: String...) throws {
        _ = try PeerTool.run(tmux, ["-L", server, "send-keys"] + keys)
    }

    func resize(width: Int, height: Int) throws {
        let result = try PeerTool.run(tmux, ["-L", server, "resize-window", "-x", "\(width)", "-y", "\(height)"])
        guard result.status == 0 else { throw IntegrationError("resize-window failed\n\(result.transcript)") }
    }

    /// Waits until `condition` holds for the screen; returns the last screen either way.
    @discardableResult
    func wait(timeout: Double = 10, until condition: ([String]) -> Bool) throws -> (ok: Bool, screen: [String]) {
        let deadline = Date().addingTimeInterval(timeout)
        var lines = try screen()
        while !condition(lines) {
            if Date() > deadline { return (false, lines) }
            usleep(200_000)
            lines = try screen()
        }
        return (true, lines)
    }

    /// The stream pane's lines: between its title and the next pane's title row.
    static func streamLines(_ screen: [String]) -> [String] {
        guard let start = screen.firstIndex(where: { $0.contains("─ Queries") }) else { return [] }
        let rest = screen[(start + 1)...]
        let end = rest.firstIndex(where: { $0.contains("─ Latency") }) ?? rest.endIndex
        return Array(rest[..<end])
    }

    static func text(_ screen: [String]) -> String { screen.joined(separator: "\n") }

    /// The open overlay's lines (title row included): what lies between its side bars, so the
    /// panes it covers do not leak into a check.
    static func overlayLines(_ screen: [String]) -> [String] {
        guard let top = screen.firstIndex(where: { $0.contains("┌") }) else { return [] }
        var lines = [screen[top]]
        for line in screen[(top + 1)...] {
            if line.contains("└") { break }
            guard let left = line.firstIndex(of: "│"), let right = line.lastIndex(of: "│"), left < right else { continue }
            lines.append(String(line[line.index(after: left)..<right]))
        }
        return lines
    }
}
