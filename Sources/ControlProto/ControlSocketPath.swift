import Foundation

/// Where the control socket lives when the configuration does not say.
public enum ControlSocketPath {
    /// root: /run/dnsd/control.sock; others: $XDG_RUNTIME_DIR/dnsd/control.sock, or
    /// /tmp/dnsd-UID/control.sock when XDG_RUNTIME_DIR is unset. dnsd prints the path at start.
    public static var defaultPath: String {
        let uid = getuid()
        if uid == 0 { return "/run/dnsd/control.sock" }
        if let runtime = ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            return runtime + "/dnsd/control.sock"
        }
        return "/tmp/dnsd-\(uid)/control.sock"
    }

    /// `--socket`, then $DNSD_SOCKET, then the default.
    public static func resolve(_ explicit: String?) -> String {
        explicit ?? ProcessInfo.processInfo.environment["DNSD_SOCKET"] ?? defaultPath
    }
}
