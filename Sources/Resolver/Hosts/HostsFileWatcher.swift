#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Notices when a hosts file changes, by polling its identity every interval: device and
/// inode (an editor or `mv` that replaces the file gives a new inode), size, and the
/// modification and status-change times in nanoseconds. Polling rather than inotify because
/// it also catches a file replaced through a symlink or on a network file system, costs one
/// `stat` per interval, and needs no thread of its own (it runs on NIO's shared loop group).
final class HostsFileWatcher: Sendable {
    /// What `stat` says about the file; two equal signatures mean "unchanged".
    struct Signature: Equatable, Sendable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: Int64
        var changed: Int64
    }

    let path: String
    private let last: NIOLockedValueBox<Signature?>
    private let task = NIOLockedValueBox<RepeatedTask?>(nil)

    init(path: String) {
        self.path = path
        last = NIOLockedValueBox(Self.signature(of: path))
    }

    static func signature(of path: String) -> Signature? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        #if canImport(Darwin)
        let modified = Int64(info.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(info.st_mtimespec.tv_nsec)
        let changed = Int64(info.st_ctimespec.tv_sec) * 1_000_000_000 + Int64(info.st_ctimespec.tv_nsec)
        #else
        let modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        let changed = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
        #endif
        return Signature(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                         modified: modified, changed: changed)
    }

    /// True (once) when the file looks different from the last time this was asked. A file
    /// that has gone away is not a change: the old table stays until a new file appears.
    func hasChanged() -> Bool {
        guard let now = Self.signature(of: path) else { return false }
        return last.withLockedValue { last in
            guard last != now else { return false }
            last = now
            return true
        }
    }

    /// Calls `onChange` after each poll that finds the file changed.
    func start(every interval: TimeAmount, onChange: @escaping @Sendable () -> Void) {
        let loop = NIOSingletons.posixEventLoopGroup.next()
        let repeated = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [weak self] task in
            guard let self else { task.cancel(); return }
            if self.hasChanged() { onChange() }
        }
        task.withLockedValue { $0 = repeated }
    }

    func stop() {
        task.withLockedValue { $0?.cancel(); $0 = nil }
    }

    deinit { stop() }
}
