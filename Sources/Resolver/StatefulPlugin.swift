/// A plugin whose state should survive `config.reload` (the cache's entries, for example).
/// The daemon calls `inheritState(from:)` on the new instance with the old one it replaces.
public protocol StatefulPlugin: Plugin {
    func inheritState(from previous: any Plugin)
}
