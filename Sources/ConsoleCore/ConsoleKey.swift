/// A key press, as the view model understands it (the curses layer translates key codes).
public enum ConsoleKey: Sendable, Equatable {
    case character(Character)
    case tab, backTab, up, down, pageUp, pageDown, home, end, enter, escape, backspace
}

/// What the view model asks the outside world to do after a key.
public enum ConsoleAction: Sendable, Equatable {
    case quit
    /// `tls.reload` (every certificate).
    case reloadCertificates
    /// `cache.flush`: nil = everything, else one name (every type).
    case flushCache(name: String?)
}

/// How an action the daemon ran turned out, handed back to the view model.
public enum ActionOutcome: Sendable, Equatable {
    /// The `tls.reload` report (result or the error's data), and the error message if it failed.
    case reload(report: ControlReport, failure: String?)
    case flushed(name: String?, count: Int)
    /// -32001: this connection is read-only.
    case forbidden(ConsoleAction)
    case failed(ConsoleAction, String)
}

/// The per-certificate lines of a `tls.reload` answer.
public struct ControlReport: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var name: String, result: String, detail: String
        public init(name: String, result: String, detail: String) {
            self.name = name
            self.result = result
            self.detail = detail
        }
    }
    public var lines: [Line]
    public init(lines: [Line]) { self.lines = lines }
}
