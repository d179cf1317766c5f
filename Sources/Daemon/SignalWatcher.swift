import Dispatch
import Foundation

/// Runs a handler when a signal arrives (SIGHUP: reload), off the event loops.
final class SignalWatcher {
    private let source: DispatchSourceSignal

    init(signal number: Int32, handler: @escaping @Sendable () -> Void) {
        signal(number, SIG_IGN)  // the dispatch source sees it; the default action would kill us
        source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler(handler: handler)
        source.resume()
    }

    func cancel() { source.cancel() }
}
