/// dnsd's version, reported by `--version` and (later) `core.version`.
public enum DaemonVersion {
    public static let string = "0.1.0"
}
