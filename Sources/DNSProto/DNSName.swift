/// A domain name, stored in uncompressed wire form.
///
/// Equality and hashing ignore ASCII case (RFC 4343) but the original case is kept for
/// output, so a question is echoed exactly as it was asked. `<` is the canonical ordering of
/// RFC 4034 §6.1. Names are always absolute; relative text is completed with an origin.
public struct DNSName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public static let maxWireLength = 255
    public static let maxLabelLength = 63

    /// Length-prefixed labels ending with the zero-length root label.
    public let wire: [UInt8]

    /// The root name `.`.
    public static let root = DNSName(uncheckedWire: [0])

    /// Wraps wire bytes already known to be valid (from `WireReader` or another name).
    init(uncheckedWire: [UInt8]) { self.wire = uncheckedWire }

    /// Builds a name from raw labels (without length bytes), most specific first.
    public init<S: Sequence>(labels: S) throws where S.Element: Collection, S.Element.Element == UInt8 {
        var wire: [UInt8] = []
        for label in labels {
            guard !label.isEmpty else { throw DNSNameError.emptyLabel }
            guard label.count <= Self.maxLabelLength else { throw DNSNameError.labelTooLong }
            wire.append(UInt8(label.count))
            wire.append(contentsOf: label)
        }
        wire.append(0)
        guard wire.count <= Self.maxWireLength else { throw DNSNameError.nameTooLong }
        self.wire = wire
    }

    /// Parses presentation format: labels separated by `.`, with `\.` and `\DDD` escapes.
    /// Text without a trailing dot is relative to `origin` (an error when there is none);
    /// `@` is the origin itself.
    public init(_ text: String, origin: DNSName? = nil) throws {
        if text == "@" {
            guard let origin else { throw DNSNameError.relativeWithoutOrigin(text) }
            self = origin
            return
        }
        if text == "." { self = .root; return }
        guard !text.isEmpty else { throw DNSNameError.emptyLabel }
        var labels: [[UInt8]] = []
        var current: [UInt8] = []
        var absolute = false
        let utf8 = Array(text.utf8)
        var index = 0
        while index < utf8.count {
            let byte = utf8[index]
            if byte == UInt8(ascii: ".") {
                guard !current.isEmpty else { throw DNSNameError.emptyLabel }
                labels.append(current)
                current = []
                if index == utf8.count - 1 { absolute = true }
                index += 1
            } else if byte == UInt8(ascii: "\\") {
                let (value, consumed) = try PresentationEscapes.decodeEscape(utf8, at: index)
                current.append(value)
                index += consumed
            } else {
                current.append(byte)
                index += 1
            }
        }
        if !current.isEmpty { labels.append(current) }
        if absolute {
            try self.init(labels: labels)
        } else {
            guard let origin else { throw DNSNameError.relativeWithoutOrigin(text) }
            try self.init(labels: labels + origin.labels.map { Array($0) })
        }
    }

    /// Labels without their length bytes, most specific first; the root label is not included.
    public var labels: [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var start = 0
        while wire[start] != 0 {
            let length = Int(wire[start])
            result.append(wire[(start + 1)...(start + length)])
            start += length + 1
        }
        return result
    }

    /// Number of labels, not counting the root.
    public var labelCount: Int {
        var count = 0
        var start = 0
        while wire[start] != 0 { count += 1; start += Int(wire[start]) + 1 }
        return count
    }

    public var isRoot: Bool { wire.count == 1 }

    /// The name with its first label removed; nil for the root.
    public var parent: DNSName? {
        guard !isRoot else { return nil }
        return DNSName(uncheckedWire: Array(wire[(Int(wire[0]) + 1)...]))
    }

    /// Whether the first label is `*` (a wildcard owner, RFC 4592).
    public var isWildcard: Bool { wire.count >= 2 && wire[0] == 1 && wire[1] == UInt8(ascii: "*") }

    /// `label.self`; throws if the result would be too long.
    public func prepending(_ label: some Collection<UInt8>) throws -> DNSName {
        try DNSName(labels: [Array(label)] + labels.map { Array($0) })
    }

    /// The name with the first `count` labels removed.
    public func dropping(labels count: Int) -> DNSName {
        var start = 0
        for _ in 0..<count where wire[start] != 0 { start += Int(wire[start]) + 1 }
        return DNSName(uncheckedWire: Array(wire[start...]))
    }

    /// `*.` + the parent of this name, or nil at the root.
    public var wildcardSibling: DNSName? { parent.flatMap { try? $0.prepending([UInt8(ascii: "*")]) } }

    /// True when `self` equals `ancestor` or lies below it.
    public func isSubdomain(of ancestor: DNSName) -> Bool {
        let offset = wire.count - ancestor.wire.count
        guard offset >= 0 else { return false }
        // The suffix must start on a label boundary.
        var start = 0
        while start < offset { start += Int(wire[start]) + 1 }
        guard start == offset else { return false }
        for i in 0..<ancestor.wire.count where Self.lower(wire[offset + i]) != Self.lower(ancestor.wire[i]) {
            return false
        }
        return true
    }

    /// The wire form with ASCII letters lower-cased (the canonical form of RFC 4034 §6.2).
    public var lowercasedWire: [UInt8] {
        // Most names arrive in lower case: sharing the array saves a copy per cache key and entry.
        guard wire.contains(where: { $0 >= 0x41 && $0 <= 0x5A }) else { return wire }
        return wire.map(Self.lower)
    }

    /// The lower-cased name whose uncompressed wire form is `bytes` (labels up to 63 bytes,
    /// ending in the root label, 255 bytes at most), or nil when `bytes` is not exactly that.
    /// For paths that have already walked a raw message and must not parse it again.
    public init?(lowercasingWire bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty, bytes.count <= Self.maxWireLength else { return nil }
        var offset = 0
        while offset < bytes.count {
            let length = Int(bytes[offset])
            guard length <= Self.maxLabelLength else { return nil }
            if length == 0 { break }
            offset += length + 1
        }
        guard offset == bytes.count - 1 else { return nil }
        self.init(uncheckedWire: bytes.map(Self.lower))
    }

    /// This name in lower case.
    public var lowercased: DNSName { DNSName(uncheckedWire: lowercasedWire) }

    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        // Length bytes are at most 63, below "A", so lower-casing the whole wire form is safe.
        byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
    }

    public static func == (lhs: DNSName, rhs: DNSName) -> Bool {
        guard lhs.wire.count == rhs.wire.count else { return false }
        // Every dictionary lookup keyed by a name ends here: compare raw bytes, and lower-case
        // only the pairs that differ (most keys are already in lower case).
        return lhs.wire.withUnsafeBufferPointer { left in
            rhs.wire.withUnsafeBufferPointer { right in
                for i in 0..<left.count where left[i] != right[i] && lower(left[i]) != lower(right[i]) { return false }
                return true
            }
        }
    }

    public func hash(into hasher: inout Hasher) {
        // One combine of the lower-cased bytes rather than one per byte: names key every cache.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: wire.count) { lowered in
            for index in wire.indices { lowered[index] = Self.lower(wire[index]) }
            hasher.combine(bytes: UnsafeRawBufferPointer(lowered))
        }
    }

    /// Canonical DNS name order (RFC 4034 §6.1): compare label by label from the root,
    /// each label as lower-cased bytes; a name sorts before its own subdomains.
    public static func < (lhs: DNSName, rhs: DNSName) -> Bool {
        let left = lhs.labels, right = rhs.labels
        var i = left.count - 1, j = right.count - 1
        while i >= 0 && j >= 0 {
            let a = left[i], b = right[j]
            if let order = compareLabels(a, b) { return order }
            i -= 1; j -= 1
        }
        return left.count < right.count
    }

    /// nil when equal, otherwise whether `a` sorts first.
    private static func compareLabels(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> Bool? {
        for (x, y) in zip(a, b) {
            let lx = lower(x), ly = lower(y)
            if lx != ly { return lx < ly }
        }
        return a.count == b.count ? nil : a.count < b.count
    }

    /// Presentation format, absolute (trailing dot), with special characters escaped.
    public var description: String {
        if isRoot { return "." }
        var out = ""
        for label in labels {
            PresentationEscapes.appendEscapedLabel(label, to: &out)
            out.append(".")
        }
        return out
    }

    /// Presentation format relative to `origin` when below it (`@` when equal).
    public func relative(to origin: DNSName) -> String {
        if self == origin { return "@" }
        guard isSubdomain(of: origin), !origin.isRoot else { return description }
        var out = ""
        for (index, label) in labels.prefix(labelCount - origin.labelCount).enumerated() {
            if index > 0 { out.append(".") }
            PresentationEscapes.appendEscapedLabel(label, to: &out)
        }
        return out
    }
}

/// Why a text or label sequence is not a valid name.
public enum DNSNameError: Error, Sendable, Equatable, CustomStringConvertible {
    case emptyLabel
    case labelTooLong
    case nameTooLong
    case badEscape(String)
    case relativeWithoutOrigin(String)

    public var description: String {
        switch self {
        case .emptyLabel: return "empty label in name"
        case .labelTooLong: return "label longer than 63 octets"
        case .nameTooLong: return "name longer than 255 octets"
        case .badEscape(let text): return "bad escape sequence \(text)"
        case .relativeWithoutOrigin(let text): return "relative name '\(text)' with no origin"
        }
    }
}
