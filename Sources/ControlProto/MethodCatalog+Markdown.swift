extension MethodCatalog {
    /// The method reference in Markdown (docs/control-methods.md is this text; a test keeps
    /// them equal, so the docs cannot drift from the catalog).
    public static func markdownReference() -> String {
        var lines = [
            "# Control methods",
            "",
            "Generated from the method catalog (`dnsctl help --markdown`); do not edit by hand.",
            "Read-only methods may be called by the read-only role; the others need an admin.",
            "",
        ]
        var area = ""
        for method in all {
            let prefix = String(method.name.prefix { $0 != "." })
            if prefix != area {
                area = prefix
                lines += ["## \(area)", ""]
            }
            lines += ["### `\(method.name)`", "", method.summary, ""]
            if method.parameters.isEmpty {
                lines.append("Parameters: none.")
            } else {
                lines += ["| parameter | type | required | meaning |", "|---|---|---|---|"]
                for parameter in method.parameters {
                    lines.append("| `\(parameter.name)` | \(parameter.type) | \(parameter.required ? "yes" : "no") | \(parameter.summary) |")
                }
            }
            lines += ["", "Role: \(method.readOnly ? "read-only" : "admin")", "", "```sh", method.example, "```", "",
                      "Result:", "", "```json", method.exampleResult, "```", ""]
        }
        return lines.joined(separator: "\n")
    }
}
