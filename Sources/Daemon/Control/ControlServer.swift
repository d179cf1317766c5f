import Foundation
import Logging
import NIOCore
import NIOPosix

/// The JSON-RPC control socket: binds it with the configured mode and group, and removes it
/// again on shutdown.
struct ControlServer {
    /// The section at start: the socket's path, mode and group (a change of these needs a restart).
    let settings: ControlSettings
    /// The section in force, read per connection (roles, limits, request size, idle timeout),
    /// so that `config.reload` applies those to connections made after it.
    let live: @Sendable () -> ControlSettings
    let dispatcher: ControlDispatcher
    /// The account dnsd drops to after binding (`user:`): it gets the socket and a directory made for it.
    var owner: ServiceAccount? = nil

    func bind(group: EventLoopGroup) async throws -> Channel {
        let path = settings.socketPath
        try ControlSocketBinder.prepare(path: path, owner: owner)
        let dispatcher = self.dispatcher, live = self.live
        let quota = ControlQuota(limits: { live().limits })
        let channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                let current = live()
                let maxLength = current.maxRequestBytes, idle = current.idleTimeout, access = current.access
                return channel.eventLoop.makeCompletedFuture {
                    let handlers = channel.pipeline.syncOperations
                    try handlers.addHandler(IdleStateHandler(readTimeout: TimeAmount(idle)))
                    try handlers.addHandler(ByteToMessageHandler(LineFrameDecoder(maxLength: maxLength)))
                    try handlers.addHandler(ControlConnectionHandler(dispatcher: dispatcher, quota: quota, access: access))
                }
            }
            .bind(unixDomainSocketPath: path).get()
        do {
            try ControlSocketBinder.applyPermissions(path: path, mode: settings.mode, group: settings.group, owner: owner)
        } catch {
            try? await channel.close()
            throw error
        }
        return channel
    }

    func remove() {
        unlink(settings.socketPath)
    }
}
