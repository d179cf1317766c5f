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
    /// `config.reload`.
    case reloadConfig
    /// Poll the top lists over this many seconds from now on (`queries.top WINDOW`).
    case topWindow(Int)
    /// `clients.show ADDRESS WINDOW`.
    case showClient(address: String, window: Int)
    /// `upstream.enable NAME` or `upstream.disable NAME`.
    case setUpstream(name: String, enabled: Bool)
}

/// How an action the daemon ran turned out, handed back to the view model.
public enum ActionOutcome: Sendable, Equatable {
    /// The `tls.reload` report (result or the error's data), and the error message if it failed.
    case reload(report: ControlReport, failure: String?)
    case flushed(name: String?, count: Int)
    case configReloaded(ConfigReloadResult)
    case client(ClientDetail)
    /// The upstream is now enabled (true) or disabled.
    case upstreamSet(name: String, enabled: Bool)
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
