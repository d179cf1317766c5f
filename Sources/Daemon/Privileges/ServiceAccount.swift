#if canImport(Glibc)
import Glibc
#endif

/// The `user:` and `group:` keys: the account dnsd runs as once its sockets are bound
/// (PrivilegeDrop.swift). Resolved when the configuration is read, so that an unknown name
/// stops the start (and `--check-config`) with the file and line.
///
/// ```yaml
/// user: dnsd        # group: the user's primary group unless given
/// group: dnsd
/// ```
public struct ServiceAccount: Sendable, Equatable {
    public var user: String
    public var uid: uid_t
    public var group: String
    public var gid: gid_t

    /// Nil when neither key is there; `group:` alone is an error (a group without a user
    /// would leave dnsd root).
    static func parse(user userNode: ConfigNode?, group groupNode: ConfigNode?) throws -> ServiceAccount? {
        guard let userNode else {
            if let groupNode { throw groupNode.error("'group' needs 'user' too: dnsd drops to a user and that user's group") }
            return nil
        }
        let user = try userNode.string()
        guard let entry = getpwnam(user) else { throw userNode.error("unknown user '\(user)'") }
        let uid = entry.pointee.pw_uid
        var gid = entry.pointee.pw_gid
        guard uid != 0 else { throw userNode.error("user '\(user)' is root; leave 'user' out to run as root, or name an unprivileged user") }
        guard gid != 0 else { throw userNode.error("user '\(user)' has root's group as its primary group; add 'group:' with an unprivileged group") }
        var group = getgrgid(gid).flatMap { $0.pointee.gr_name.map { String(cString: $0) } } ?? String(gid)
        if let groupNode {
            group = try groupNode.string()
            guard let groupEntry = getgrnam(group) else { throw groupNode.error("unknown group '\(group)'") }
            gid = groupEntry.pointee.gr_gid
            guard gid != 0 else { throw groupNode.error("group '\(group)' is root's group; name an unprivileged group") }
        }
        return ServiceAccount(user: user, uid: uid, group: group, gid: gid)
    }

    public var description: String { "\(user) (uid \(uid)), group \(group) (gid \(gid))" }
}
