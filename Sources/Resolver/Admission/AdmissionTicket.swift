/// What admission learned of a query that it let through, carried with the query to its
/// answer: who asked, what their COOKIE option said, and whether the query holds one of the
/// client's waiting slots (`ClientLimits`).
public struct AdmissionTicket: Sendable {
    public var client: ClientAddress?
    var cookie = CookieState()
    /// Set while the query holds a waiting slot, so that exactly one `leave` follows.
    var waiting = false

    public init(client: ClientAddress?) { self.client = client }
}

/// A query's COOKIE option as admission judged it.
struct CookieState: Sendable {
    /// The client sent a cookie (so the answer carries one back).
    var present = false
    var clientCookie: UInt64 = 0
    /// The server cookie it sent was made here and is in its window.
    var valid = false
    /// The server cookie it sent, as two big-endian words (echoed while fresh).
    var server: (UInt64, UInt64) = (0, 0)
    /// A server cookie was sent but is not ours or has expired.
    var invalid = false
}
