import CDatagramBatch
import Foundation
import Testing

/// Fills one slot of a dnsd_batch for a send: its bytes and the IPv4 address it goes to.
enum BatchSlot {
    static func fill(_ batch: OpaquePointer, _ slot: Int, with bytes: [UInt8], to address: sockaddr_in) throws {
        let buffer = try #require(dnsd_batch_buffer(batch, Int32(slot)))
        for (offset, byte) in bytes.enumerated() { buffer[offset] = byte }
        dnsd_batch_set_length(batch, Int32(slot), Int32(bytes.count))
        var address = address
        withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                dnsd_batch_set_address(batch, Int32(slot), $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
    }
}
