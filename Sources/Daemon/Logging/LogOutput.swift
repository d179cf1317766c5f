import Atomics
import Foundation
import Logging
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

/// Where dnsd's log lines go: stderr, one line per event, in the configured format and from the
/// configured level on. Both change while dnsd runs (`config.reload`), so every logger of the
/// process reads them here rather than keeping its own copy. One per process, as stderr is.
///
/// Under journald (`JournalStream`) each line starts with its syslog priority in the sd-daemon(3)
/// form `<N>` and carries no timestamp of its own: journald takes the priority from the prefix
/// and stamps the line itself.
public final class LogOutput: Sendable {
    /// The process's stderr; what `LoggingSystem` is bootstrapped with in `dnsd`.
    public static let standardError = LogOutput(journal: JournalStream.isStandardError())

    /// stderr is the journal's stream.
    public let isJournal: Bool
    /// `Logger.Level.allCases` index and `LogFormat` of the settings in force: read on every log
    /// call (the level check happens before the message is even built), so no lock.
    private let levelIndex = ManagedAtomic<Int>(2)
    private let jsonFormat = ManagedAtomic<Bool>(false)
    /// `--log-level`: wins over `log.level`, on reloads too.
    private let commandLineLevel = NIOLockedValueBox<Logger.Level?>(nil)
    /// Whole lines never interleave.
    private let writeLock = NIOLock()

    init(journal: Bool) {
        isJournal = journal
    }

    /// The least severe level written now.
    public var level: Logger.Level { Logger.Level.allCases[levelIndex.load(ordering: .relaxed)] }
    public var format: LogFormat { jsonFormat.load(ordering: .relaxed) ? .json : .text }

    /// Puts `settings` in force; `--log-level`, when given, keeps deciding the level.
    public func apply(_ settings: LogSettings) {
        let level = commandLineLevel.withLockedValue { $0 } ?? settings.level
        levelIndex.store(Logger.Level.allCases.firstIndex(of: level) ?? 2, ordering: .relaxed)
        jsonFormat.store(settings.format == .json, ordering: .relaxed)
    }

    /// The level given on the command line, which configuration reloads leave alone.
    public func overrideLevel(_ level: Logger.Level?) {
        commandLineLevel.withLockedValue { $0 = level }
        if let level { levelIndex.store(Logger.Level.allCases.firstIndex(of: level) ?? 2, ordering: .relaxed) }
    }

    /// Whether `--log-level` fixed the level.
    public var levelIsOverridden: Bool { commandLineLevel.withLockedValue { $0 != nil } }

    /// Writes one event as one line.
    func write(_ record: LogRecord) {
        var line = isJournal ? "<\(record.syslogPriority)>" : ""
        switch format {
        case .text: line += record.text(withTime: !isJournal)
        case .json: line += record.json
        }
        line += "\n"
        writeLock.withLock {
            var bytes = Array(line.utf8)[...]
            while !bytes.isEmpty {
                let written = bytes.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }  // stderr is gone: nothing else can be told
                bytes = bytes.dropFirst(written)
            }
        }
    }
}
