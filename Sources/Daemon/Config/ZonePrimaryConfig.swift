import DNSProto
import NIOCore
import Resolver

/// The zone plugin's primary-side keys (docs/replication.md):
/// - `transfer: {from: [PREFIX...], keys: [KEYNAME...]}`: who may AXFR/IXFR; absent, nobody;
/// - `notify: [ADDRESS...]` and `also_notify: [...]`: secondaries sent NOTIFY after each new
///   serial; an entry is `IP`, `IP:PORT`, `[IPv6]:PORT`, or `{address: ..., key: KEYNAME}`;
/// - `history: N`: diffs kept for IXFR (default 100; 0 answers every IXFR with the whole zone).
/// Key names must be defined in `tsig_keys:`.
struct ZonePrimaryConfig: Sendable {
    var transfer: TransferPolicy?
    var notify: [ZoneNotifier.Target] = []
    var history = 100

    static func parse(_ keys: [String: ConfigNode], keyring: TSIGKeyring) throws -> ZonePrimaryConfig {
        var config = ZonePrimaryConfig()
        if let transfer = keys["transfer"] {
            let fields = try transfer.mapping(allowed: ["from", "keys"])
            var prefixes: [IPPrefix] = []
            for entry in try fields["from"]?.list() ?? [] {
                let text = try entry.string()
                guard let prefix = IPPrefix(text) else { throw entry.error("'\(text)' is not an address or network (e.g. 192.0.2.0/24)") }
                prefixes.append(prefix)
            }
            var names: Set<DNSName> = []
            for entry in try fields["keys"]?.list() ?? [] { names.insert(try key(entry, keyring: keyring).name) }
            guard !prefixes.isEmpty || !names.isEmpty else { throw transfer.error("'transfer' needs 'from' (networks) or 'keys' (TSIG key names), or both") }
            config.transfer = TransferPolicy(from: prefixes, keys: names)
        }
        for field in ["notify", "also_notify"] {
            for entry in try keys[field]?.list() ?? [] { config.notify.append(try target(entry, keyring: keyring)) }
        }
        if let history = keys["history"] { config.history = try history.int(in: 0...100_000) }
        return config
    }

    /// Applies the settings that live in the editor (it outlives configurations).
    func configure(_ editor: ZoneEditor) {
        editor.historyLimit = history
        editor.notifier = notify.isEmpty ? nil : ZoneNotifier(targets: notify, counters: editor.transferCounters)
    }

    /// The `tsig_keys` entry a key name refers to.
    static func key(_ node: ConfigNode, keyring: TSIGKeyring) throws -> TSIGKey {
        let text = try node.string()
        guard let name = try? DNSName(text.hasSuffix(".") ? text : text + "."), let key = keyring[name] else {
            throw node.error("no TSIG key '\(text)' in tsig_keys")
        }
        return key
    }

    private static func target(_ node: ConfigNode, keyring: TSIGKeyring) throws -> ZoneNotifier.Target {
        var addressNode = node
        var key: TSIGKey?
        if case .mapping = node.node {
            let fields = try node.mapping(allowed: ["address", "key"])
            guard let address = fields["address"] else { throw node.error("a NOTIFY target needs an 'address'") }
            addressNode = address
            if let keyNode = fields["key"] { key = try Self.key(keyNode, keyring: keyring) }
        }
        return ZoneNotifier.Target(address: try address(addressNode, what: "a NOTIFY target address"), key: key)
    }

    /// A server address, `IP`, `IP:PORT` or `[IPv6]:PORT` (port 53 when none is given).
    static func address(_ node: ConfigNode, what: String) throws -> SocketAddress {
        let text = try node.string()
        // The upstream address parser knows IP, IP:PORT and [IPv6]:PORT already.
        do {
            return try UpstreamAddress.parse("udp://" + text).socketAddress()
        } catch {
            throw node.error("'\(text)' is not \(what) (IP or IP:PORT): \(error)")
        }
    }
}
