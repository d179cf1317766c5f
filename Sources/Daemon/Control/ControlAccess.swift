import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Who may use the control socket, beyond the socket file's own mode and group.
///
/// root and the daemon's own user are always admins. Others are admins or read-only callers
/// when their uid, primary gid or any supplementary group is listed; everyone else is refused
/// at connect.
public struct ControlAccess: Sendable, Equatable {
    public var adminUsers: Set<UInt32> = []
    public var adminGroups: Set<UInt32> = []
    public var readerUsers: Set<UInt32> = []
    public var readerGroups: Set<UInt32> = []

    public init() {}

    func role(for peer: PeerCredentials) -> ControlRole? {
        if peer.uid == 0 || peer.uid == geteuid() || adminUsers.contains(peer.uid) { return .admin }
        let groups = Self.groups(of: peer)
        if !adminGroups.isDisjoint(with: groups) { return .admin }
        if readerUsers.contains(peer.uid) || !readerGroups.isDisjoint(with: groups) { return .readOnly }
        return nil
    }

    /// The peer's primary group and the supplementary groups of its user.
    static func groups(of peer: PeerCredentials) -> Set<UInt32> {
        var result: Set<UInt32> = [peer.gid]
        guard let entry = getpwuid(peer.uid), let name = entry.pointee.pw_name else { return result }
        var count: Int32 = 64
        var list = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(name, peer.gid, &list, &count) == -1 {
            list = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(name, peer.gid, &list, &count)
        }
        result.formUnion(list.prefix(Int(max(0, count))).map { UInt32($0) })
        return result
    }

    /// Resolves `{users: [name|uid], groups: [name|gid]}` from the config.
    static func parseMembers(_ node: ConfigNode) throws -> (users: Set<UInt32>, groups: Set<UInt32>) {
        let keys = try node.mapping(allowed: ["users", "groups"])
        var users: Set<UInt32> = [], groups: Set<UInt32> = []
        for entry in try keys["users"]?.list() ?? [] {
            let text = try entry.string()
            if let uid = UInt32(text) { users.insert(uid) }
            else if let user = getpwnam(text) { users.insert(user.pointee.pw_uid) }
            else { throw entry.error("unknown user '\(text)'") }
        }
        for entry in try keys["groups"]?.list() ?? [] {
            let text = try entry.string()
            if let gid = UInt32(text) { groups.insert(gid) }
            else if let group = getgrnam(text) { groups.insert(group.pointee.gr_gid) }
            else { throw entry.error("unknown group '\(text)'") }
        }
        return (users, groups)
    }
}
