import ControlProto
import DNSProto
import Resolver

/// `dnssec.nta.add NAME [DURATION]`: a negative trust anchor (RFC 7646) for NAME, for DURATION
/// (seconds or `30m`/`6h`/`2d`, default one hour, at most a week). Answers and DNSSEC outcomes
/// already cached at or below NAME are dropped, so a cached SERVFAIL does not outlive the fix.
struct NTAAddMethod: ControlMethod {
    let name = "dnssec.nta.add"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        let validators = try context.validators()
        let name = try DNSNameText(try params.string("name")).name
        var lifetime = NegativeTrustAnchors.defaultLifetime
        if let text = try params.optionalString("duration") {
            guard let seconds = TTLText.parse(text), seconds > 0, Double(seconds) <= NegativeTrustAnchors.maxLifetime else {
                throw RPCError.badParams("duration '\(text)' must be 1s to 1w (seconds, or units like 30m, 6h, 2d)")
            }
            lifetime = Double(seconds)
        }
        var anchor: NegativeTrustAnchors.Anchor?
        for (_, recurse) in validators { anchor = recurse.validatorState.negativeTrustAnchors.add(name, lifetime: lifetime) }
        var fields = NTAJSON.fields(anchor!)
        fields["flushed"] = .int(NTAFlush.below(name, context: context))
        return .object(fields)
    }
}

/// Drops what was cached at and below an NTA's name, so adding or removing it applies at once.
enum NTAFlush {
    static func below(_ name: DNSName, context: ControlContext) -> Int {
        var flushed = 0
        for (_, cache) in (try? CacheTarget.caches(context)) ?? [] { flushed += cache.store.flush(subtree: name) }
        for (_, recurse) in context.runtime.plugins(of: RecursePlugin.self) {
            // The zones above `name` keep their outcome: the anchor decides for names under it.
            recurse.zoneSecurity.flush(name: name, subtree: true)
        }
        return flushed
    }
}
