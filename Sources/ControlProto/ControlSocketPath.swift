import Foundation

/// Where the control socket lives when the configuration does not say.
public enum ControlSocketPath {
    /// The system service's socket (the shipped unit's `RuntimeDirectory=dnsd`).
    public static let systemPath = "/run/dnsd/control.sock"

    /// The daemon's default: `$RUNTIME_DIRECTORY/control.sock` when systemd set it (the unit's
    /// RuntimeDirectory=; with several, the first), else for root /run/dnsd/control.sock, for
    /// others $XDG_RUNTIME_DIR/dnsd/control.sock, or /tmp/dnsd-UID/control.sock when
    /// XDG_RUNTIME_DIR is unset. dnsd prints the path at start.
    public static var defaultPath: String {
        if let runtime = runtimeDirectory { return runtime + "/control.sock" }
        let uid = getuid()
        if uid == 0 { return systemPath }
        return perUserPath(uid: uid)
    }

    /// A client's default (dnsctl, dnsconsole): the daemon's, except that a user other than
    /// root reaches the system service's socket when it is there, so that an operator in the
    /// socket's group runs `dnsctl` with no flags.
    public static var clientDefaultPath: String {
        if runtimeDirectory == nil, getuid() != 0, FileManager.default.fileExists(atPath: systemPath) { return systemPath }
        return defaultPath
    }

    /// `--socket`, then $DNSD_SOCKET, then the client default.
    public static func resolve(_ explicit: String?) -> String {
        explicit ?? ProcessInfo.processInfo.environment["DNSD_SOCKET"] ?? clientDefaultPath
    }

    /// The first directory of `$RUNTIME_DIRECTORY` (systemd separates several with colons).
    static var runtimeDirectory: String? {
        guard let value = ProcessInfo.processInfo.environment["RUNTIME_DIRECTORY"],
              let first = value.split(separator: ":").first, first.hasPrefix("/") else { return nil }
        return String(first)
    }

    private static func perUserPath(uid: uid_t) -> String {
        if let runtime = ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            return runtime + "/dnsd/control.sock"
        }
        return "/tmp/dnsd-\(uid)/control.sock"
    }
}
