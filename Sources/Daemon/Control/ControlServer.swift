import Foundation
import Logging
import NIOCore
import NIOPosix

/// The JSON-RPC control socket: binds it with the configured mode and group, and removes it
/// again on shutdown.
struct ControlServer {
    let settings: ControlSettings
    let dispatcher: ControlDispatcher
    /// The account dnsd drops to after binding (`user:`): it gets the socket and a directory made for it.
    var owner: ServiceAccount? = nil

    func bind(group: EventLoopGroup) async throws -> Channel {
        let path = settings.socketPath
        try ControlSocketBinder.prepare(path: path, owner: owner)
        let dispatcher = self.dispatcher
        let quota = ControlQuota(limits: settings.limits)
        let maxLength = settings.maxRequestBytes, idle = settings.idleTimeout, access = settings.access
        let channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
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
