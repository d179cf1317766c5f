/// Why an integration test could not even get to its assertions: a missing peer tool, a
/// process that would not start or stop, a server that never answered. Thrown, so the test
/// fails with the message; nothing here is ever skipped.
struct IntegrationError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
