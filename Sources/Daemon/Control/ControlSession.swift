import ControlProto
import NIOConcurrencyHelpers
import NIOCore

/// What the caller may do: everything, or read-only methods only.
enum ControlRole: String, Sendable {
    case admin
    case readOnly = "read-only"
}

/// One control connection: who is on the other end, and its live subscriptions.
final class ControlSession: Sendable {
    let channel: Channel
    let role: ControlRole
    let peer: PeerCredentials?
    /// Counts this connection's subscriptions against its role's cap.
    private let quota: ControlQuota
    /// Open subscriptions by id; nil once the connection closed, so that a subscribe that
    /// finishes after the close neither registers a poller nor keeps its quota slot.
    private let subscriptions = NIOLockedValueBox<[Int: Scheduled<Void>]?>([:])
    private let nextSubscription = NIOLockedValueBox(1)

    init(channel: Channel, role: ControlRole, peer: PeerCredentials?, quota: ControlQuota) {
        self.channel = channel
        self.role = role
        self.peer = peer
        self.quota = quota
    }

    /// Sends a JSON-RPC notification on this connection.
    func notify(method: String, params: JSONValue) {
        var buffer = channel.allocator.buffer(capacity: 256)
        buffer.writeString(JSONValueEncoding.text(RPCRequest(method: method, params: params)) + "\n")
        channel.writeAndFlush(buffer, promise: nil)
    }

    /// Registers a repeating task (a subscription's poller); returns its id. Throws
    /// `ControlLimitExceeded` when the role's subscriptions are all taken.
    func addSubscription(_ start: (Int) -> Scheduled<Void>) throws -> Int {
        try quota.openSubscription(role)
        let id = nextSubscription.withLockedValue { value -> Int in defer { value += 1 }; return value }
        let task = start(id)
        let registered = subscriptions.withLockedValue { tasks -> Bool in
            guard tasks != nil else { return false }
            tasks![id] = task
            return true
        }
        if !registered {
            task.cancel()
            quota.closeSubscription(role)
        }
        return id
    }

    func replaceSubscriptionTask(_ id: Int, with task: Scheduled<Void>) -> Bool {
        subscriptions.withLockedValue { tasks in
            guard tasks?[id] != nil else { task.cancel(); return false }
            tasks![id] = task
            return true
        }
    }

    var hasSubscriptions: Bool { subscriptions.withLockedValue { !($0?.isEmpty ?? true) } }

    func isSubscribed(_ id: Int) -> Bool { subscriptions.withLockedValue { $0?[id] != nil } }

    @discardableResult
    func removeSubscription(_ id: Int) -> Bool {
        guard let task = subscriptions.withLockedValue({ $0?.removeValue(forKey: id) }) else { return false }
        task.cancel()
        quota.closeSubscription(role)
        return true
    }

    /// Ends every subscription when the connection closes, and refuses new ones.
    func closeAll() {
        let tasks = subscriptions.withLockedValue { tasks -> [Scheduled<Void>] in defer { tasks = nil }; return tasks.map { Array($0.values) } ?? [] }
        for task in tasks {
            task.cancel()
            quota.closeSubscription(role)
        }
    }
}

/// The connecting process's identity, from SO_PEERCRED.
struct PeerCredentials: Sendable, CustomStringConvertible {
    var pid: Int32
    var uid: UInt32
    var gid: UInt32
    var description: String { "pid \(pid) uid \(uid) gid \(gid)" }
}
