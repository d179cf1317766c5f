import Atomics
import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Watches certificate and key files and reports which certificates changed, debounced.
///
/// inotify watches the *directories*, never the files: certbot's `live/NAME/fullchain.pem` is
/// a symlink that is replaced, and a watch on the file would follow the link to an archive
/// inode that never changes again. The directories of the link targets are watched as well, so
/// a file rewritten in place is seen too. Events are gathered until none has come for
/// `quiet` (certbot swaps four links one by one), then reported at once.
///
/// A periodic poll compares each file's identity (device, inode, size, mtime, after following
/// links) as a safety net, and is the only mechanism where inotify is unavailable (no
/// inotify instances left, some network file systems).
final class CertificateWatcher: Sendable {
    private let files: [(name: String, paths: [String])]
    private let logger: Logger
    private let onChange: @Sendable (Set<String>) -> Void
    private let stopped = ManagedAtomic(false)

    /// No event for this long ends a burst.
    static let quiet: Double = 1.0
    /// A burst longer than this is reported anyway.
    static let longestBurst: Double = 5.0
    static let pollWithInotify: Double = 30
    static let pollWithoutInotify: Double = 5

    init(files: [(String, [String])], logger: Logger, onChange: @escaping @Sendable (Set<String>) -> Void) {
        self.files = files.map { (name: $0.0, paths: $0.1) }
        self.logger = logger
        self.onChange = onChange
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "dnsd-cert-watch"
        thread.start()
    }

    func stop() { stopped.store(true, ordering: .relaxed) }

    /// A file's identity after following links: a swap or a rewrite changes it.
    private struct Identity: Equatable {
        var device: UInt64 = 0, inode: UInt64 = 0, size: Int64 = 0, seconds: Int = 0, nanoseconds: Int = 0
        var exists = false
    }

    private static func identity(_ path: String) -> Identity {
        var info = stat()
        guard stat(path, &info) == 0 else { return Identity() }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                        seconds: info.st_mtim.tv_sec, nanoseconds: info.st_mtim.tv_nsec, exists: true)
    }

    private func run() {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        if fd < 0 {
            logger.warning("inotify is not available (\(String(cString: strerror(errno)))); polling certificate files every \(Int(Self.pollWithoutInotify)) s")
        }
        defer { if fd >= 0 { close(fd) } }
        /// Watch descriptor -> directory path.
        var watches: [Int32: String] = [:]
        var watchedDirectories = Set<String>()
        func watchDirectories() {
            guard fd >= 0 else { return }
            for path in files.flatMap(\.paths) {
                let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
                for directory in Set([(path as NSString).deletingLastPathComponent, (resolved as NSString).deletingLastPathComponent])
                where !watchedDirectories.contains(directory) {
                    let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB)
                    let wd = inotify_add_watch(fd, directory, mask)
                    if wd >= 0 {
                        watches[wd] = directory
                        watchedDirectories.insert(directory)
                    } else {
                        logger.warning("cannot watch \(directory): \(String(cString: strerror(errno))); relying on polling")
                    }
                }
            }
        }
        watchDirectories()
        var identities = files.map { $0.paths.map(Self.identity) }
        let pollInterval = fd >= 0 ? Self.pollWithInotify : Self.pollWithoutInotify
        var nextPoll = Date().addingTimeInterval(pollInterval)
        var burstStart: Date?
        var lastEvent = Date.distantPast
        var buffer = [UInt8](repeating: 0, count: 8192)

        while !stopped.load(ordering: .relaxed) {
            if fd >= 0 {
                var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if poll(&descriptor, 1, 200) > 0 {
                    var sawEvent = false
                    while true {
                        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                        if count <= 0 { break }
                        sawEvent = true
                    }
                    if sawEvent {
                        // Any event in a watched directory may concern us (a link target's
                        // directory holds files under other names); the identity comparison
                        // below decides which certificates really changed.
                        lastEvent = Date()
                        if burstStart == nil { burstStart = lastEvent }
                    }
                }
            } else {
                usleep(200_000)
            }
            let now = Date()
            let burstOver = burstStart.map { now.timeIntervalSince(lastEvent) >= Self.quiet || now.timeIntervalSince($0) >= Self.longestBurst } ?? false
            guard burstOver || now >= nextPoll else { continue }
            burstStart = nil
            nextPoll = now.addingTimeInterval(pollInterval)
            var changed = Set<String>()
            for (index, entry) in files.enumerated() {
                let current = entry.paths.map(Self.identity)
                if current != identities[index] {
                    identities[index] = current
                    changed.insert(entry.name)
                }
            }
            // A swapped link may point into a new directory.
            watchDirectories()
            if !changed.isEmpty {
                logger.info("certificate files changed", metadata: ["names": "\(changed.sorted().joined(separator: ","))"])
                onChange(changed)
            }
        }
    }
}
