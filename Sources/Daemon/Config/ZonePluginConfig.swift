import DNSProto
import Foundation
import NIOConcurrencyHelpers
import Resolver

/// YAML for the `zone` plugin: `{file: PATH}` or `{inline: TEXT}`, optional `origin`, and for a
/// file zone `compact: BYTES` (journal size after which control-socket edits are written into
/// the zone file; default 65536, 0 = after every edit).
///
/// A file zone's journal (`PATH.journal`) is replayed on top of the file at load. The editor
/// of a file is shared by the configurations that name it: `config.reload` re-reads the file
/// and journal for the same editor (so an edit racing a reload lands in the zone that the new
/// pipeline serves), but swaps the re-read zone in only once the whole configuration is
/// accepted (a commit hook).
enum ZonePluginConfig {
    static let defaultCompactBytes = 65536

    /// Editors by "origin file", kept across reloads.
    private static let editors = NIOLockedValueBox<[String: ZoneEditor]>([:])

    static func build(_ node: ConfigNode, zones: [DNSName], context: PluginBuildContext) throws -> any Plugin {
        let keys = try node.mapping(allowed: ["file", "inline", "origin", "compact", "transfer", "notify", "also_notify", "history"])
        var origin = zones[0]
        if let originNode = keys["origin"] {
            let text = try originNode.string()
            do { origin = try DNSName(text.hasSuffix(".") ? text : text + ".") } catch {
                throw originNode.error("'\(text)' is not a domain name: \(error)")
            }
        }
        let compact = try keys["compact"]?.int(in: 0...(1 << 30)) ?? defaultCompactBytes
        let primary = try ZonePrimaryConfig.parse(keys, keyring: context.tsigKeys)
        let editor: ZoneEditor
        switch (keys["file"], keys["inline"]) {
        case (let file?, nil):
            let path = context.resolve(try file.string())
            context.writableFiles.add(ZoneEditor.journalPath(for: path), purpose: "the journal of zone \(origin) (control-socket edits)", at: file)
            editor = try Self.editor(path: path, origin: origin, compact: compact, primary: primary, context: context)
        case (nil, let inline?):
            if let compactNode = keys["compact"] { throw compactNode.error("'compact' applies to a zone file; an inline zone cannot be edited") }
            let line = inline.node.mark?.line ?? 0
            let zone = try ZoneLoader.parse(text: try inline.string(), file: "\(node.file) (zone \(origin) inline at line \(line))", origin: origin)
            editor = ZoneEditor(zone: zone)
            primary.configure(editor)
        default:
            throw node.error("the zone plugin needs exactly one of 'file' or 'inline'")
        }
        return ZonePlugin(editor: editor, transfer: primary.transfer, keyring: context.tsigKeys)
    }

    /// The editor for `path`: a fresh load the first time, a reload (file + journal re-read)
    /// when a later configuration names the same file.
    private static func editor(path: String, origin: DNSName, compact: Int, primary: ZonePrimaryConfig,
                               context: PluginBuildContext) throws -> ZoneEditor {
        let key = "\(origin) \(URL(fileURLWithPath: path).standardizedFileURL.path)"
        if let existing = editors.withLockedValue({ $0[key] }) {
            let prepared = try existing.prepareReload()
            context.commitHooks.add {
                // The new NOTIFY targets first: a serial the reload moves is announced to them.
                primary.configure(existing)
                try existing.commit(prepared)
                existing.compactAfterBytes = compact
            }
            return existing
        }
        let fresh = try ZoneEditor(file: path, origin: origin, compactAfterBytes: compact)
        primary.configure(fresh)
        return editors.withLockedValue { editors in
            if let raced = editors[key] { return raced }
            editors[key] = fresh
            return fresh
        }
    }
}
