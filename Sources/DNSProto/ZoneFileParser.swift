/// Reads master (zone) files: RFC 1035 §5, with `$TTL` (RFC 2308 §4) and the generic
/// `\# LENGTH HEX` RDATA of RFC 3597 §5.
///
/// DNSProto does no I/O, so `$INCLUDE` files are fetched through a closure. Every error is a
/// `PresentationError` pointing at the offending field.
public struct ZoneFileParser {
    /// How deeply `$INCLUDE` may nest; deeper is almost certainly a mistake (or a loop through
    /// differently spelled paths).
    public static let maxIncludeDepth = 16

    /// The zone's apex: owners must be at or below it.
    private let zoneOrigin: DNSName
    /// The value of the last `$TTL`, or the caller's default (RFC 2308 §4).
    private var ttlDirective: UInt32?
    /// The last TTL written on a record, used when there is no `$TTL` (RFC 1035 §5.1).
    private var lastExplicitTTL: UInt32?
    /// The class of the first record; a zone holds one class.
    private var zoneClass: RecordClass?
    /// Normalized paths of the files being read, outermost first, to detect `$INCLUDE` loops.
    private var includeStack: [String] = []
    private var zone: ZoneFile

    /// What changes per file: `$ORIGIN` and the previous owner revert when an `$INCLUDE`d
    /// file ends (RFC 1035 §5.1; BIND does the same for the owner).
    private struct FileState {
        var file: String
        var origin: DNSName
        var previousOwner: DNSName?
        var depth: Int
    }

    private init(origin: DNSName, defaultTTL: UInt32?) {
        zoneOrigin = origin
        ttlDirective = defaultTTL
        zone = ZoneFile(origin: origin)
    }

    /// Parses the zone file `text`.
    ///
    /// - Parameters:
    ///   - file: the name used in error locations; relative `$INCLUDE` paths are resolved
    ///     against its directory.
    ///   - origin: the zone apex: the initial `$ORIGIN`, and every owner must be at or below it.
    ///   - defaultTTL: the TTL for records without one until a `$TTL` line says otherwise.
    ///   - include: returns the text of an `$INCLUDE`d file given its resolved path, and throws
    ///     when it cannot be read; nil refuses `$INCLUDE` (for text from the control socket).
    public static func parse(
        text: String,
        file: String,
        origin: DNSName,
        defaultTTL: UInt32? = nil,
        include: ((String) throws -> String)? = nil
    ) throws -> ZoneFile {
        var parser = ZoneFileParser(origin: origin, defaultTTL: defaultTTL)
        parser.includeStack = [normalize(file)]
        var state = FileState(file: file, origin: origin, previousOwner: nil, depth: 0)
        try parser.read(text: text, state: &state, include: include)
        return parser.zone
    }

    private mutating func read(text: String, state: inout FileState, include: ((String) throws -> String)?) throws {
        var lines = PresentationLexer.Lines(text: text, file: state.file)
        while let line = try lines.next() {
            guard let first = line.tokens.first else { continue }
            // A directive may be indented: a blank-led line's first field is otherwise a TTL,
            // class or type, none of which start with `$`.
            if !first.quoted, first.text.hasPrefix("$") {
                try directive(line, keyword: first, state: &state, include: include)
            } else {
                try record(line, state: &state)
            }
        }
    }

    // MARK: - Directives

