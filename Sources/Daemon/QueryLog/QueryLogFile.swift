import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The query log's open file, owned by the writer thread: appends whole lines, rotates by size
/// and age (FILE -> FILE.1 -> ... -> FILE.keep, the oldest removed), and reopens the path on
/// request, after logrotate moved the file away.
struct QueryLogFile {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let path: String
    let maxSize: Int
    let maxAge: Int?
    let keep: Int
    private var descriptor: Int32 = -1
    private var size = 0
    private var openedAt = Date()

    init(settings: QueryLogSettings) {
        path = settings.file
        maxSize = settings.maxSize
        maxAge = settings.maxAge
        keep = settings.keep
    }

    var isOpen: Bool { descriptor >= 0 }

    /// Opens (or creates, mode 0640) the path for appending; an open file is closed first.
    mutating func open() throws {
        close()
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        var info = stat()
        size = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
        descriptor = fd
        openedAt = Date()
    }

    mutating func close() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        descriptor = -1
    }

    /// Whether a line of `bytes` after `pending` bytes not yet written would take the file
    /// past `max_size`, or the file is older than `max_age`; a file with nothing in it is never
    /// rotated, so one line larger than `max_size` is still written.
    func needsRotation(pending: Int, adding bytes: Int) -> Bool {
        guard size + pending > 0 else { return false }
        if size + pending + bytes > maxSize { return true }
        if let maxAge, Date().timeIntervalSince(openedAt) >= Double(maxAge) { return true }
        return false
    }

    /// Renames FILE.(keep-1) ... FILE.1 one up, FILE to FILE.1 (the one past `keep` is
    /// replaced), and opens a new FILE.
    mutating func rotate() throws {
        close()
        for index in stride(from: keep - 1, through: 1, by: -1) {
            _ = rename("\(path).\(index)", "\(path).\(index + 1)")
        }
        if rename(path, "\(path).1") != 0 && errno != ENOENT {
            let reason = String(cString: strerror(errno))
            try open()
            throw Failure(description: "cannot rotate \(path): \(reason)")
        }
        try open()
    }

    /// Writes all of `bytes` (whole lines).
    mutating func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure(description: "cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        size += bytes.count
    }
}
