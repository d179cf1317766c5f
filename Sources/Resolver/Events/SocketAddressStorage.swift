#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CDatagramBatch

/// A kernel socket address kept by value (a client to answer later, an upstream to compare
/// answers' sources against), and handed back to the C calls that take a `sockaddr`.
extension sockaddr_storage {
    /// A copy of the `length` bytes at `address`.
    public init(copying address: UnsafePointer<sockaddr>, length: socklen_t) {
        self.init()
        withUnsafeMutableBytes(of: &self) { raw in
            raw.copyMemory(from: UnsafeRawBufferPointer(start: address, count: min(Int(length), raw.count)))
        }
    }

    /// Runs `body` with this address as the `sockaddr` pointer C calls take.
    public func withSockaddrPointer<T>(_ body: (UnsafePointer<sockaddr>) throws -> T) rethrows -> T {
        try withUnsafePointer(to: self) { try $0.withMemoryRebound(to: sockaddr.self, capacity: 1, body) }
    }
}
