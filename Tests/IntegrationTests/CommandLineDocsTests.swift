import ControlProto
import Foundation
import Testing

/// The command lines the docs show against the programs: every `--flag` written after `dnsd`,
/// `dnsctl` or `dnsconsole` in README.md and docs/ is one that program's `--help` lists, and
/// every method written after `dnsctl` is in the control catalog. Run on the real docs, and on
/// a planted stale flag and method, which it must catch.
@Suite("Docs drift: command lines")
struct CommandLineDocsTests {
    static let programs = ["dnsd", "dnsctl", "dnsconsole"]
    /// Flags swift-argument-parser gives every command without listing them in `--help`.
    static let builtIn: Set<String> = ["--help", "--generate-completion-script", "--experimental-dump-help"]

    /// One thing a doc shows on a command line: a flag of `program`, or (`isMethod`) a control
    /// method given to dnsctl.
    struct Mention: Hashable, CustomStringConvertible {
        var program: String
        var word: String
        var isMethod = false
        var description: String { isMethod ? "dnsctl \(word)" : "\(program) \(word)" }
    }

    /// The code in `markdown`: inline spans and the lines of fenced blocks.
    static func snippets(_ markdown: String) -> [String] {
        var found: [String] = []
        var inBlock = false
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                inBlock.toggle()
                continue
            }
            if inBlock {
                found.append(String(line))
                continue
            }
            let parts = line.split(separator: "`", omittingEmptySubsequences: false)
            for index in stride(from: 1, to: parts.count, by: 2) { found.append(String(parts[index])) }
        }
        return found
    }

    /// The flags and methods `markdown` shows after one of `programs`, up to the end of that
    /// command (a pipe, `&&`, `;` or the next program).
    static func mentions(in markdown: String) -> Set<Mention> {
        var mentions = Set<Mention>()
        for snippet in snippets(markdown) {
            let separated = snippet.replacingOccurrences(of: "&&", with: " ; ").replacingOccurrences(of: "|", with: " ; ")
                .replacingOccurrences(of: "\"", with: " ").replacingOccurrences(of: "'", with: " ")
            var program: String?
            var methodSeen = false
            for token in separated.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) {
                let base = token.split(separator: "/").last.map(String.init) ?? token
                if programs.contains(base) {
                    program = base
                    methodSeen = false
                    continue
                }
                if token == ";" || token.hasPrefix("#") {
                    program = nil
                    continue
                }
                guard let current = program else { continue }
                if token.hasPrefix("--"), token.count > 2 {
                    let flag = String(token.split(separator: "=").first!).trimmingCharacters(in: CharacterSet(charactersIn: ",.):"))
                    if flag.count > 2 { mentions.insert(Mention(program: current, word: flag)) }
                } else if current == "dnsctl", !methodSeen, !token.hasPrefix("-") {
                    methodSeen = true
                    let word = token.trimmingCharacters(in: CharacterSet(charactersIn: ",.):"))
                    if word.range(of: #"^[a-z]+\.[a-zA-Z]+$"#, options: .regularExpression) != nil {
                        mentions.insert(Mention(program: current, word: word, isMethod: true))
                    }
                }
            }
        }
        return mentions
    }

    /// The mentions in `markdown` that the programs' help (`help[program]`) or the catalog lack.
    static func problems(in markdown: String, help: [String: String]) -> [String] {
        mentions(in: markdown).sorted { $0.description < $1.description }.compactMap { mention in
            if mention.isMethod {
                return MethodCatalog.descriptor(named: mention.word) == nil ? "`\(mention)`: no such control method" : nil
            }
            if builtIn.contains(mention.word) { return nil }
            let text = help[mention.program] ?? ""
            let listed = text.range(of: #"(^|[\s,\[])\#(NSRegularExpression.escapedPattern(for: mention.word))([\s,=<\]]|$)"#,
                                    options: .regularExpression) != nil
            return listed ? nil : "`\(mention)`: not in `\(mention.program) --help`"
        }
    }

    static func helpTexts() throws -> [String: String] {
        let directory = URL(fileURLWithPath: try DnsdProcess.binary()).deletingLastPathComponent()
        var texts: [String: String] = [:]
        for program in programs {
            let result = try PeerTool.run(directory.appendingPathComponent(program).path, ["--help"], timeout: 30)
            texts[program] = result.stdout + result.stderr
        }
        return texts
    }

    static func allPages() throws -> String {
        let docs = DocsDriftTests.root.appendingPathComponent("docs")
        var pages = [try DocsDriftTests.read("README.md")]
        let enumerator = FileManager.default.enumerator(atPath: docs.path)
        while let name = enumerator?.nextObject() as? String {
            guard name.hasSuffix(".md"), name != "control-methods.md" else { continue }
            pages.append(try DocsDriftTests.read("docs/" + name))
        }
        return pages.joined(separator: "\n")
    }

    @Test func everyFlagAndMethodTheDocsShowExists() throws {
        let help = try Self.helpTexts()
        let pages = try Self.allPages()
        #expect(Self.mentions(in: pages).count > 20, "the scan finds the docs' command lines")
        let problems = Self.problems(in: pages, help: help)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test func aPlantedStaleFlagAndMethodAreCaught() throws {
        let help = try Self.helpTexts()
        let planted = """
            Run `dnsd --config dnsd.yaml --no-such-flag` or
            ```
            dnsctl --json cache.nosuchmethod example.
            dnsconsole --socket /run/dnsd/control.sock | less
            ```
            """
        let problems = Self.problems(in: planted, help: help)
        #expect(problems.count == 2, "\(problems)")
        #expect(problems.contains { $0.contains("dnsd --no-such-flag") })
        #expect(problems.contains { $0.contains("dnsctl cache.nosuchmethod") })
    }
}
