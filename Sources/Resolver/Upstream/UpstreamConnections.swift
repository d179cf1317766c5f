import DNSProto
import NIOConcurrencyHelpers
import NIOCore

/// One reusable connection per event loop to one upstream (TCP, DoT, DoH): opened by the first
/// query that needs it, shared by the queries after it, forgotten when its connect fails or the
/// server closes it (the next query opens a new one), and closed after `idleTimeout` with no
/// query outstanding. Each query also gets its own timeout.
///
/// `Connection` is what the transport needs to send on (a channel, or a channel and its HTTP/2
/// multiplexer); `channel` extracts the socket to watch and close.
final class UpstreamConnections<Connection>: Sendable {
    private let idleTimeout: TimeAmount
    private let channel: @Sendable (Connection) -> Channel
    private let slots = NIOLockedValueBox<[ObjectIdentifier: Slot]>([:])

    init(idleTimeout: TimeAmount, channel: @escaping @Sendable (Connection) -> Channel) {
        self.idleTimeout = idleTimeout
        self.channel = channel
    }

    /// Runs `deliver` on `loop` with the loop's connection (opened with `connect` if there is
    /// none) and a promise that fails with `UpstreamError.timeout` after `timeout`.
    func exchange(on loop: EventLoop, timeout: TimeAmount,
                  connect: @escaping @Sendable (EventLoop) -> EventLoopFuture<Connection>,
                  deliver: @escaping @Sendable (Connection, EventLoopPromise<Message>) -> Void) -> EventLoopFuture<Message> {
        let key = ObjectIdentifier(loop)
        let slot = slots.withLockedValue { map in
            if let existing = map[key] { return existing }
            let created = Slot(loop: loop, idleTimeout: idleTimeout, channel: channel)
            map[key] = created
            return created
        }
        if loop.inEventLoop { return slot.send(timeout: timeout, connect: connect, deliver: deliver) }
        return loop.flatSubmit { slot.send(timeout: timeout, connect: connect, deliver: deliver) }
    }

    /// Drops the per-loop slots (each open connection still closes on its idle timer).
    func removeAll() {
        slots.withLockedValue { $0 = [:] }
    }

    /// One loop's connection; all state is confined to that loop (`NIOLoopBoundBox` checks it).
    private final class Slot: Sendable {
        private struct State {
            var connection: EventLoopFuture<Connection>?
            var idleTimer: Scheduled<Void>?
            var outstanding = 0
        }

        private let loop: EventLoop
        private let idleTimeout: TimeAmount
        private let channel: @Sendable (Connection) -> Channel
        private let state: NIOLoopBoundBox<State>

        init(loop: EventLoop, idleTimeout: TimeAmount, channel: @escaping @Sendable (Connection) -> Channel) {
            self.loop = loop
            self.idleTimeout = idleTimeout
            self.channel = channel
            state = NIOLoopBoundBox.makeBoxSendingValue(State(), eventLoop: loop)
        }

        func send(timeout: TimeAmount, connect: @Sendable (EventLoop) -> EventLoopFuture<Connection>,
                  deliver: @escaping @Sendable (Connection, EventLoopPromise<Message>) -> Void) -> EventLoopFuture<Message> {
            loop.preconditionInEventLoop()
            state.value.idleTimer?.cancel()
            state.value.idleTimer = nil
            state.value.outstanding += 1
            let connection: EventLoopFuture<Connection>
            if let existing = state.value.connection {
                connection = existing
            } else {
                connection = connect(loop)
                state.value.connection = connection
                let channel = self.channel
                connection.whenComplete { [self] result in
                    switch result {
                    case .success(let opened):
                        channel(opened).closeFuture.whenComplete { _ in self.forget(connection) }
                    case .failure:
                        // A failed connect must not be reused by the next query.
                        self.forget(connection)
                    }
                }
            }
            let promise = loop.makePromise(of: Message.self)
            let timer = loop.scheduleTask(in: timeout) { promise.fail(UpstreamError.timeout) }
            connection.whenComplete { result in
                switch result {
                case .failure(let error): promise.fail(UpstreamError.connection("\(error)"))
                case .success(let opened): deliver(opened, promise)
                }
            }
            promise.futureResult.whenComplete { [self] _ in
                timer.cancel()
                self.finished()
            }
            return promise.futureResult
        }

        private func forget(_ connection: EventLoopFuture<Connection>) {
            if state.value.connection === connection { state.value.connection = nil }
        }

        private func finished() {
            state.value.outstanding -= 1
            guard state.value.outstanding == 0, let connection = state.value.connection else { return }
            let channel = self.channel
            state.value.idleTimer = loop.scheduleTask(in: idleTimeout) { [self] in
                if self.state.value.outstanding == 0, self.state.value.connection === connection {
                    self.state.value.connection = nil
                    connection.whenSuccess { channel($0).close(promise: nil) }
                }
            }
        }
    }
}
