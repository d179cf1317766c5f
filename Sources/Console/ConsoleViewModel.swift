import ControlProto

/// What the console shows, as plain data: the screen is drawn from this and nothing else.
struct ConsoleViewModel: Equatable {
    enum Connection: Equatable {
        case connecting
        case connected
        case lost(String)
    }

    var socketPath: String
    var connection: Connection = .connecting
    var version = "?"
    var uptimeSeconds: Int?
    var methods: [String] = []
    var showHelp = false

    /// Applies one poll's results.
    mutating func update(version: JSONValue, uptime: JSONValue, methods: JSONValue) {
        connection = .connected
        self.version = version["version"]?.stringValue ?? "?"
        uptimeSeconds = uptime["seconds"]?.intValue
        self.methods = methods.arrayValue?.compactMap(\.stringValue) ?? []
    }

    mutating func lost(_ reason: String) {
        connection = .lost(reason)
        uptimeSeconds = nil
    }

    /// `3d 04:05:06`, `04:05:06`.
    static func formatUptime(_ seconds: Int) -> String {
        let days = seconds / 86400, hours = seconds / 3600 % 24, minutes = seconds / 60 % 60, secs = seconds % 60
        let clock = String(format: "%02d:%02d:%02d", hours, minutes, secs)
        return days > 0 ? "\(days)d \(clock)" : clock
    }

    var statusLine: String {
        switch connection {
        case .connecting: return "connecting to \(socketPath)"
        case .connected: return "connected to \(socketPath)"
        case .lost(let reason): return "daemon unreachable (\(reason)); retrying"
        }
    }

    static let keys: [(String, String)] = [("?", "show or hide this help"), ("q", "quit")]
}
