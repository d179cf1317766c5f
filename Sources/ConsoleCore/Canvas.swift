/// How a cell is drawn; the curses layer maps each to colours or, on a monochrome terminal,
/// to bold/reverse/dim.
public enum CellStyle: UInt8, Sendable, Equatable, CaseIterable {
    case normal, title, focusedTitle, header, good, warn, bad, dim, accent, selected
}

/// One frame of the console as characters and styles: what `ConsoleRenderer` produces and
/// the curses layer copies to the screen. Writing outside the canvas is clipped, so no line
/// can ever be longer than the terminal.
public struct Canvas: Sendable, Equatable {
    public struct Cell: Sendable, Equatable {
        public var character: Character
        public var style: CellStyle
    }

    public let width: Int, height: Int
    public private(set) var rows: [[Cell]]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        rows = Array(repeating: Array(repeating: Cell(character: " ", style: .normal), count: self.width), count: self.height)
    }

    /// Writes `text` at (row, column), clipped to `limit` cells and to the canvas; returns the
    /// column after the text.
    @discardableResult
    public mutating func put(_ row: Int, _ column: Int, _ text: String, _ style: CellStyle = .normal, limit: Int = .max) -> Int {
        guard row >= 0, row < height else { return column }
        var x = column, written = 0
        for character in text {
            if written >= limit || x >= width { break }
            if x >= 0 {
                // Control characters would move the cursor: show them as '?'.
                let safe: Character = character.isASCII && (character.asciiValue ?? 32) < 32 ? "?" : character
                rows[row][x] = Cell(character: safe, style: style)
            }
            x += 1
            written += 1
        }
        return x
    }

    /// Restyles a range of a row (a highlighted line).
    public mutating func paint(_ row: Int, from column: Int, width span: Int, _ style: CellStyle) {
        guard row >= 0, row < height else { return }
        for x in max(0, column)..<min(width, column + span) where x >= 0 { rows[row][x].style = style }
    }

    /// A row's text without styles (tests, captures).
    public func text(_ row: Int) -> String { String(rows[row].map(\.character)) }

    /// Runs of equally styled cells in a row: what the curses layer draws with one call each.
    public func runs(_ row: Int) -> [(column: Int, text: String, style: CellStyle)] {
        var runs: [(Int, String, CellStyle)] = []
        var start = 0, current = ""
        var style = rows[row].first?.style ?? .normal
        for (x, cell) in rows[row].enumerated() {
            if cell.style != style {
                runs.append((start, current, style))
                start = x
                current = ""
                style = cell.style
            }
            current.append(cell.character)
        }
        if !current.isEmpty { runs.append((start, current, style)) }
        return runs
    }
}
