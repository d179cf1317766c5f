import CDatagramBatch
import Foundation
import Testing

/// `dnsd_batch_send` on real loopback sockets: every datagram arrives intact and to its own
/// peer, and datagrams to one peer with one length leave as one segmented message. The
/// coalescing is seen by a receiver that asks for UDP GRO: the kernel then hands it the
/// segmented message whole, with its segment size, instead of cutting it up.
@Suite("Datagram batch send")
struct DatagramBatchSendTests {
    /// Datagram `tag`: `length` bytes, each `tag`, so a misplaced or cut datagram shows.
    static func payload(_ tag: UInt8, _ length: Int) -> [UInt8] { [UInt8](repeating: tag, count: length) }

    /// Sends `datagrams` (receiver, tag, length) in one batch; returns what `dnsd_batch_send` said.
    static func send(_ datagrams: [(GROSocket, UInt8, Int)]) throws -> Int32 {
        let sender = socket(AF_INET, LoopbackPort.datagramType, 0)
        defer { close(sender) }
        let batch = try #require(dnsd_batch_create(Int32(max(64, datagrams.count)), 4096))
        defer { dnsd_batch_destroy(batch) }
        for (index, (receiver, tag, length)) in datagrams.enumerated() {
            try BatchSlot.fill(batch, index, with: payload(tag, length), to: receiver.address)
        }
        return dnsd_batch_send(sender, batch, Int32(datagrams.count))
    }

    @Test("datagrams to one peer with one length arrive as one segmented message, the rest apart and intact")
    func coalescesByPeerAndLength() throws {
        let coalescing = try GROSocket()
        let plain = try GROSocket(gro: false)
        // Interleaved on purpose: grouping is by peer and length, not by position.
        let datagrams: [(GROSocket, UInt8, Int)] = [
            (coalescing, 1, 40), (plain, 20, 40), (coalescing, 2, 40), (coalescing, 10, 30),
            (coalescing, 3, 40), (plain, 21, 40), (coalescing, 11, 30), (coalescing, 4, 40),
        ]
        #expect(try Self.send(datagrams) == 8)

        let forties = try #require(coalescing.read())
        #expect(forties.segment == 40)
        #expect(forties.bytes == [1, 2, 3, 4].flatMap { Self.payload($0, 40) })
        let thirties = try #require(coalescing.read())
        #expect(thirties.segment == 30)
        #expect(thirties.bytes == [10, 11].flatMap { Self.payload($0, 30) })

        // A receiver without GRO gets the kernel's cut: separate datagrams, in order.
        #expect(plain.read()?.bytes == Self.payload(20, 40))
        #expect(plain.read()?.bytes == Self.payload(21, 40))
    }

    @Test("a lone datagram, and datagrams larger than 1232 bytes, leave one by one")
    func leavesLargeAndLoneDatagramsApart() throws {
        let receiver = try GROSocket()
        let datagrams: [(GROSocket, UInt8, Int)] = [(receiver, 1, 1300), (receiver, 2, 1300), (receiver, 3, 100)]
        #expect(try Self.send(datagrams) == 3)
        for (tag, length) in [(UInt8(1), 1300), (2, 1300), (3, 100)] {
            let read = try #require(receiver.read())
            #expect(read.segment == nil)
            #expect(read.bytes == Self.payload(tag, length))
        }
    }

    @Test("a peer's run longer than 64 datagrams is split at 64 segments")
    func splitsAtTheSegmentLimit() throws {
        let receiver = try GROSocket()
        let datagrams: [(GROSocket, UInt8, Int)] = (0..<70).map { (receiver, UInt8($0), 20) }
        #expect(try Self.send(datagrams) == 70)
        let first = try #require(receiver.read())
        #expect(first.segment == 20)
        #expect(first.bytes == (0..<64).flatMap { Self.payload(UInt8($0), 20) })
        let rest = try #require(receiver.read())
        #expect(rest.segment == 20)
        #expect(rest.bytes == (64..<70).flatMap { Self.payload(UInt8($0), 20) })
    }
}
