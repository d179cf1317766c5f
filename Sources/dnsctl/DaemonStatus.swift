import ControlProto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `dnsctl status`: is dnsd running? The exit status answers for scripts and init systems,
/// with the same codes as `unbound-control status`: 0 when dnsd answers on its control
/// socket, 3 when nothing listens there (no socket file, or a stale one that refuses
/// connections), 1 when it cannot tell (the socket is there but this user may not open it,
/// or dnsd accepted the connection and did not answer in time).
enum DaemonStatus {
    static let running: Int32 = 0
    static let unknown: Int32 = 1
    static let notRunning: Int32 = 3

    /// Prints one line about the daemon at `path` and returns the exit status.
    static func report(path: String, timeout: Int) -> Int32 {
        let client: ControlClient
        do {
            client = try ControlClient(path: path, timeout: .seconds(timeout))
        } catch ControlClientError.cannotConnect(_, let reason) {
            let absent = [ENOENT, ECONNREFUSED, ENOTDIR].map { String(cString: strerror($0)) }
            guard absent.contains(reason) else {
                printError("dnsctl: cannot tell whether dnsd is running: \(path): \(reason)")
                return unknown
            }
            print("dnsd is not running (control socket \(path): \(reason))")
            return notRunning
        } catch {
            printError("dnsctl: cannot tell whether dnsd is running: \(error)")
            return unknown
        }
        do {
            let version = try client.call("core.version")["version"]?.stringValue ?? "?"
            let uptime = try client.call("core.uptime")
            let seconds = uptime["seconds"]?.intValue ?? 0
            let since = uptime["started"]?.stringValue ?? "?"
            print("dnsd \(version) is running (up \(seconds) s, since \(since); control socket \(path))")
            return running
        } catch let error as RPCError {
            // It answered, if only to say no: it is running.
            print("dnsd is running (control socket \(path); it refused this caller: \(error.message))")
            return running
        } catch {
            printError("dnsctl: dnsd accepted the connection on \(path) but did not answer: \(error)")
            return unknown
        }
    }

    private static func printError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
