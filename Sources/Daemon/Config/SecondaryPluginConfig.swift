import DNSProto
import Foundation
import NIOConcurrencyHelpers
import Resolver

/// YAML for the `secondary` plugin (docs/plugins/secondary.md):
/// `{primaries: [ADDRESS...], key: KEYNAME, file: PATH, origin: NAME}`; `primaries` and `file`
/// are required, `key` names a `tsig_keys` entry, `origin` defaults to the block's first zone.
///
/// The zone (its data and refresh thread) is kept across `config.reload` by origin: a reload
/// that changes the primaries, key or file applies them to the running zone once the whole
/// configuration is accepted, and a refresh follows.
enum SecondaryPluginConfig {
    private static let zones = NIOLockedValueBox<[DNSName: SecondaryZone]>([:])

    static func build(_ node: ConfigNode, zones blockZones: [DNSName], context: PluginBuildContext) throws -> any Plugin {
        let keys = try node.mapping(allowed: ["primaries", "key", "file", "origin"])
        var origin = blockZones[0]
        if let originNode = keys["origin"] {
            let text = try originNode.string()
            do { origin = try DNSName(text.hasSuffix(".") ? text : text + ".") } catch {
                throw originNode.error("'\(text)' is not a domain name: \(error)")
            }
        }
        guard let primariesNode = keys["primaries"] else { throw node.error("the secondary plugin needs 'primaries' (addresses to transfer the zone from)") }
        let primaries = try primariesNode.list().map { try ZonePrimaryConfig.address($0, what: "a primary's address") }
        guard !primaries.isEmpty else { throw primariesNode.error("'primaries' needs at least one address") }
        let key = try keys["key"].map { try ZonePrimaryConfig.key($0, keyring: context.tsigKeys) }
        guard let fileNode = keys["file"] else { throw node.error("the secondary plugin needs 'file' (where the zone is kept across restarts)") }
        let file = context.resolve(try fileNode.string())
        context.writableFiles.add(file, purpose: "the copy of secondary zone \(origin)", at: fileNode)
        let settings = SecondaryZone.Settings(primaries: primaries, key: key, file: file)
        let zone = Self.zones.withLockedValue { zones in
            if let existing = zones[origin] { return existing }
            let fresh = SecondaryZone(origin: origin, settings: settings)
            zones[origin] = fresh
            return fresh
        }
        context.commitHooks.add {
            if zone.settings != settings {
                zone.settings = settings
                zone.refreshNow()
            }
            zone.start()
        }
        return SecondaryPlugin(zone: zone)
    }
}
