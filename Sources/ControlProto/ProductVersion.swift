/// The version of dnsd, dnsctl and dnsconsole (one release, one number) and the commit they
/// were built from (`commit`, generated at build time by the GitCommit plugin).
public enum ProductVersion {
    public static let version = "0.1.0"

    /// What `--version` prints: `0.1.0 (commit 1a2b3c4d5e6f)`.
    public static var description: String { "\(version) (commit \(commit))" }
}
