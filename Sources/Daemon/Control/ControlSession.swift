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
    private let subscriptions = NIOLockedValueBox<[Int: Scheduled<Void>]>([:])
    private let nextSubscription = NIOLockedValueBox(1)

    init(channel: Channel, role: ControlRole, peer: PeerCredentials?) {
        self.channel = channel
        self.role = role
        self.peer = peer
    }

    /// Sends a JSON-RPC notification on this connection.
    func notify(method: String, params: JSONValue) {
        var buffer = channel.allocator.buffer(capacity: 256)
        buffer.writeString(JSONValueEncoding.text(RPCRequest(method: method, params: params)) + "\n")
        channel.writeAndFlush(buffer, promise: nil)
    }

    /// Registers a repeating task (a subscription's poller); returns its id.
    func addSubscription(_ start: (Int) -> Scheduled<Void>) -> Int {
        let id = nextSubscription.withLockedValue { value -> Int in defer { value += 1 }; return value }
        let task = start(id)
        subscriptions.withLockedValue { $0[id] = task }
        return id
    }

    func replaceSubscriptionTask(_ id: Int, with task: Scheduled<Void>) -> Bool {
        subscriptions.withLockedValue { tasks in
            guard tasks[id] != nil else { task.cancel(); return false }
            tasks[id] = task
            return true
        }
    }

    var hasSubscriptions: Bool { subscriptions.withLockedValue { !$0.isEmpty } }

    func isSubscribed(_ id: Int) -> Bool { subscriptions.withLockedValue { $0[id] != nil } }

    @discardableResult
    func removeSubscription(_ id: Int) -> Bool {
        guard let task = subscriptions.withLockedValue({ $0.removeValue(forKey: id) }) else { return false }
        task.cancel()
        return true
    }

    func closeAll() {
        let tasks = subscriptions.withLockedValue { tasks -> [Scheduled<Void>] in defer { tasks = [:] }; return Array(tasks.values) }
        tasks.forEach { $0.cancel() }
    }
}

/// The connecting process's identity, from SO_PEERCRED.
struct PeerCredentials: Sendable, CustomStringConvertible {
    var pid: Int32
    var uid: UInt32
    var gid: UInt32
    var description: String { "pid \(pid) uid \(uid) gid \(gid)" }
}
