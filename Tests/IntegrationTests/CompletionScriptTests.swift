import Foundation
import Testing

/// The bash, zsh and fish completions scripts/generate-man-completions makes, typed into real
/// interactive shells in tmux: `dnsctl zone.<TAB>` lists the zone methods, and after a method
/// <TAB> offers that method's parameters as `name=` (the scripts call back into dnsctl, which
/// answers from its method catalog; no daemon runs).
@Suite("Shell completions (bash, zsh, fish in tmux)")
struct CompletionScriptTests {
    /// The generated scripts, once for the suite.
    static let generated: Result<URL, any Error> = Result {
        let directory = try Fixtures.scratchDirectory("dnsd-completions")
        let binaries = URL(fileURLWithPath: try DnsdProcess.binary()).deletingLastPathComponent().path
        let made = try InstallScriptTests.script("generate-man-completions", [binaries, directory.path], timeout: 120)
        guard made.status == 0 else { throw IntegrationError("scripts/generate-man-completions failed\n\(made.transcript)") }
        return directory
    }

    /// An interactive `shell` with dnsctl on its PATH and its completions loaded.
    static func shell(_ name: String) throws -> ConsoleTmux {
        let directory = try generated.get()
        let binaries = URL(fileURLWithPath: try DnsdProcess.binary()).deletingLastPathComponent().path
        let environment = "env -i TERM=xterm LANG=C.UTF-8 HOME=\(directory.path) PATH=\(binaries):/usr/bin:/bin"
        let command: String
        let setup: String
        switch name {
        case "bash":
            command = "\(environment) PS1='$ ' /bin/bash --norc --noprofile -i"
            setup = "source \(directory.path)/bash/dnsctl"
        case "zsh":
            command = "\(environment) PS1='$ ' /usr/bin/zsh -f -i"
            setup = "fpath=(\(directory.path)/zsh $fpath); autoload -Uz compinit; compinit -u"
        default:
            command = "\(environment) /usr/bin/fish --no-config -i"
            setup = "source \(directory.path)/fish/dnsctl.fish"
        }
        let tmux = try ConsoleTmux(command: command, width: 160, height: 40)
        try tmux.send(setup, "Enter")
        try tmux.send("clear", "Enter")
        return tmux
    }

    @Test("method names, then the method's parameters", arguments: ["bash", "zsh", "fish"])
    func dnsctlCompletesMethodsAndParameters(shell: String) throws {
        let tmux = try Self.shell(shell)
        // bash lists the candidates on a second Tab; zsh and fish on the first.
        try tmux.send("dnsctl zone.", "Tab", "Tab")
        let methods = try tmux.wait { screen in ["zone.add", "zone.delete", "zone.reload"].allSatisfy { name in screen.contains { $0.contains(name) } } }
        #expect(methods.ok, "\(shell): \(ConsoleTmux.text(methods.screen))")
        try tmux.send("C-c")
        try tmux.send("clear", "Enter")

        // One candidate: the shell writes it into the line (bash quotes the = as \=).
        try tmux.send("dnsctl --timeout 5 stats.get ", "Tab")
        let single = try tmux.wait { screen in screen.contains { $0.contains("stats.get prefix=") || $0.contains("stats.get prefix\\=") } }
        #expect(single.ok, "\(shell): \(ConsoleTmux.text(single.screen))")
        try tmux.send("C-c")
        try tmux.send("clear", "Enter")

        // Several: cache.flush takes name, type and subtree.
        try tmux.send("dnsctl cache.flush ", "Tab", "Tab")
        let several = try tmux.wait { screen in ["name=", "type=", "subtree="].allSatisfy { name in screen.contains { $0.contains(name) } } }
        #expect(several.ok, "\(shell): \(ConsoleTmux.text(several.screen))")
    }
}
