/// An edit or journal operation that was refused or failed; the message says why and, for a
/// refused edit, names the record.
public struct ZoneEditError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
