#if canImport(Glibc)
import Glibc
#endif
import CDatagramBatch
import Foundation
import NIOConcurrencyHelpers

/// The host's own connected subnets: the `localnets` set of access rules, as BIND names it.
/// Read from the interfaces at start and again whenever an address is added or removed
/// (a netlink subscription; a slow poll where netlink is missing), so a DHCP renewal or a
/// new VLAN changes who may ask without a reload.
public final class LocalNetworks: Sendable {
    /// The process's view, shared by every configuration generation.
    public static let host = LocalNetworks()

    private let prefixes: NIOLockedValueBox<[IPPrefix]>
    private let watching = NIOLockedValueBox(false)

    init() {
        prefixes = NIOLockedValueBox(Self.read())
    }

    public var current: [IPPrefix] { prefixes.withLockedValue { $0 } }

    public func contains(_ client: ClientAddress) -> Bool {
        prefixes.withLockedValue { list in list.contains { $0.contains(client) } }
    }

    /// Re-reads the interfaces now.
    public func refresh() {
        let fresh = Self.read()
        prefixes.withLockedValue { $0 = fresh }
    }

    /// Starts the thread that refreshes on address changes (once per process).
    public func startWatching() {
        let first = watching.withLockedValue { started -> Bool in
            defer { started = true }
            return !started
        }
        guard first else { return }
        let thread = Thread { [self] in
            dnsd_name_thread("dnsd-localnets")
            let fd = dnsd_address_watch_socket(60_000)
            while true {
                if fd >= 0 {
                    _ = dnsd_address_watch_wait(fd)
                } else {
                    Thread.sleep(forTimeInterval: 30)
                }
                refresh()
            }
        }
        thread.start()
    }

    /// Every interface address with its netmask, as the network it belongs to.
    static func read() -> [IPPrefix] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(list) }
        var result: [IPPrefix] = []
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let address = entry.pointee.ifa_addr, let mask = entry.pointee.ifa_netmask,
                  let client = ClientAddress(address), let maskAddress = ClientAddress(mask) else { continue }
            let length = maskAddress.high.nonzeroBitCount + (client.family == 6 ? maskAddress.low.nonzeroBitCount : 0)
            let prefix = IPPrefix(family: client.family, high: client.high, low: client.low, length: length)
            if !result.contains(prefix) { result.append(prefix) }
        }
        return result
    }
}
