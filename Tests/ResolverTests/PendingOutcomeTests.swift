import DNSProto
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing
@testable import Resolver

@Suite("Pending outcomes")
struct PendingOutcomeTests {
    static func answer(_ id: UInt16) -> PluginOutcome {
        .respond(Message(header: Header(id: id)), .server)
    }

    static func id(_ completion: PendingOutcome.Completion?) -> UInt16? {
        guard case .success(.respond(let message, _))? = completion else { return nil }
        return message.header.id
    }

    @Test func theFirstCompletionCountsAndEveryCallbackSeesIt() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let pending = PendingOutcome(on: loop)
        let seen = NIOLockedValueBox<[UInt16?]>([])
        try loop.submit {
            pending.whenComplete { completion in seen.withLockedValue { $0.append(Self.id(completion)) } }
            pending.whenComplete { completion in seen.withLockedValue { $0.append(Self.id(completion)) } }
        }.wait()
        pending.succeed(Self.answer(1))
        pending.succeed(Self.answer(2))
        pending.fail(UpstreamError.timeout)
        // Added after completion: runs at once, with the same first completion.
        let late = try loop.submit { () -> UInt16? in
            var id: UInt16?
            pending.whenComplete { id = Self.id($0) }
            return id
        }.wait()
        #expect(seen.withLockedValue { $0 } == [1, 1])
        #expect(late == 1)
    }

    @Test func completionFromAnotherThreadRunsCallbacksOnTheLoop() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        defer { try? group.syncShutdownGracefully() }
        let loop = group.next()
        let other = group.next()
        let pending = PendingOutcome(on: loop)
        let onLoop = loop.makePromise(of: Bool.self)
        try loop.submit { pending.whenComplete { _ in onLoop.succeed(loop.inEventLoop) } }.wait()
        try other.submit { pending.succeed(Self.answer(3)) }.wait()
        #expect(try onLoop.futureResult.wait())
        #expect(try Self.id(.success(pending.futureResult.wait())) == 3)
    }

    @Test func aFailureReachesTheFuture() throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let pending = PendingOutcome(on: group.next())
        let future = pending.futureResult
        pending.fail(UpstreamError.timeout)
        #expect(throws: UpstreamError.self) { try future.wait() }
    }
}
