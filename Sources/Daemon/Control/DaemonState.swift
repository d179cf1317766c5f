import Foundation

/// Facts about the running daemon that control methods report.
struct DaemonState: Sendable {
    let started: Date
    let configSource: String
}
