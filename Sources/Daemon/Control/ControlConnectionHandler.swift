import ControlProto
import Foundation
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// One control connection. On connect the peer's credentials (SO_PEERCRED) decide its role,
/// or the connection is refused; so is one over its role's connection cap (ControlQuota.swift). Each line is then dispatched on its own task and answered
/// when done (replies carry the request id, so order does not matter).
final class ControlConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let dispatcher: ControlDispatcher
    private let quota: ControlQuota
    private let access: ControlAccess
    private var holdsSlot = false
    /// The role counted against its cap, once the credentials were read and the cap allowed it.
    private var admitted: ControlRole?
    private var session: ControlSession?
    /// Lines that arrived before the credentials check finished.
    private var early: [[UInt8]] = []
    /// Set once the connection was refused: input is drained and ignored.
    private var refused = false

    init(dispatcher: ControlDispatcher, quota: ControlQuota, access: ControlAccess) {
        self.dispatcher = dispatcher
        self.quota = quota
        self.access = access
    }

    func channelActive(context: ChannelHandlerContext) {
        do { try quota.openConnection() } catch {
            refuse(context, code: RPCError.limitExceeded, message: "\(error)")
            return
        }
        holdsSlot = true
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        Self.peerCredentials(of: context.channel).hop(to: context.eventLoop).assumeIsolated().whenComplete { [self] result in
            let context = bound.value
            guard case .success(let peer) = result else {
                refuse(context, code: RPCError.forbidden, message: "cannot read the caller's credentials")
                return
            }
            guard let role = access.role(for: peer) else {
                refuse(context, code: RPCError.forbidden, message: "uid \(peer.uid) is not allowed to use the control socket (see control.admins / control.readers)")
                return
            }
            do { try quota.admit(role) } catch {
                refuse(context, code: RPCError.limitExceeded, message: "\(error)")
                return
            }
            admitted = role
            let session = ControlSession(channel: context.channel, role: role, peer: peer, quota: quota)
            self.session = session
            for line in early { dispatch(line, session: session) }
            early = []
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        releaseSlot()
        session?.closeAll()
        context.fireChannelInactive()
    }

    private func releaseSlot() {
        guard holdsSlot else { return }
        quota.closeConnection(admitted: admitted)
        holdsSlot = false
        admitted = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = Array(unwrapInboundIn(data).readableBytesView)
        guard !refused, line.contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
        guard let session else {
            early.append(line)
            return
        }
        dispatch(line, session: session)
    }

    private func dispatch(_ line: [UInt8], session: ControlSession) {
        let dispatcher = self.dispatcher
        Task {
            guard let reply = await dispatcher.handle(line: line, session: session) else { return }
            var buffer = session.channel.allocator.buffer(capacity: reply.count)
            buffer.writeBytes(reply)
            session.channel.writeAndFlush(buffer, promise: nil)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            // A subscriber only listens; it is not idle while its stream is open.
            if session.map({ !$0.hasSubscriptions }) ?? true { context.close(promise: nil) }
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is LineFrameDecoder.LineTooLong {
            refuse(context, code: RPCError.limitExceeded, message: "request line longer than the limit")
        } else {
            context.close(promise: nil)
        }
    }

    /// Answers with an error and ends the conversation. The write side is shut first and the
    /// socket closed a little later: closing at once would discard a request the client has
    /// already sent, and its read would then fail with ECONNRESET before it sees the error.
    private func refuse(_ context: ChannelHandlerContext, code: Int, message: String) {
        refused = true
        // A refused connection lingers for the client to read why; it must not hold a slot
        // meanwhile, or refused read-only callers would crowd out the admins' reserve.
        releaseSlot()
        let response = RPCResponse(id: .null, error: RPCError(code: code, message: message))
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(Self.line(response, channel.allocator))).whenComplete { _ in
            channel.close(mode: .output, promise: nil)
            channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
        }
    }

    static func line(_ response: RPCResponse, _ allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 128)
        buffer.writeString(JSONValueEncoding.text(response) + "\n")
        return buffer
    }

    /// SO_PEERCRED of a Unix socket channel.
    static func peerCredentials(of channel: Channel) -> EventLoopFuture<PeerCredentials> {
        guard let provider = channel as? SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(ChannelError.operationUnsupported)
        }
        let future: EventLoopFuture<LinuxPeerCredentials> = provider.unsafeGetSocketOption(level: .init(SOL_SOCKET), name: .init(SO_PEERCRED))
        return future.map { PeerCredentials(pid: $0.pid, uid: $0.uid, gid: $0.gid) }
    }
}

enum JSONValueEncoding {
    static func text<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}

/// `struct ucred` of <sys/socket.h>, which Glibc's Swift module hides behind _GNU_SOURCE.
struct LinuxPeerCredentials {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}
