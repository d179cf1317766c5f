import ControlProto
import Resolver

/// `cookie.rotate [secret]`: a new DNS cookie secret (random, or 32 hex digits) makes server
/// cookies from now on; the previous one still verifies. A `cookies.secret_file` is rewritten
/// with both, durably, so that a restart keeps them.
struct CookieRotateMethod: ControlMethod {
    let name = "cookie.rotate"

    func call(_ params: ControlParams, context: ControlContext) async throws -> JSONValue {
        var secret: [UInt8]?
        if let text = try params.optionalString("secret") {
            guard let bytes = CookieSecretSource.parseHex(text) else {
                throw RPCError(code: RPCError.invalidParams, message: "secret: expected 32 hexadecimal digits (16 bytes), as `openssl rand -hex 16` prints")
            }
            secret = bytes
        }
        guard context.runtime.config.admission.cookies else {
            throw RPCError(code: RPCError.invalidParams, message: "cookies are off (cookies: {enabled: false})")
        }
        do {
            _ = try context.runtime.rotateCookieSecret(to: secret)
        } catch {
            throw RPCError(code: RPCError.internalError, message: "the new secret is in force but was not saved: \(error)")
        }
        if case .file = context.runtime.config.cookieSecret {
            return .object(["rotated": .bool(true), "persisted": .bool(true)])
        }
        return .object(["rotated": .bool(true), "persisted": .bool(false)])
    }
}