    private mutating func directive(
        _ line: PresentationLexer.Line,
        keyword: PresentationToken,
        state: inout FileState,
        include: ((String) throws -> String)?
    ) throws {
        switch keyword.text.uppercased() {
        case "$ORIGIN":
            // RFC 1035 §5.1: a relative $ORIGIN is relative to the current one.
            let nameToken = try Self.argument(line, 1, expected: "a domain name after $ORIGIN")
            try Self.noMoreFields(line, from: 2, after: "$ORIGIN")
            state.origin = try Self.name(nameToken, origin: state.origin, role: "origin")
        case "$TTL":
            let ttlToken = try Self.argument(line, 1, expected: "a TTL after $TTL")
            try Self.noMoreFields(line, from: 2, after: "$TTL")
            guard !ttlToken.quoted, let ttl = TTLText.parse(ttlToken.text) else {
                throw Self.badTTL(ttlToken)
            }
            ttlDirective = ttl
        case "$INCLUDE":
            let fileToken = try Self.argument(line, 1, expected: "a file name after $INCLUDE")
            var origin = state.origin
            if let originToken = Self.field(line, 2) {
                origin = try Self.name(originToken, origin: state.origin, role: "$INCLUDE origin")
            }
            try Self.noMoreFields(line, from: 3, after: "$INCLUDE")
            try includeFile(fileToken, keyword: keyword, origin: origin, state: state, include: include)
        default:
            throw PresentationError("unknown directive \(keyword.text)", at: keyword.location)
        }
    }

    private mutating func includeFile(
        _ fileToken: PresentationToken,
        keyword: PresentationToken,
        origin: DNSName,
        state: FileState,
        include: ((String) throws -> String)?
    ) throws {
        guard let include else {
            throw PresentationError("$INCLUDE is not allowed here", at: keyword.location)
        }
        guard state.depth < Self.maxIncludeDepth else {
            throw PresentationError("$INCLUDE depth over \(Self.maxIncludeDepth)", at: keyword.location)
        }
        let requested: String
        do { requested = String(decoding: try PresentationEscapes.decode(fileToken.text), as: UTF8.self) } catch {
            throw PresentationError("bad $INCLUDE file name '\(fileToken.text)': \(error)", at: fileToken.location)
        }
        let path = Self.resolve(requested, relativeTo: state.file)
        let key = Self.normalize(path)
        guard !includeStack.contains(key) else {
            throw PresentationError("$INCLUDE loop: '\(path)' is already being read", at: fileToken.location)
        }
        let text: String
        do { text = try include(path) } catch {
            throw PresentationError("cannot read $INCLUDE file '\(path)': \(error)", at: fileToken.location)
        }
        includeStack.append(key)
        defer { includeStack.removeLast() }
        // The included file gets its own origin; the caller's `state` is a copy, so the
        // including file's origin and owner are untouched afterwards.
        var inner = FileState(file: path, origin: origin, previousOwner: state.previousOwner, depth: state.depth + 1)
        try read(text: text, state: &inner, include: include)
    }

    // MARK: - Records

