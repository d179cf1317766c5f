import CNCurses
import ConsoleCore
import Foundation

/// The curses layer: copies a `Canvas` to the terminal and reads keys. Nothing else: what
/// is shown is decided by `ConsoleRenderer`. Every call stays on the main actor (curses is
/// not thread-safe).
///
/// No flicker: each frame is erased and drawn into curses' virtual screen, then
/// `wnoutrefresh` + `doupdate` send only the cells that changed since the last frame.
@MainActor
final class Screen {
    private(set) var colours = false
    /// UTF-8 locale: block characters and box lines; otherwise ASCII.
    let unicode: Bool

    init() {
        setlocale(LC_ALL, "")
        unicode = dnsd_locale_is_utf8() != 0
        initscr()
        // raw, not cbreak: ^C arrives as a key and quits through the same path as `q`, so
        // the terminal is always restored.
        raw()
        noecho()
        nonl()
        keypad(dnsd_stdscr(), true)
        set_escdelay(50)
        curs_set(0)
        if has_colors() {
            start_color()
            use_default_colors()
            init_pair(1, Int16(COLOR_GREEN), -1)
            init_pair(2, Int16(COLOR_YELLOW), -1)
            init_pair(3, Int16(COLOR_RED), -1)
            init_pair(4, Int16(COLOR_CYAN), -1)
            init_pair(5, Int16(COLOR_WHITE), Int16(COLOR_BLUE))
            init_pair(6, Int16(COLOR_BLACK), Int16(COLOR_CYAN))
            colours = true
        }
    }

    /// Restores the terminal.
    func close() { endwin() }

    var size: (width: Int, height: Int) { (Int(dnsd_cols()), Int(dnsd_lines())) }

    /// Waits up to `milliseconds` for a key; nil on timeout. `.resize` when the terminal changed size.
    enum Input { case key(ConsoleKey), resize, gone }

    func read(timeout milliseconds: Int32) -> Input? {
        wtimeout(dnsd_stdscr(), milliseconds)
        var character: UInt32 = 0
        let result = dnsd_get_wch(&character)
        if result == ERR { return nil }
        if result == dnsd_key_code_yes() {
            switch Int32(character) {
            case dnsd_key_resize(): return .resize
            case KEY_UP: return .key(.up)
            case KEY_DOWN: return .key(.down)
            case KEY_PPAGE: return .key(.pageUp)
            case KEY_NPAGE: return .key(.pageDown)
            case KEY_HOME: return .key(.home)
            case KEY_END: return .key(.end)
            case KEY_BTAB: return .key(.backTab)
            case KEY_ENTER: return .key(.enter)
            case KEY_BACKSPACE: return .key(.backspace)
            default: return nil
            }
        }
        switch character {
        case 3, 4: return .key(.character("q"))  // ^C, ^D
        case 9: return .key(.tab)
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 8, 127: return .key(.backspace)
        default:
            guard let scalar = Unicode.Scalar(character), character >= 32 else { return nil }
            return .key(.character(Character(scalar)))
        }
    }

    func draw(_ canvas: Canvas) {
        werase(dnsd_stdscr())
        for row in 0..<min(canvas.height, Int(dnsd_lines())) {
            for run in canvas.runs(row) where run.column < Int(dnsd_cols()) {
                dnsd_attrset(attributes(run.style))
                _ = dnsd_mvaddstr(Int32(row), Int32(run.column), run.text)
            }
        }
        dnsd_attrset(dnsd_a_normal())
        wnoutrefresh(dnsd_stdscr())
        doupdate()
    }

    /// Colours when the terminal has them; bold, reverse, dim and underline otherwise.
    private func attributes(_ style: CellStyle) -> Int32 {
        let bold = dnsd_a_bold(), reverse = dnsd_a_reverse(), dim = dnsd_a_dim()
        if colours {
            switch style {
            case .normal: return dnsd_a_normal()
            case .title: return dnsd_color_pair(4) | bold
            case .focusedTitle: return dnsd_color_pair(6) | bold
            case .header: return dnsd_color_pair(5)
            case .good: return dnsd_color_pair(1)
            case .warn: return dnsd_color_pair(2) | bold
            case .bad: return dnsd_color_pair(3) | bold
            case .dim: return dim
            case .accent: return dnsd_color_pair(4)
            case .selected: return reverse
            }
        }
        switch style {
        case .normal, .good, .accent: return dnsd_a_normal()
        case .title, .warn: return bold
        case .focusedTitle, .header, .selected: return reverse
        case .bad: return bold | dnsd_a_underline()
        case .dim: return dim
        }
    }
}
