import CNCurses
import Foundation

/// The curses layer: draws a `ConsoleViewModel`, reads keys. All curses calls stay on the
/// main actor (curses is not thread-safe).
@MainActor
final class Screen {
    private var colours = false

    init() {
        setlocale(LC_ALL, "")
        initscr()
        cbreak()
        noecho()
        keypad(dnsd_stdscr(), true)
        curs_set(0)
        if has_colors() {
            start_color()
            use_default_colors()
            init_pair(1, Int16(COLOR_GREEN), -1)
            init_pair(2, Int16(COLOR_RED), -1)
            init_pair(3, Int16(COLOR_CYAN), -1)
            colours = true
        }
    }

    /// Restores the terminal.
    func close() { endwin() }

    /// Waits up to `milliseconds` for a key; nil on timeout.
    func key(timeout milliseconds: Int32) -> Int32? {
        wtimeout(dnsd_stdscr(), milliseconds)
        let key = wgetch(dnsd_stdscr())
        return key == ERR ? nil : key
    }

    func draw(_ model: ConsoleViewModel) {
        let width = Int(dnsd_cols())
        werase(dnsd_stdscr())
        attron(dnsd_a_reverse())
        put(0, 0, String(" dnsconsole  dnsd \(model.version)  up \(model.uptimeSeconds.map(ConsoleViewModel.formatUptime) ?? "-")".prefix(width)).padding(toLength: width, withPad: " ", startingAt: 0))
        attroff(dnsd_a_reverse())
        let pair: Int32 = { if case .connected = model.connection { return 1 } else { return 2 } }()
        if colours { attron(dnsd_color_pair(pair)) }
        put(1, 1, String(model.statusLine.prefix(width - 2)))
        if colours { attroff(dnsd_color_pair(pair)) }
        put(3, 1, "Control methods (\(model.methods.count)):")
        for (index, method) in model.methods.prefix(max(0, Int(dnsd_lines()) - 6)).enumerated() {
            put(4 + index, 3, String(method.prefix(width - 4)))
        }
        put(Int(dnsd_lines()) - 1, 0, String(" ? help   q quit".prefix(width)))
        if model.showHelp { drawHelp() }
        wrefresh(dnsd_stdscr())
    }

    private func drawHelp() {
        let top = 3, left = 4
        if colours { attron(dnsd_color_pair(3)) }
        put(top, left, "+----------------- keys ------------------+")
        for (index, entry) in ConsoleViewModel.keys.enumerated() {
            put(top + 1 + index, left, "| \(entry.0.padding(toLength: 4, withPad: " ", startingAt: 0)) \(entry.1.padding(toLength: 34, withPad: " ", startingAt: 0)) |")
        }
        put(top + 1 + ConsoleViewModel.keys.count, left, "+-----------------------------------------+")
        if colours { attroff(dnsd_color_pair(3)) }
    }

    private func put(_ row: Int, _ column: Int, _ text: String) {
        guard row >= 0, row < Int(dnsd_lines()) else { return }
        mvaddstr(Int32(row), Int32(column), text)
    }
}
