import ControlProto

/// Shell completion of dnsctl's words (bash, zsh and fish call back into `dnsctl` through
/// swift-argument-parser's custom completions): the method names, then the chosen method's
/// parameter names as `name=`. From this dnsctl's own catalog, so completing needs no
/// running daemon and never waits on one.
enum MethodCompletion {
    /// The first argument: `status`, `help` and every method.
    @Sendable static func methods(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        (["status", "help"] + MethodCatalog.all.map(\.name)).filter { $0.hasPrefix(prefix) }
    }

    /// The arguments after the method: its parameters not given yet, as `name=`; after `help`,
    /// the methods.
    @Sendable static func parameters(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        guard let method = methodWord(words, before: index) else { return methods(words, index, prefix) }
        if method == "help" { return MethodCatalog.all.map(\.name).filter { $0.hasPrefix(prefix) } }
        guard let descriptor = MethodCatalog.descriptor(named: method) else { return [] }
        let given = Set(words[..<min(index, words.count)].compactMap { $0.split(separator: "=", maxSplits: 1).first.map(String.init) })
        return descriptor.parameters.map(\.name).filter { !given.contains($0) }.map { $0 + "=" }.filter { $0.hasPrefix(prefix) }
    }

    /// The method: the first word after `dnsctl` that is neither an option nor an option's value.
    static func methodWord(_ words: [String], before index: Int) -> String? {
        var position = 1
        while position < min(index, words.count) {
            let word = words[position]
            if ["--socket", "-s", "--timeout"].contains(word) {
                position += 2
            } else if word.hasPrefix("-") {
                position += 1
            } else {
                return word
            }
        }
        return nil
    }
}