    /// `[owner] [TTL] [class] type RDATA`, TTL and class in either order (RFC 1035 §5.1).
    private mutating func record(_ line: PresentationLexer.Line, state: inout FileState) throws {
        let tokens = line.tokens
        guard let first = tokens.first else { return }
        var index = 0
        let owner: DNSName
        if line.startsWithBlank {
            guard let previous = state.previousOwner else {
                throw PresentationError("no owner name: the line starts with a blank but no record comes before it", at: first.location)
            }
            owner = previous
        } else {
            owner = try Self.name(first, origin: state.origin, role: "owner name")
            guard owner.isSubdomain(of: zoneOrigin) else {
                throw PresentationError("owner '\(owner)' is outside zone '\(zoneOrigin)'", at: first.location)
            }
            index = 1
        }

        var ttl: UInt32? = nil
        var recordClass: RecordClass? = nil
        while ttl == nil || recordClass == nil, let token = Self.field(line, index), !token.quoted {
            if recordClass == nil, let value = RecordClass(mnemonic: token.text) {
                try checkClass(value, token)
                recordClass = value
            } else if ttl == nil, token.text.utf8.first.map(PresentationEscapes.isDigit) == true {
                // No type or class starts with a digit, so this was meant as a TTL.
                guard let value = TTLText.parse(token.text) else { throw Self.badTTL(token) }
                ttl = value
            } else {
                break
            }
            index += 1
        }
        let resolvedClass = recordClass ?? zoneClass ?? .in
        zoneClass = resolvedClass

        guard let typeToken = Self.field(line, index) else {
            throw PresentationError("expected a record type", at: line.end)
        }
        guard !typeToken.quoted, let type = RecordType(mnemonic: typeToken.text) else {
            throw PresentationError("unknown type '\(typeToken.text)'", at: typeToken.location)
        }
        guard !type.isMetaType else {
            throw PresentationError("type \(type) is a query-only type and cannot be zone data", at: typeToken.location)
        }
        index += 1

        let resolvedTTL: UInt32
        if let ttl {
            resolvedTTL = ttl
            lastExplicitTTL = ttl
        } else if let ttl = ttlDirective ?? lastExplicitTTL {
            resolvedTTL = ttl
        } else {
            throw PresentationError("no TTL for record and no $TTL", at: first.location)
        }

        let fields = index < tokens.count ? Array(tokens[index...]) : []
        var reader = RDataTextReader(tokens: fields, origin: state.origin, endLocation: line.end)
        let rdata: RData
        do {
            rdata = try RData(type: type, recordClass: resolvedClass, text: &reader)
        } catch let error as PresentationError {
            throw error
        } catch {
            // Typed RDATA parsers should throw PresentationError; anything else still gets a place.
            throw PresentationError("bad \(type) data: \(error)", at: fields.first?.location ?? line.end)
        }

        zone.records.append(ResourceRecord(name: owner, type: type, recordClass: resolvedClass, ttl: resolvedTTL, rdata: rdata))
        zone.locations.append(first.location)
        state.previousOwner = owner
    }

    /// A zone has one class (the first record's); ANY and NONE only make sense in queries and
    /// UPDATE (RFC 2136 §2.4).
    private func checkClass(_ recordClass: RecordClass, _ token: PresentationToken) throws {
        if recordClass == .any || recordClass == .none {
            throw PresentationError("class \(recordClass) is for queries and updates, not zone data", at: token.location)
        }
        if let zoneClass, zoneClass != recordClass {
            throw PresentationError("class \(recordClass) differs from the zone's class \(zoneClass)", at: token.location)
        }
    }

    // MARK: - Helpers

    private static func field(_ line: PresentationLexer.Line, _ index: Int) -> PresentationToken? {
        index < line.tokens.count ? line.tokens[index] : nil
    }

    private static func argument(_ line: PresentationLexer.Line, _ index: Int, expected: String) throws -> PresentationToken {
        guard let token = field(line, index) else { throw PresentationError("expected \(expected)", at: line.end) }
        return token
    }

    private static func noMoreFields(_ line: PresentationLexer.Line, from index: Int, after directive: String) throws {
        if let extra = field(line, index) {
            throw PresentationError("unexpected '\(extra.text)' after \(directive)", at: extra.location)
        }
    }

    private static func name(_ token: PresentationToken, origin: DNSName, role: String) throws -> DNSName {
        do { return try DNSName(token.text, origin: origin) } catch {
            throw PresentationError("bad \(role) '\(token.text)': \(error)", at: token.location)
        }
    }

    private static func badTTL(_ token: PresentationToken) -> PresentationError {
        PresentationError("expected a TTL (seconds up to 2147483647, or units like 1h30m), found '\(token.text)'", at: token.location)
    }

    /// `path` relative to the directory of `includingFile`, unless it is absolute.
    static func resolve(_ path: String, relativeTo includingFile: String) -> String {
        guard !path.hasPrefix("/"), let slash = includingFile.lastIndex(of: "/") else { return path }
        return String(includingFile[...slash]) + path
    }

    /// Drops `.` and empty components and folds `dir/..`, so that one file spelled two ways
    /// is still caught as an include loop. (Symbolic links are not followed: no I/O here.)
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else if part == "..", absolute, parts.isEmpty {
                continue  // "/.." is "/"
            } else {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
    }
}
