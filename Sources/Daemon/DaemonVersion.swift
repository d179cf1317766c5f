import ControlProto

/// dnsd's version and build commit, reported by `--version`, `core.version` and
/// `dnsd_build_info` (one number for the three executables: `ProductVersion`).
public enum DaemonVersion {
    public static let string = ProductVersion.version
    public static let commit = ProductVersion.commit
    /// `0.1.0 (commit 1a2b3c4d5e6f)`.
    public static let description = ProductVersion.description
}
