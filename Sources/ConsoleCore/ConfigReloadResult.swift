import ControlProto

/// What `c` (`config.reload`) reported, for its overlay: the new generation and the changed
/// keys, or the refusal with the file:line:column of the first problem.
public struct ConfigReloadResult: Sendable, Equatable {
    public var generation: Int?
    public var applied: [String] = []
    public var needsRestart: [String] = []
    public var notes: [String] = []
    /// The error message when dnsd refused the new configuration.
    public var failure: String?
    /// `file:line:column` and the reason, from the refusal's data (nil when it carries none).
    public var location: String?

    public init(generation: Int? = nil, applied: [String] = [], needsRestart: [String] = [], notes: [String] = [],
                failure: String? = nil, location: String? = nil) {
        self.generation = generation
        self.applied = applied
        self.needsRestart = needsRestart
        self.notes = notes
        self.failure = failure
        self.location = location
    }

    /// A successful `config.reload` result.
    public init(result json: JSONValue) {
        func strings(_ key: String) -> [String] { json[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        self.init(generation: json["generation"]?.intValue, applied: strings("applied"), needsRestart: strings("needs_restart"),
                  notes: strings("notes"))
    }

    /// A refused `config.reload`: the error's message and data (`file`, `line`, `column`, `reason`).
    public init(failure message: String, data: JSONValue?) {
        var location: String?
        if let file = data?["file"]?.stringValue, let line = data?["line"]?.intValue {
            let column = data?["column"]?.intValue.map { ":\($0)" } ?? ""
            location = "\(file):\(line)\(column)" + (data?["reason"]?.stringValue.map { ": \($0)" } ?? "")
        }
        self.init(failure: message, location: location)
    }

    /// The overlay's lines.
    public var lines: [(text: String, style: CellStyle)] {
        if let failure {
            var lines: [(String, CellStyle)] = []
            if let location { lines.append((location, .bad)) }
            lines.append((failure, .bad))
            lines.append(("the running configuration stays", .normal))
            return lines
        }
        func list(_ items: [String]) -> String { items.isEmpty ? "-" : items.joined(separator: ", ") }
        var lines: [(String, CellStyle)] = [
            ("generation \(generation.map(String.init) ?? "?")", .good),
            ("applied: \(list(applied))", .normal),
            ("needs restart: \(list(needsRestart))", needsRestart.isEmpty ? .normal : .warn),
        ]
        lines += notes.map { ($0, .dim) }
        return lines
    }
}
