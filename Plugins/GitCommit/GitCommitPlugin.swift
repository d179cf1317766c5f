import Foundation
import PackagePlugin

/// Writes `GitCommit.swift` (the commit the package is built from) into the target it is
/// applied to, so `--version`, `core.version` and `dnsd_build_info` name the exact source.
///
/// A prebuild command, because it must run on every build: a new commit changes nothing
/// SwiftPM could see as an input. The script rewrites the file only when the commit changed,
/// so an unchanged commit recompiles nothing. Without git it falls back to `.git-commit`
/// (filled in by `git archive`, see .gitattributes), then to `unknown`.
@main
struct GitCommitPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let package = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("generated")
        return [
            .prebuildCommand(
                displayName: "Recording the git commit for \(target.name)",
                executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [package.appendingPathComponent("scripts/git-commit-source").path, package.path, output.path],
                outputFilesDirectory: output
            ),
        ]
    }
}
