import Atomics
import DNSProto

/// The hosts plugin's lookup tables, built once from parsed entries and then read-only, so
/// queries read them without a lock; a reload builds a new table and swaps the reference.
public final class HostsTable: AtomicReference, Sendable {
    /// The addresses of one name, in file order, without duplicates.
    public struct Addresses: Sendable, Hashable {
        public var v4: [IPv4Address] = []
        public var v6: [IPv6Address] = []
    }

    /// Name -> addresses (DNSName compares case-insensitively).
    public let forward: [DNSName: Addresses]
    /// Reverse name (`1.2.0.192.in-addr.arpa.`, nibbles under `ip6.arpa.`) -> names, in file order.
    public let reverse: [DNSName: [DNSName]]

    public init(entries: [HostsEntry]) {
        var forward: [DNSName: Addresses] = [:]
        var reverse: [DNSName: [DNSName]] = [:]
        for entry in entries {
            for name in entry.names {
                switch entry.address {
                case .v4(let address):
                    if !(forward[name]?.v4.contains(address) ?? false) { forward[name, default: Addresses()].v4.append(address) }
                case .v6(let address):
                    if !(forward[name]?.v6.contains(address) ?? false) { forward[name, default: Addresses()].v6.append(address) }
                }
            }
            let pointer = Self.reverseName(entry.address)
            for name in entry.names where !(reverse[pointer]?.contains(name) ?? false) {
                reverse[pointer, default: []].append(name)
            }
        }
        self.forward = forward
        self.reverse = reverse
    }

    public static let empty = HostsTable(entries: [])

    /// The PTR owner name of an address (RFC 1035 §3.5, RFC 3596 §2.5).
    public static func reverseName(_ address: HostsEntry.Address) -> DNSName {
        var labels: [[UInt8]] = []
        switch address {
        case .v4(let v4):
            labels = v4.bytes.reversed().map { Array(String($0).utf8) } + [Array("in-addr".utf8), Array("arpa".utf8)]
        case .v6(let v6):
            let hex = Array("0123456789abcdef".utf8)
            for byte in v6.bytes.reversed() {
                labels.append([hex[Int(byte & 0x0F)]])
                labels.append([hex[Int(byte >> 4)]])
            }
            labels += [Array("ip6".utf8), Array("arpa".utf8)]
        }
        // At most 34 short labels: always a valid name.
        return (try? DNSName(labels: labels)) ?? .root
    }

    public var isEmpty: Bool { forward.isEmpty }
}
