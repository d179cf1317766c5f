import Foundation

/// Where dnsd looks for things when the command line does not say, following the layout of
/// the packaged resolvers (Unbound, Knot, NSD): configuration under /etc/dnsd, the control
/// socket in the service's runtime directory (ControlSocketPath.swift).
public enum StandardPaths {
    /// The configuration file of the installed service (scripts/install puts a commented one there).
    public static let configFile = "/etc/dnsd/dnsd.yaml"

    /// The configuration to read when `--config` is absent: `$DNSD_CONFIG` when set (for a
    /// second instance, or a test), else `configFile` when it exists; nil means the built-in
    /// configuration.
    public static func defaultConfigFile(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let path = environment["DNSD_CONFIG"], !path.isEmpty { return path }
        return FileManager.default.fileExists(atPath: configFile) ? configFile : nil
    }
}
