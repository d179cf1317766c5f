import CDatagramBatch
import NIOConcurrencyHelpers

/// Random numbers from the kernel's generator (getrandom), read 4 KiB at a time into a pool
/// shared by every thread, each 64-bit word handed out once. `SystemRandomNumberGenerator`
/// makes one getrandom system call per number, and a recursive resolution draws a dozen
/// (query IDs, 0x20 patterns, server order): most of its system calls. The UDP relay keeps a
/// pool of its own per worker (`RelayRandom`).
struct PooledKernelRandom: RandomNumberGenerator {
    private struct Pool {
        var words = [UInt64](repeating: 0, count: 512)
        var next = 512
    }

    private static let pool = NIOLockedValueBox(Pool())

    mutating func next() -> UInt64 {
        Self.pool.withLockedValue { pool in
            if pool.next == pool.words.count {
                let filled = pool.words.withUnsafeMutableBytes { dnsd_random_fill($0.baseAddress, $0.count) } == 0
                if !filled {
                    // getrandom does not fail once the kernel is seeded; never hand out old words.
                    var system = SystemRandomNumberGenerator()
                    for index in pool.words.indices { pool.words[index] = system.next() }
                }
                pool.next = 0
            }
            defer { pool.next += 1 }
            return pool.words[pool.next]
        }
    }
}
