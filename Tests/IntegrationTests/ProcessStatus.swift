import Foundation

/// What /proc says of a process: the numbers the boundedness tests hold dnsd to.
enum ProcessStatus {
    /// Resident memory in KiB (/proc/PID/status VmRSS).
    static func residentKiB(pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let value = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") else {
            throw IntegrationError("no VmRSS in /proc/\(pid)/status")
        }
        return value
    }

    /// Open file descriptors (entries of /proc/PID/fd).
    static func openFiles(pid: Int32) throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
    }

    /// Bytes the kernel holds unread in the receive queue of the IPv4 TCP socket bound to
    /// 127.0.0.1:`localPort` and connected to `remotePort` (the rx_queue column of
    /// /proc/net/tcp); nil when there is no such connection.
    static func unreadBytes(localPort: UInt16, remotePort: UInt16) throws -> Int? {
        func hex(_ port: UInt16) -> String {
            let digits = String(port, radix: 16, uppercase: true)
            return ":" + String(repeating: "0", count: 4 - digits.count) + digits
        }
        let local = hex(localPort), remote = hex(remotePort)
        for line in try ClientSocketWatchTests.procText("/proc/net/tcp").split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 4, fields[1].hasSuffix(local), fields[2].hasSuffix(remote) else { continue }
            let queues = fields[4].split(separator: ":")
            return queues.count == 2 ? Int(queues[1], radix: 16) : nil
        }
        return nil
    }
}
