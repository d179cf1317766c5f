import NIOHTTP1

/// Why a DoH request gets no DNS answer, as the HTTP status and a one-line reason (sent as
/// text/plain, so `curl` shows the operator what was wrong).
enum DoHRequestError: Error, Sendable {
    /// 400: no `dns` parameter, bad base64url, an empty or unparsable message.
    case badRequest(String)
    /// 404: not the DoH path nor /resolve.
    case notFound(String)
    /// 405: a method other than GET/POST (GET only for /resolve).
    case methodNotAllowed(String, allow: String)
    /// 413: a DNS message over 65535 octets (RFC 8484 §6: it could not be a DNS message).
    case tooLarge(String)
    /// 415: POST whose Content-Type is not application/dns-message (RFC 8484 §4.1).
    case unsupportedMediaType(String)

    var status: HTTPResponseStatus {
        switch self {
        case .badRequest: .badRequest
        case .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .tooLarge: .payloadTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        }
    }

    var reason: String {
        switch self {
        case .badRequest(let text), .notFound(let text), .methodNotAllowed(let text, _), .tooLarge(let text),
             .unsupportedMediaType(let text):
            text
        }
    }
}
