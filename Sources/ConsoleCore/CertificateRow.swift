import ControlProto

/// One certificate in the certificates pane: from `tls.list` and `tls.info`.
public struct CertificateRow: Sendable, Equatable {
    public var name: String
    public var subject: String
    public var sans: [String]
    public var daysToExpiry: Int
    public var lastReloadAt: String?
    public var lastResult: String
    public var lastError: String?

    public init(name: String, subject: String, sans: [String], daysToExpiry: Int, lastReloadAt: String?,
                lastResult: String, lastError: String? = nil) {
        self.name = name
        self.subject = subject
        self.sans = sans
        self.daysToExpiry = daysToExpiry
        self.lastReloadAt = lastReloadAt
        self.lastResult = lastResult
        self.lastError = lastError
    }

    /// From a `tls.info` result (which has the SANs and the last reload's time).
    public init?(info: JSONValue) {
        guard let name = info["name"]?.stringValue else { return nil }
        let last = info["last_reload"]
        self.init(name: name, subject: info["subject"]?.stringValue ?? "?",
                  sans: info["sans"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                  daysToExpiry: info["days_to_expiry"]?.intValue ?? 0,
                  lastReloadAt: last?["at"]?.stringValue,
                  lastResult: last?["result"]?.stringValue ?? info["last_result"]?.stringValue ?? "-",
                  lastError: last?["reason"]?.stringValue)
    }

    public var expiry: ExpiryLevel { ExpiryLevel(daysToExpiry: daysToExpiry) }
}

/// How urgent a certificate's expiry is: green > 30 days, yellow <= 30, red <= 7 or expired.
public enum ExpiryLevel: Sendable, Equatable {
    case fine, soon, urgent

    public init(daysToExpiry days: Int) {
        if days <= 7 { self = .urgent } else if days <= 30 { self = .soon } else { self = .fine }
    }

    public var style: CellStyle {
        switch self {
        case .fine: return .good
        case .soon: return .warn
        case .urgent: return .bad
        }
    }
}

/// One upstream of a forward plugin, from `upstream.list`.
public struct UpstreamRow: Sendable, Equatable {
    public var name: String
    public var state: String
    public var smoothedRTTms: Double?
    public var queries: Int
    public var errors: Int

    public init(name: String, state: String, smoothedRTTms: Double?, queries: Int, errors: Int) {
        self.name = name
        self.state = state
        self.smoothedRTTms = smoothedRTTms
        self.queries = queries
        self.errors = errors
    }

    public init?(json: JSONValue) {
        guard let name = json["name"]?.stringValue else { return nil }
        var rtt: Double?
        switch json["srtt_ms"] {
        case .double(let value)?: rtt = value
        case .int(let value)?: rtt = Double(value)
        default: rtt = nil
        }
        self.init(name: name, state: json["state"]?.stringValue ?? "?", smoothedRTTms: rtt,
                  queries: json["queries"]?.intValue ?? 0,
                  errors: (json["errors"]?.intValue ?? 0) + (json["timeouts"]?.intValue ?? 0))
    }
}

/// One line of a `queries.top` list (a name or a client and its count).
public struct TopEntry: Sendable, Equatable {
    public var key: String
    public var count: Int
    public init(key: String, count: Int) {
        self.key = key
        self.count = count
    }
}
