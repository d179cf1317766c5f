import ControlProto
import DNSProto
import Resolver

/// Finds the zone a zone.* call names, among the zone plugins of the running configuration.
enum ZoneTarget {
    /// Every editor in force, one per zone (plugins of several server blocks may share one).
    static func editors(_ context: ControlContext) -> [ZoneEditor] {
        var seen: Set<ObjectIdentifier> = []
        return context.runtime.plugins(of: ZonePlugin.self).map(\.plugin.editor).filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    /// The editor of the zone whose origin is `text` (a trailing dot is optional).
    static func editor(named text: String, _ context: ControlContext) throws -> ZoneEditor {
        let origin = try name(text, parameter: "zone")
        let all = editors(context)
        guard let editor = all.first(where: { $0.origin == origin }) else {
            let known = all.map { "\($0.origin)" }.joined(separator: ", ")
            throw RPCError(code: RPCError.operationFailed, message: "no zone \(origin) is served (zones: \(known.isEmpty ? "none" : known))")
        }
        return editor
    }

    /// The secondary zones served (`secondary` plugin), one each.
    static func secondaries(_ context: ControlContext) -> [SecondaryZone] {
        var seen: Set<ObjectIdentifier> = []
        return context.runtime.plugins(of: SecondaryPlugin.self).map(\.plugin.zone).filter { seen.insert(ObjectIdentifier($0)).inserted }
    }

    /// The secondary zone whose origin is `text`.
    static func secondary(named text: String, _ context: ControlContext) throws -> SecondaryZone {
        let origin = try name(text, parameter: "zone")
        guard let zone = secondaries(context).first(where: { $0.origin == origin }) else {
            throw RPCError(code: RPCError.operationFailed, message: "\(origin) is not a secondary zone here")
        }
        return zone
    }

    /// The editor of the deepest zone holding `name`.
    static func editor(containing name: DNSName, _ context: ControlContext) throws -> ZoneEditor {
        guard let editor = editors(context).filter({ name.isSubdomain(of: $0.origin) }).max(by: { $0.origin.labelCount < $1.origin.labelCount }) else {
            throw RPCError(code: RPCError.operationFailed, message: "no zone served here holds \(name)")
        }
        return editor
    }

    static func name(_ text: String, parameter: String) throws -> DNSName {
        do { return try DNSName(text.hasSuffix(".") ? text : text + ".") } catch {
            throw RPCError.badParams("parameter '\(parameter)': '\(text)' is not a domain name: \(error)")
        }
    }

    /// An edit's outcome as the reply shows it.
    /// Cached answers for names in a zone that just changed are dropped, so no cache in any
    /// server block keeps serving what the zone no longer says.
    static func invalidateCaches(below origin: DNSName, _ runtime: DaemonRuntime) {
        for (_, cache) in runtime.plugins(of: CachePlugin.self) { _ = cache.store.flush(subtree: origin) }
    }

    static func result(_ editor: ZoneEditor, _ outcome: ZoneEditor.Outcome) -> JSONValue {
        var object: [String: JSONValue] = [
            "zone": .string("\(editor.origin)"), "serial": .int(Int(outcome.serial)),
            "added": .int(outcome.added), "deleted": .int(outcome.deleted), "changed": .bool(outcome.changed),
        ]
        if let error = outcome.compactionError { object["compaction_error"] = .string(error) }
        return .object(object)
    }
}
