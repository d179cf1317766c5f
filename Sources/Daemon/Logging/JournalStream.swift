import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whether stderr is systemd's journal. systemd sets `JOURNAL_STREAM` to the device and inode
/// numbers ("DEV:INO", decimal) of the stream it connects to a service's stdout and stderr
/// (systemd.exec(5)); a process whose stderr was redirected elsewhere inherits the variable
/// all the same, so it counts only while stderr's own numbers match.
enum JournalStream {
    static func isStandardError(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(STDERR_FILENO, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}
