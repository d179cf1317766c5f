import Foundation

/// One configuration key and what `config.reload` must do with it (ReloadPolicy in the daemon,
/// the reload column of docs/configuration.md): either the reply names it in `needs_restart`,
/// or it names it in `applied` and `observe`, run against the daemon before and after the
/// reload, sees the behaviour change to `expected`.
struct ReloadCase {
    /// The daemon a case needs; cases of one group share one.
    enum Group: String, CaseIterable {
        case restart, answers, tcp, http2, control, tls, access, rrl, limits
    }

    let key: String
    let group: Group
    /// Sections in force before the change (besides the harness's base).
    var before: (ReloadHarness) -> [String: String] = { _ in [:] }
    /// The sections after the change, in place of `before`'s.
    let after: (ReloadHarness) -> [String: String]
    /// Run after the reload into `before` (e.g. to change files the change will read).
    var prepare: (ReloadHarness) throws -> Void = { _ in }
    /// What a client sees after the reload, and how to look; nil: the key needs a restart.
    var probe: (expected: String, observe: (ReloadHarness) throws -> String)?

    static func restart(_ key: String, before: [String: String] = [:], _ after: [String: String]) -> ReloadCase {
        ReloadCase(key: key, group: .restart, before: { _ in before }, after: { _ in after })
    }

    static func live(_ key: String, _ group: Group, before: [String: String] = [:], _ after: [String: String],
                     expect expected: String, _ observe: @escaping (ReloadHarness) throws -> String) -> ReloadCase {
        ReloadCase(key: key, group: group, before: { _ in before }, after: { _ in after }, probe: (expected, observe))
    }

    /// Unique names for queries that must not meet an earlier one still waiting upstream.
    static func fresh(_ suffix: String) -> String { "r\(UInt32.random(in: 0...UInt32.max)).\(suffix)" }
}

extension ReloadCase {
    /// Every key of the configuration reference (tests check that none is missing).
    static var all: [ReloadCase] { restartCases + answerCases + tcpCases + http2Cases + controlCases + tlsCases + accessCases
        + rrlCases + limitCases + blocklistCases }

    // MARK: - Keys that need a restart

