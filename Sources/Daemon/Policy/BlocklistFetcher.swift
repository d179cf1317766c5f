import AsyncHTTPClient
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Resolver

/// Keeps the blocklists that have a `url` fresh (docs/policy.md): each is downloaded every
/// `refresh`, kept on disk as its `file` (temp + fsync + rename, so a restart has it at once
/// and never a torn copy), parsed, and swapped into the running pipeline. A download that
/// fails (no answer, an HTTP status other than 200, a body over `maxBytes`) keeps the list in
/// force, says why in `policy.lists` and the log, and is tried again after `retry` or
/// `refresh`, whichever is sooner.
///
/// One task per list; `apply` is called with each configuration generation and restarts only
/// the tasks whose list is new or whose url, file or refresh changed.
final class BlocklistFetcher: Sendable {
    /// What `policy.lists` shows of a downloaded list.
    struct Status: Sendable {
        var lastSuccess: Date?
        var lastAttempt: Date?
        var lastError: String?
        var nextAttempt: Date?
    }

    /// The most a list may be; a bigger body is refused (the list in force stays).
    static let maxBytes = 256 << 20
    static let retry: Duration = .seconds(300)

    private struct Job: Sendable {
        let key: String
        let task: Task<Void, Never>
    }

    private let jobs = NIOLockedValueBox<[String: Job]>([:])
    private let statuses = NIOLockedValueBox<[String: Status]>([:])
    private let logger: Logger

    /// Swaps a list's new rules in (DaemonRuntime.replaceBlocklist).
    typealias Install = @Sendable (_ name: String, _ url: String, _ rules: BlocklistParser.Parsed) -> Void

    init(logger: Logger) {
        self.logger = logger
    }

    func status(of name: String) -> Status? { statuses.withLockedValue { $0[name] } }

    /// Starts, keeps or stops the download tasks for the `url` lists of `blocklists`; each
    /// download is handed to `install`.
    func apply(_ blocklists: Blocklists?, install: @escaping Install) {
        let wanted = Dictionary((blocklists?.lists ?? []).filter { $0.url != nil }.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        jobs.withLockedValue { jobs in
            for (name, job) in jobs where wanted[name].map(Self.key) != job.key {
                job.task.cancel()
                jobs[name] = nil
            }
            for (name, list) in wanted where jobs[name] == nil {
                jobs[name] = Job(key: Self.key(list), task: Task { [self] in await keepFresh(list, install: install) })
            }
        }
        statuses.withLockedValue { $0 = $0.filter { wanted[$0.key] != nil } }
    }

    func stop() { jobs.withLockedValue { jobs in for job in jobs.values { job.task.cancel() }; jobs = [:] } }

    private static func key(_ list: Blocklists.List) -> String { "\(list.url ?? "")\u{0}\(list.source)\u{0}\(list.refresh ?? .zero)" }

    private func keepFresh(_ list: Blocklists.List, install: Install) async {
        guard let url = list.url else { return }
        let refresh = list.refresh ?? .seconds(86400)
        // A copy younger than `refresh` (a restart, a reload) waits out the rest of it.
        var wait: Duration = .zero
        if let modified = (try? FileManager.default.attributesOfItem(atPath: list.source))?[.modificationDate] as? Date {
            let age = Date().timeIntervalSince(modified)
            let left = Double(refresh.components.seconds) - age
            if left > 0 { wait = .milliseconds(Int64(left * 1000)) }
        }
        while !Task.isCancelled {
            record(list.name) { $0.nextAttempt = Date().addingTimeInterval(Double(wait.components.seconds)) }
            do { try await Task.sleep(for: wait) } catch { return }
            let started = Date()
            do {
                let body = try await download(url)
                guard !Task.isCancelled else { return }
                try ZoneEditor.replaceFile(list.source, with: body)
                let rules = BlocklistParser.parse(body, allow: list.allow)
                install(list.name, url, rules)
                record(list.name) { $0.lastAttempt = started; $0.lastSuccess = Date(); $0.lastError = nil }
                logger.info("blocklist downloaded", metadata: [
                    "list": "\(list.name)", "url": "\(url)", "rules": "\(rules.blocked.count + rules.exceptions.count)",
                    "skipped": "\(rules.skipped)", "bytes": "\(body.count)"])
                wait = refresh
            } catch {
                let reason = "\(error)"
                record(list.name) { $0.lastAttempt = started; $0.lastError = reason }
                logger.warning("blocklist download failed; the list in force stays", metadata: [
                    "list": "\(list.name)", "url": "\(url)", "error": "\(reason)"])
                wait = min(refresh, Self.retry)
            }
        }
    }

    private func record(_ name: String, _ change: (inout Status) -> Void) {
        statuses.withLockedValue { statuses in
            var status = statuses[name] ?? Status()
            change(&status)
            statuses[name] = status
        }
    }

    private func download(_ url: String) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: "dnsd/\(DaemonVersion.string)")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        guard response.status == .ok else { throw DownloadError("HTTP \(response.status.code) \(response.status.reasonPhrase)") }
        let body = try await response.body.collect(upTo: Self.maxBytes)
        return Array(body.readableBytesView)
    }

    struct DownloadError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