    static var restartCases: [ReloadCase] { [
        .restart("listen", ["listen": "[udp://127.0.0.1:5]"]),
        .restart("threads", ["threads": "2"]),
        .restart("udp.scheduling", ["udp": "{scheduling: batch}"]),
        .restart("udp.segmentation", ["udp": "{segmentation: false}"]),
        .restart("udp.batch_wait", ["udp": "{batch_wait: 0}"]),
        .restart("dnstap.sink", ["dnstap": #"{sink: "file:other.fstrm"}"#]),
        .restart("dnstap.identity", ["dnstap": #"{sink: "file:dnstap.fstrm", identity: other}"#]),
        .restart("dnstap.version", ["dnstap": #"{sink: "file:dnstap.fstrm", version: other}"#]),
        .restart("dnstap.queue_size", ["dnstap": #"{sink: "file:dnstap.fstrm", queue_size: 5}"#]),
        .restart("query_log.file", before: ["query_log": "{file: a.jsonl}"], ["query_log": "{file: b.jsonl}"]),
        .restart("query_log.max_size", before: ["query_log": "{file: q.jsonl}"], ["query_log": "{file: q.jsonl, max_size: 1MiB}"]),
        .restart("query_log.max_age", before: ["query_log": "{file: q.jsonl}"], ["query_log": "{file: q.jsonl, max_age: 1h}"]),
        .restart("query_log.keep", before: ["query_log": "{file: q.jsonl}"], ["query_log": "{file: q.jsonl, keep: 2}"]),
        .restart("query_log.sample", before: ["query_log": "{file: q.jsonl}"], ["query_log": "{file: q.jsonl, sample: 5}"]),
        .restart("query_log.only", before: ["query_log": "{file: q.jsonl}"], ["query_log": "{file: q.jsonl, only: errors}"]),
        .restart("query_log.blocks", before: ["query_log": "{file: q.jsonl}"], ["query_log": "{file: q.jsonl, blocks: [ads]}"]),
        .restart("query_log.zones", before: ["query_log": "{file: q.jsonl}"], ["query_log": "{file: q.jsonl, zones: [example.test.]}"]),
        .restart("query_log.queue_size", before: ["query_log": "{file: q.jsonl}"], ["query_log": "{file: q.jsonl, queue_size: 5}"]),
        .restart("metrics.listen", ["metrics": "{listen: 127.0.0.1:1}"]),
        .restart("metrics.path", before: ["metrics": "{listen: 127.0.0.1:1}"], ["metrics": "{listen: 127.0.0.1:1, path: /m}"]),
        .restart("user", ["user": "nobody"]),
        .restart("group", before: ["user": "nobody"], ["user": "nobody", "group": "nogroup"]),
        .restart("control.socket", ["control": #"{socket: other.sock, mode: "0666"}"#]),
        .restart("control.mode", ["control": #"{socket: control.sock, mode: "0660"}"#]),
        .restart("control.group", ["control": ReloadHarness.control("group: nogroup")]),
    ] }

    // MARK: - What answers look like, and the log

    /// What dnsd answers a query presenting a cookie made with `secret` by RFC 9018's algorithm:
    /// NOERROR when that secret is dnsd's, BADCOOKIE (rcode 23, 7 in the header) when it is not.
    static func cookieVerdict(_ h: ReloadHarness, secret: String) throws -> String {
        let made = try PeerTool.run("/usr/bin/python3", [try Fixtures.path("server_cookie.py"), secret, CookieTests.clientCookie, "127.0.0.1"])
        let hex = Array(made.stdout.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        guard hex.count == 48 else { throw IntegrationError("server_cookie.py: \(made.transcript)") }
        let cookie = stride(from: 0, to: hex.count, by: 2).compactMap { UInt8(String(decoding: hex[$0..<($0 + 2)], as: UTF8.self), radix: 16) }
        let burst = try UDPBurst.run(port: h.port, [UDPBurst.query(id: 9, name: "www.example.test", cookie: cookie)])
        return burst.answered == 1 ? "NOERROR" : burst.other == 1 ? "BADCOOKIE" : "\(burst)"
    }

    /// Whether a control call made now leaves an audit line (`method`) in the log.
    static func logged(_ h: ReloadHarness, method: String) throws -> String {
        let mark = h.dnsd.stderr.count
        _ = try h.call(method)
        Thread.sleep(forTimeInterval: 0.2)
        return h.dnsd.stderr.dropFirst(mark).contains("control call") ? "logged" : "silent"
    }

    /// What dnsd answers an AXFR of example.test. signed with `key` (kdig's `-y` form):
    /// NOERROR, or the error kdig reports (BADKEY, BADSIG, REFUSED, ...).
    static func transferVerdict(_ h: ReloadHarness, key: String) throws -> String {
        let result = try PeerTool.run(try PeerTool.require("kdig"), ["@127.0.0.1", "-p", "\(h.port)", "-y", key, "AXFR", "example.test."], timeout: 20)
        if let range = result.stderr.range(of: "error '") {
            return String(result.stderr[range.upperBound...].prefix { $0 != "'" })
        }
        return result.status == 0 && result.stdout.contains("\tSOA\t") ? "NOERROR" : result.transcript
    }

    /// `tsig_keys` with one key, and example.test. transferable with it.
    static func tsigSections(_ h: ReloadHarness, name: String = "k1.", algorithm: String = "hmac-sha256", secret: String = "secret: \(tsigSecret)") -> [String: String] {
        ["tsig_keys": "[{name: \(name), algorithm: \(algorithm), \(secret)}]",
         "servers": h.servers(examplePlugins: "[{zone: {file: example.test.zone, transfer: {keys: [\(name)]}}}]")]
    }

    static let tsigSecret = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    static let otherTSIGSecret = "HxwdHhcYGRobFBUWEBESEwwNDg8ICQoLBAUGBwABAgM="

    static let otherSecret = "ffeeddccbbaa99887766554433221100"
    static let fileSecret = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"

    static var answerCases: [ReloadCase] { [
        .live("log.level", .answers, ["log": "{level: debug}"], expect: "logged") { h in try logged(h, method: "core.uptime") },
        .live("log.format", .answers, ["log": "{format: json}"], expect: "json") { h in
            let mark = h.dnsd.stderr.count
            _ = try h.call("stats.reset")
            Thread.sleep(forTimeInterval: 0.2)
            let line = h.dnsd.stderr.dropFirst(mark).split(separator: "\n").last { $0.contains("stats.reset") }
            return line?.hasPrefix("{") == true ? "json" : "text"
        },
        .live("edns_udp_size", .answers, ["edns_udp_size": "1400"], expect: "1400") { h in
            "\(try Dig.query(port: h.port, "www.example.test", "A", ["+bufsize=4096"]).ednsUDPSize ?? 0)"
        },
        // ANY to a block that resolves for others (a zone-only block answers it in full).
        .live("any_over_udp", .answers, ["any_over_udp": "refuse"], expect: "REFUSED/0") { h in h.ask("fwd.test", type: 255) },
        .live("cookies.enabled", .answers, ["cookies": "{enabled: false, secret: \(ReloadHarness.baseCookieSecret)}"], expect: "none") { h in
            try CookieTests.digCookie(h.port, ["+cookie=\(CookieTests.clientCookie)"]).cookie == nil ? "none" : "cookie"
        },
        .live("cookies.secret", .answers, ["cookies": "{secret: \(otherSecret)}"], expect: "NOERROR") { h in
            try cookieVerdict(h, secret: otherSecret)
        },
        ReloadCase(key: "cookies.secret_file", group: .answers, after: { _ in ["cookies": "{secret_file: cookie.secret}"] },
                   prepare: { h in try (fileSecret + "\n").write(to: h.directory.appendingPathComponent("cookie.secret"), atomically: true, encoding: .utf8) },
                   probe: ("NOERROR", { h in try cookieVerdict(h, secret: fileSecret) })),
        ReloadCase(key: "tsig_keys", group: .answers, after: { h in tsigSections(h) },
                   probe: ("NOERROR", { h in try transferVerdict(h, key: "hmac-sha256:k1.:\(tsigSecret)") })),
        ReloadCase(key: "tsig_keys.name", group: .answers, before: { h in tsigSections(h) }, after: { h in tsigSections(h, name: "k2.") },
                   probe: ("NOERROR", { h in try transferVerdict(h, key: "hmac-sha256:k2.:\(tsigSecret)") })),
        ReloadCase(key: "tsig_keys.algorithm", group: .answers, before: { h in tsigSections(h) }, after: { h in tsigSections(h, algorithm: "hmac-sha512") },
                   probe: ("NOERROR", { h in try transferVerdict(h, key: "hmac-sha512:k1.:\(tsigSecret)") })),
        ReloadCase(key: "tsig_keys.secret", group: .answers, before: { h in tsigSections(h) }, after: { h in tsigSections(h, secret: "secret: \(otherTSIGSecret)") },
                   probe: ("NOERROR", { h in try transferVerdict(h, key: "hmac-sha256:k1.:\(otherTSIGSecret)") })),
        ReloadCase(key: "tsig_keys.secret_file", group: .answers, before: { h in tsigSections(h) },
                   after: { h in tsigSections(h, secret: "secret_file: tsig.secret") },
                   prepare: { h in try (otherTSIGSecret + "\n").write(to: h.directory.appendingPathComponent("tsig.secret"), atomically: true, encoding: .utf8) },
                   probe: ("NOERROR", { h in try transferVerdict(h, key: "hmac-sha256:k1.:\(otherTSIGSecret)") })),
        ReloadCase(key: "servers.zones", group: .answers,
                   after: { h in ["servers": h.servers(extra: #"{zones: [extra.test.], plugins: [{zone: {inline: "@ 60 IN SOA a b 1 1 1 1 1"}}]}"#)] },
                   probe: ("NOERROR/1", { h in h.ask("extra.test", type: RawDNS.typeSOA) })),
        ReloadCase(key: "servers.dnstap", group: .answers, after: { h in ["servers": h.servers(exampleDnstap: "{client: true}")] },
                   probe: ("logged", { h in try dnstapVerdict(h) })),
        ReloadCase(key: "servers.plugins", group: .answers,
                   after: { h in ["servers": h.servers(examplePlugins: #"[{zone: {inline: "@ 60 IN SOA a b 1 1 1 1 1\nnew 60 IN A 192.0.2.7"}}]"#)] },
                   probe: ("NOERROR/1", { h in h.ask("new.example.test") })),
    ] }

    /// Whether a query to example.test. makes the dnstap writer write ("logged") within a second.
    static func dnstapVerdict(_ h: ReloadHarness) throws -> String {
        func sent() throws -> Int { ((try h.call("stats.get", #"{"prefix": "dnstap."}"#))["result"] as? [String: Any])?["dnstap.sent"] as? Int ?? 0 }
        let before = try sent()
        _ = h.ask(fresh("example.test"))
        let deadline = Date().addingTimeInterval(1)
        while Date() < deadline {
            if try sent() > before { return "logged" }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return "silent"
    }

    // MARK: - Stream connections (new connections get the new limits)

    /// Whether a second TCP connection is closed while a first one, answered, stays open.
    static func secondConnection(_ h: ReloadHarness) throws -> String {
        let first = try DNSSocket.tcp(port: h.port)
        return try withExtendedLifetime(first) {
            try first.sendMessage(RawDNS.query(id: 1, name: "www.example.test", type: RawDNS.typeA))
            _ = first.receiveMessage()
            return try h.tcpConnection(within: 1)
        }
    }

    static var tcpCases: [ReloadCase] { [
        .live("tcp.idle_timeout", .tcp, ["tcp": "{idle_timeout: 300ms}"], expect: "closed") { h in try h.tcpConnection(within: 1.5) },
        .live("tcp.query_timeout", .tcp, ["tcp": "{query_timeout: 300ms}"], expect: "closed") { h in
            try h.tcpConnection(within: 1.5) { try $0.sendRaw([0]) }
        },
        .live("tcp.max_connections", .tcp, ["tcp": "{max_connections: 1}"], expect: "closed") { h in try secondConnection(h) },
        .live("tcp.max_connections_per_client", .tcp, ["tcp": "{max_connections_per_client: 1}"], expect: "closed") { h in
            try secondConnection(h)
        },
        .live("tcp.max_queries_in_flight", .tcp, ["tcp": "{max_queries_in_flight: 1}"], expect: "1") { h in
            // Three queries on one connection for names the upstream never answers: how many it is sent.
            let names = (0..<3).map { _ in fresh("fwd.test") }
            let socket = try DNSSocket.tcp(port: h.port)
            for (index, name) in names.enumerated() {
                try socket.sendMessage(RawDNS.query(id: UInt16(index + 1), name: name, type: RawDNS.typeA))
            }
            Thread.sleep(forTimeInterval: 1)
            return "\(names.filter { name in h.upstream.queries.contains { $0.contains(name) } }.count)"
        },
    ] }

    // MARK: - HTTP/2 (DoH)

    static func setting(_ h: ReloadHarness, _ name: String) throws -> String {
        let lines = try h.h2(["h2settings"]).split(separator: "\n")
        return lines.first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) } ?? "none"
    }

    static var http2Cases: [ReloadCase] { [
        .live("http2.max_concurrent_streams", .http2, ["http2": "{max_concurrent_streams: 7}"], expect: "7") { h in
            try setting(h, "MAX_CONCURRENT_STREAMS")
        },
        .live("http2.max_header_list_size", .http2, ["http2": "{max_header_list_size: 4096}"], expect: "4096") { h in
            try setting(h, "MAX_HEADER_LIST_SIZE")
        },
        .live("http2.max_resets", .http2, ["http2": "{max_resets: 5}"], expect: "goaway") { h in try h.h2(["h2burst", "reset", "20"]) },
        .live("http2.max_control_frames", .http2, ["http2": "{max_control_frames: 5}"], expect: "goaway") { h in
            try h.h2(["h2burst", "ping", "20"])
        },
        .live("http2.max_glitches", .http2, ["http2": "{max_glitches: 5}"], expect: "goaway") { h in try h.h2(["h2burst", "glitch", "20"]) },
        // Eight resets, a pause, eight more: over max_resets 10 in a 30 s window, not in a 1 s one.
        .live("http2.flood_window", .http2, before: ["http2": "{max_resets: 10}"], ["http2": "{max_resets: 10, flood_window: 1s}"],
              expect: "open") { h in try h.h2(["h2burst", "reset", "8", "1.6", "8"]) },
    ] }

    // MARK: - The control socket (new connections get the new roles and limits)

    /// "allowed" when `user` may call `method` (dnsctl exits 0), else "refused".
    static func as65533(_ h: ReloadHarness, _ method: String) throws -> String {
        try h.dnsctl([method], as: "65533").status == 0 ? "allowed" : "refused"
    }

    /// A `queries.subscribe` as uid 65533, over a connection of its own: "allowed" or "refused".
    static func subscribeAs65533(_ h: ReloadHarness) throws -> String {
        let script = """
            import json, socket, sys
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(5)
            s.sendall(b'{"jsonrpc":"2.0","id":1,"method":"queries.subscribe","params":{}}\\n')
            print("allowed" if "result" in json.loads(s.makefile().readline()) else "refused")
            """
        let result = try PeerTool.run(try PeerTool.require("setpriv"),
                                      ["--reuid=65533", "--regid=65533", "--clear-groups", "/usr/bin/python3", "-c", script, h.socket])
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static let readers = #"readers: {users: ["65533"]}"#

    static var controlCases: [ReloadCase] { [
        .live("control.admins.users", .control, before: ["control": ReloadHarness.control(readers)],
              ["control": ReloadHarness.control(readers + #", admins: {users: ["65533"]}"#)], expect: "allowed") { h in try as65533(h, "stats.reset") },
        .live("control.admins.groups", .control, before: ["control": ReloadHarness.control(readers)],
              ["control": ReloadHarness.control(readers + #", admins: {groups: ["65533"]}"#)], expect: "allowed") { h in try as65533(h, "stats.reset") },
        .live("control.readers.users", .control, ["control": ReloadHarness.control(readers)], expect: "allowed") { h in try as65533(h, "core.ping") },
        .live("control.readers.groups", .control, ["control": ReloadHarness.control(#"readers: {groups: ["65533"]}"#)], expect: "allowed") { h in
            try as65533(h, "core.ping")
        },
        .live("control.max_connections", .control, ["control": ReloadHarness.control("max_connections: 2")], expect: "refused") { h in
            let held = try (0..<2).map { _ in try ControlSocketClient(path: h.socket) }
            return withExtendedLifetime(held) {
                for client in held { _ = try? client.call(#"{"jsonrpc":"2.0","id":1,"method":"core.ping"}"#) }
                let third = try? ControlSocketClient(path: h.socket).call(#"{"jsonrpc":"2.0","id":1,"method":"core.ping"}"#)
                return third?["result"] != nil ? "allowed" : "refused"
            }
        },
        .live("control.max_read_only_connections", .control, before: ["control": ReloadHarness.control(readers)],
              ["control": ReloadHarness.control(readers + ", max_read_only_connections: 0")], expect: "refused") { h in try as65533(h, "core.ping") },
        .live("control.max_subscriptions", .control, ["control": ReloadHarness.control("max_subscriptions: 1")], expect: "refused") { h in
            let client = try ControlSocketClient(path: h.socket)
            let subscribe = #"{"jsonrpc":"2.0","id":1,"method":"queries.subscribe","params":{}}"#
            return try withExtendedLifetime(client) {
                _ = try client.call(subscribe)
                return try ControlSocketClient(path: h.socket).call(subscribe)["result"] != nil ? "allowed" : "refused"
            }
        },
        .live("control.max_read_only_subscriptions", .control, before: ["control": ReloadHarness.control(readers)],
              ["control": ReloadHarness.control(readers + ", max_read_only_subscriptions: 0")], expect: "refused") { h in try subscribeAs65533(h) },
        .live("control.max_request_bytes", .control, ["control": ReloadHarness.control("max_request_bytes: 1024")], expect: "refused") { h in
            let padding = String(repeating: "x", count: 2000)
            let reply = try? ControlSocketClient(path: h.socket).call(#"{"jsonrpc":"2.0","id":1,"method":"core.ping","params":{"pad":"\#(padding)"}}"#)
            return reply?["result"] != nil ? "allowed" : "refused"
        },
        .live("control.idle_timeout", .control, ["control": ReloadHarness.control("idle_timeout: 300ms")], expect: "closed") { h in
            let client = try ControlSocketClient(path: h.socket, timeout: 2)
            Thread.sleep(forTimeInterval: 1)
            return (try? client.call(#"{"jsonrpc":"2.0","id":1,"method":"core.ping"}"#)) == nil ? "closed" : "open"
        },
    ] }

    // MARK: - Certificates (new connections get the new set)

    static let mainAndOther = "[{name: main, cert: main.pem, key: main.key}, {name: other, cert: b1.pem, key: b1.key}]"

    static var tlsCases: [ReloadCase] { [
        .live("tls.name", .tls, ["tls": "[{name: primary, cert: main.pem, key: main.key}]"], expect: "known") { h in
            try h.call("tls.info", #"{"name":"primary"}"#)["result"] != nil ? "known" : "unknown"
        },
        .live("tls.cert", .tls, ["tls": "[{name: main, cert: a2.pem, key: a2.key}]"], expect: "a2") { h in try h.served(sni: "dns.test") },
        // The certificate file changes on disk first (no tls.reload): the new key path makes
        // the reload read both.
        ReloadCase(key: "tls.key", group: .tls, after: { _ in ["tls": "[{name: main, cert: main.pem, key: a2.key}]"] },
                   prepare: { h in
                       try TLSHarness.copy(h.pki.appendingPathComponent("a2.fullchain.pem"), h.directory.appendingPathComponent("main.pem"))
                   },
                   probe: ("a2", { h in try h.served(sni: "dns.test") })),
        .live("tls.sni", .tls, before: ["tls": mainAndOther],
              ["tls": "[{name: main, cert: main.pem, key: main.key, sni: [other.test]}, {name: other, cert: b1.pem, key: b1.key}]"],
              expect: "a1") { h in try h.served(sni: "other.test") },
        .live("tls.default", .tls, before: ["tls": mainAndOther],
              ["tls": "[{name: main, cert: main.pem, key: main.key}, {name: other, cert: b1.pem, key: b1.key, default: true}]"],
              expect: "b1") { h in try h.served(sni: nil) },
        // A new certificate in main.pem/main.key: served within 4 s without tls.reload?
        .live("tls.watch", .tls, ["tls": "[{name: main, cert: main.pem, key: main.key, watch: true}]"], expect: "followed") { h in
            let next = try h.served(sni: "dns.test") == "a2" ? "a3" : "a2"
            try h.installMain(next)
            return TLSHarness.eventually(timeout: 4) { (try? h.served(sni: "dns.test")) == next } ? "followed" : "stayed"
        },
    ] }

    // MARK: - Access rules (top-level and per block)

    static func aclCases(_ prefix: String, section: @escaping (ReloadHarness, String) -> [String: String]) -> [ReloadCase] {
        func make(_ key: String, before: String? = nil, _ after: String, expect: String,
                  _ observe: @escaping (ReloadHarness) throws -> String = { h in h.ask("www.example.test") }) -> ReloadCase {
            ReloadCase(key: prefix + key, group: .access, before: { h in before.map { section(h, $0) } ?? [:] },
                       after: { h in section(h, after) }, probe: (expect, observe))
        }
        let ruleName = "renamed-" + prefix.replacingOccurrences(of: ".", with: "-")
        return [
            make("allow", before: "[{block: [127.0.0.1]}]", "[{allow: [127.0.0.1]}, {block: [127.0.0.1]}]", expect: "NOERROR/1"),
            make("block", "[{block: [127.0.0.1]}]", expect: "REFUSED/0"),
            make("filter", "[{filter: [127.0.0.1]}]", expect: "NOERROR/0"),
            make("drop", "[{drop: [127.0.0.1]}]", expect: "timeout"),
            make("types", before: "[{block: [127.0.0.1]}]", "[{block: [127.0.0.1], types: [TXT]}]", expect: "NOERROR/1"),
            // Counters are kept across reloads by rule name: each list names its rule differently.
            make("name", before: "[{block: [127.0.0.1]}]", "[{block: [127.0.0.1], name: \(ruleName)}]", expect: "named") { h in
                _ = h.ask("www.example.test")
                let stats = try h.call("acl.stats")["result"] as? [[String: Any]] ?? []
                return stats.contains { $0["rule"] as? String == ruleName } ? "named" : "unnamed"
            },
        ]
    }

    static var accessCases: [ReloadCase] {
        aclCases("acl.") { _, rules in ["acl": rules] } + aclCases("servers.acl.") { h, rules in ["servers": h.servers(exampleACL: rules)] }
    }

    // MARK: - Response rate limiting

    /// "limited" when fewer than 25 of 30 copies of a query for `name` got a response.
    static func limited(_ h: ReloadHarness, _ name: String) throws -> String {
        try h.burst(name, count: 30).responses >= 25 ? "all" : "limited"
    }

    /// "evicted" when fewer than a third of the queries of 1200 clients asking four times each in
    /// turn were limited (a client that keeps its account is answered about once at 1 a second,
    /// three quarters limited). Counted by dnsd (`limited` of `stats.get`, against
    /// queries.total): on a loaded machine the kernel may drop datagrams before dnsd reads them.
    static func evictions(_ h: ReloadHarness, limited: String) throws -> String {
        let stats = try ControlSocketClient(path: h.socket)
        let before = try stats.stats(limited)[limited] ?? 0, total = try stats.stats("queries.total")["queries.total"] ?? 0
        _ = try h.manyClients("www.example.test", clients: 1200, rounds: 4)
        let limitedNow = (try stats.stats(limited)[limited] ?? 0) - before
        let decided = (try stats.stats("queries.total")["queries.total"] ?? 0) - total
        return decided > 1000 && limitedNow * 3 < decided ? "evicted" : "kept (\(limitedNow) of \(decided) limited)"
    }

    static func rrl(_ settings: String) -> [String: String] { ["rrl": "{exempt: [], slip: 0\(settings.isEmpty ? "" : ", " + settings)}"] }

    static var rrlCases: [ReloadCase] { [
        .live("rrl.responses_per_second", .rrl, before: rrl(""), rrl("responses_per_second: 2"), expect: "limited") { h in
            try limited(h, "www.example.test")
        },
        .live("rrl.nxdomains_per_second", .rrl, before: rrl(""), rrl("nxdomains_per_second: 2"), expect: "limited") { h in
            try limited(h, "nothing.example.test")
        },
        .live("rrl.errors_per_second", .rrl, before: rrl(""), rrl("errors_per_second: 2"), expect: "limited") { h in
            try limited(h, "nowhere.invalid")
        },
        .live("rrl.referrals_per_second", .rrl, before: rrl(""), rrl("referrals_per_second: 2"), expect: "limited") { h in
            try limited(h, "host.sub.example.test")
        },
        // 200 queries at 5/s: the account is 15 s ahead with a 15 s window, 1 s with a 1 s one.
        .live("rrl.window", .rrl, before: rrl("responses_per_second: 5, window: 15s"), rrl("responses_per_second: 5, window: 1s"),
              expect: "recovered") { h in
            _ = try h.burst("www.example.test", count: 200)
            Thread.sleep(forTimeInterval: 2)
            let answered = (0..<3).filter { _ in h.ask("www.example.test", timeout: 0.5) == "NOERROR/1" }.count
            return answered >= 2 ? "recovered" : "limited"
        },
        .live("rrl.slip", .rrl, before: rrl("responses_per_second: 1"), ["rrl": "{exempt: [], slip: 1, responses_per_second: 1}"],
              expect: "slipped") { h in
            try h.burst("www.example.test", count: 20).truncated > 0 ? "slipped" : "dropped"
        },
        .live("rrl.ipv4_prefix", .rrl, before: rrl("responses_per_second: 2"), rrl("responses_per_second: 2, ipv4_prefix: 32"),
              expect: "separate") { h in
            _ = try h.burst("www.example.test", count: 20, source: "127.0.0.1")
            return try h.burst("www.example.test", count: 20, source: "127.0.0.2").answered >= 2 ? "separate" : "shared"
        },
        .live("rrl.ipv6_prefix", .rrl, before: ["rrl": "{exempt: [], slip: 1, responses_per_second: 1}"],
              ["rrl": "{exempt: [], slip: 1, responses_per_second: 1, ipv6_prefix: 128}"], expect: "::1/128") { h in
            let dig = try PeerTool.require("dig")
            _ = try PeerTool.run(dig, ["@::1", "-p", "\(h.port)", "+tries=1", "+time=1", "+ignore", "+notcp"]
                                 + Array(repeating: ["www.example.test", "A"], count: 8).flatMap { $0 })
            let list = try h.call("rrl.list")["result"] as? [[String: Any]] ?? []
            return list.first?["network"] as? String ?? "none"
        },
        // Back to the default exemption, loopback.
        .live("rrl.exempt", .rrl, before: rrl("responses_per_second: 2"), ["rrl": "{slip: 0, responses_per_second: 2}"], expect: "all") { h in
            try limited(h, "www.example.test")
        },
        // 1200 networks asking four times each, in turn: in a table of 1024 accounts most are
        // evicted between two of their queries and start over with a full allowance.
        .live("rrl.table_size", .rrl, before: rrl("responses_per_second: 1"), rrl("responses_per_second: 1, table_size: 1024"),
              expect: "evicted") { h in try evictions(h, limited: "rrl.dropped") },
    ] }

    // MARK: - Per-client limits and the caps on waiting work

    static func limits(_ settings: String) -> [String: String] { ["limits": "{" + settings + "}"] }

    /// How six queries for distinct names under `suffix` (which the silent upstream never
    /// answers) fare: "over" when some got dnsd's over-the-cap SERVFAIL, "refused" when some
    /// were refused, else "waiting". `cookie`: each presents a valid server cookie.
    static func waiting(_ h: ReloadHarness, _ suffix: String, cookie: Bool = false) throws -> String {
        let serverCookie = cookie ? try UDPBurst.serverCookie(port: h.port, client: Array("reloadck".utf8)) : nil
        return verdict(try h.distinctBurst(fresh(suffix), count: 6, cookie: serverCookie))
    }

    static func verdict(_ burst: UDPBurst) -> String {
        burst.overLimit > 0 ? "over" : burst.refused > 0 ? "refused" : "waiting"
    }

    static var limitCases: [ReloadCase] { [
        .live("limits.queries_per_second", .limits, before: limits("exempt: []"), limits("exempt: [], queries_per_second: 2"),
              expect: "limited") { h in try limited(h, "www.example.test") },
        .live("limits.action", .limits, before: limits("exempt: [], queries_per_second: 2"),
              limits("exempt: [], queries_per_second: 2, action: refuse"), expect: "refused") { h in
            try h.burst("www.example.test", count: 30).refused > 0 ? "refused" : "dropped"
        },
        .live("limits.exempt", .limits, before: limits("exempt: [], queries_per_second: 2"), limits("queries_per_second: 2"),
              expect: "all") { h in try limited(h, "www.example.test") },
        .live("limits.table_size", .limits, before: limits("exempt: [], queries_per_second: 1"),
              limits("exempt: [], queries_per_second: 1, table_size: 1024"), expect: "evicted") { h in
            try evictions(h, limited: "limits.queries_per_second")
        },
        .live("limits.waiting_per_client", .limits, before: limits("exempt: [], action: refuse"),
              limits("exempt: [], action: refuse, waiting_per_client: 2"), expect: "refused") { h in try waiting(h, "fwd.test") },
        .live("limits.waiting_per_cookie_client", .limits, before: limits("exempt: [], action: refuse, waiting_per_client: 2"),
              limits("exempt: [], action: refuse, waiting_per_client: 2, waiting_per_cookie_client: 2"), expect: "refused") { h in
            try waiting(h, "fwd.test", cookie: true)
        },
        .live("limits.relay_waiting", .limits, limits("relay_waiting: 1"), expect: "over") { h in try waiting(h, "fwd.test") },
        .live("limits.relay_followers", .limits, limits("relay_followers: 1"), expect: "over") { h in
            verdict(try h.burst(fresh("fwd.test"), count: 5))
        },
        .live("limits.miss_waiting", .limits, limits("miss_waiting: 1"), expect: "over") { h in try waiting(h, "slow.test") },
        .live("limits.upstream_sockets", .limits, limits("upstream_sockets: 1"), expect: "shared") { h in
            // Each full-path query to the silent upstream holds a socket of its own, below the cap.
            let before = try ProcessStatus.openFiles(pid: h.dnsd.process.processIdentifier)
            _ = try h.distinctBurst(fresh("slow.test"), count: 8)
            let after = try ProcessStatus.openFiles(pid: h.dnsd.process.processIdentifier)
            return after - before <= 2 ? "shared" : "own sockets"
        },
        .live("limits.inflight_action", .limits, before: limits("relay_waiting: 1"), limits("relay_waiting: 1, inflight_action: drop"),
              expect: "waiting") { h in try waiting(h, "fwd.test") },
    ] }

    // MARK: - Blocklists (docs/policy.md)

    /// Writes a list holding `names` into the daemon's directory and names it `file`.
    static func list(_ h: ReloadHarness, _ file: String, _ names: [String]) -> String {
        try? (names.joined(separator: "\n") + "\n").write(to: h.directory.appendingPathComponent(file), atomically: true, encoding: .utf8)
        return file
    }

    /// One http.server for the download cases, serving a list that blocks www.example.test.
    nonisolated(unsafe) static var downloadServer: BlocklistDownloadTests.HTTPServer?

    static func listURL() -> String {
        if downloadServer == nil, let served = try? Fixtures.scratchDirectory("reload-http") {
            try? "www.example.test\n".write(to: served.appendingPathComponent("list.txt"), atomically: true, encoding: .utf8)
            downloadServer = try? BlocklistDownloadTests.HTTPServer(serving: served)
        }
        return "http://127.0.0.1:\(downloadServer?.port ?? 1)/list.txt"
    }

    /// `www.example.test` blocked by list `ads`, as each case's starting point.
    static func blockingWWW(_ h: ReloadHarness, _ more: String = "") -> [String: String] {
        ["blocklists": "{lists: [{name: ads, file: \(list(h, "www.txt", ["www.example.test"]))}]\(more)}"]
    }

    static var blocklistCases: [ReloadCase] { [
        ReloadCase(key: "blocklists.lists", group: .answers, after: { h in blockingWWW(h) },
                   probe: ("NXDOMAIN/0", { h in h.ask("www.example.test") })),
        ReloadCase(key: "blocklists.lists.file", group: .answers,
                   before: { h in ["blocklists": "{lists: [{name: ads, file: \(list(h, "other.txt", ["other.example.test"]))}]}"] },
                   after: { h in blockingWWW(h) }, probe: ("NXDOMAIN/0", { h in h.ask("www.example.test") })),
        ReloadCase(key: "blocklists.lists.name", group: .answers, before: { h in blockingWWW(h) },
                   after: { h in ["blocklists": "{lists: [{name: renamed, file: \(list(h, "www.txt", ["www.example.test"]))}]}"] },
                   probe: ("renamed", { h in
                       let result = try h.call("policy.lists")["result"] as? [String: Any]
                       return ((result?["lists"] as? [[String: Any]])?.first?["name"] as? String) ?? "none"
                   })),
        ReloadCase(key: "blocklists.lists.allow", group: .answers, before: { h in blockingWWW(h) },
                   after: { h in ["blocklists": "{lists: [{name: ads, file: www.txt}, {name: ours, file: \(list(h, "allow.txt", ["www.example.test"])), allow: true}]}"] },
                   probe: ("NOERROR/1", { h in h.ask("www.example.test") })),
        ReloadCase(key: "blocklists.answer", group: .answers, before: { h in blockingWWW(h) }, after: { h in blockingWWW(h, ", answer: refused") },
                   probe: ("REFUSED/0", { h in h.ask("www.example.test") })),
        ReloadCase(key: "blocklists.ttl", group: .answers, before: { h in blockingWWW(h, ", answer: null") },
                   after: { h in blockingWWW(h, ", answer: null, ttl: 7s") },
                   probe: ("7", { h in "\(try Dig.query(port: h.port, "www.example.test", "A").answer.first?.ttl ?? 0)" })),
        ReloadCase(key: "blocklists.lists.url", group: .answers,
                   after: { _ in ["blocklists": "{lists: [{name: feed, url: \"\(listURL())\", file: url-copy.txt}]}"] },
                   probe: ("NXDOMAIN/0", { h in
                       // The download runs after the reload: give it a few seconds.
                       for _ in 0..<50 where h.ask("www.example.test") != "NXDOMAIN/0" { Thread.sleep(forTimeInterval: 0.2) }
                       return h.ask("www.example.test")
                   })),
        ReloadCase(key: "blocklists.lists.refresh", group: .answers,
                   before: { _ in ["blocklists": "{lists: [{name: feed, url: \"\(listURL())\", file: refresh-copy.txt}]}"] },
                   after: { _ in ["blocklists": "{lists: [{name: feed, url: \"\(listURL())\", file: refresh-copy.txt, refresh: 5m}]}"] },
                   probe: ("300", { h in
                       let result = try h.call("policy.lists")["result"] as? [String: Any]
                       return "\((result?["lists"] as? [[String: Any]])?.first?["refresh_seconds"] ?? "none")"
                   })),
        ReloadCase(key: "blocklists.groups", group: .answers, before: { h in blockingWWW(h) },
                   after: { h in blockingWWW(h, ", groups: [{name: elsewhere, clients: [127.0.0.9/32], lists: [ads]}]") },
                   probe: ("NOERROR/1", { h in h.ask("www.example.test") })),
    ] }
}
