import ArgumentParser
import Daemon
import Foundation
import Logging
import ServiceLifecycle

/// `dnsd`: the resolver daemon's command line.
@main
struct DnsdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dnsd",
        abstract: "A caching, forwarding and authoritative DNS server.",
        discussion: """
        Without --config, dnsd reads $DNSD_CONFIG when set, else /etc/dnsd/dnsd.yaml when it exists, \
        else runs its built-in configuration: UDP and TCP on 127.0.0.1:5353, answering localhost. \
        and the demonstration zone dnsd.internal. (see --print-default-config). The start-up line \
        says which (config=...).

        Under systemd (docs/operations.md): with $NOTIFY_SOCKET set, dnsd sends READY=1 once every \
        listener is bound and the zones are loaded, RELOADING=1 and READY=1 around each reload, \
        STOPPING=1 at shutdown and STATUS= lines; with $WATCHDOG_USEC set, WATCHDOG=1 every half \
        of it, each after a probe query to its own UDP listener was answered. Without --config or \
        control.socket, the control socket is $RUNTIME_DIRECTORY/control.sock when that is set.

        Logs go to stderr, one line per event: text, or one JSON object per line with \
        `log: {format: json}`. Under journald ($JOURNAL_STREAM naming stderr) each line starts with \
        its syslog priority (<6>) and has no timestamp of its own. Every control call that changes \
        the daemon is logged (notice, label dnsd.audit) with the caller's uid, the method and its \
        params. `config.reload` and SIGHUP apply log.level and log.format (docs/operations.md).

        Access: blocks that cache, forward or recurse answer only loopback and this host's own \
        subnets unless an `acl` allows more; zones answer everyone. UDP responses are rate-limited \
        per client network (`rrl`, 200/s per /24 by default, loopback exempt), each client may have \
        1000 queries waiting upstream (`limits`), and DNS cookies are answered (`cookies`). The \
        start-up line "access:" says which default each block uses. See docs/access.md.

        Stream connections (TCP, DoT, DoH) are bounded per client: one address may hold 64 of the \
        1000 connections (`tcp: {max_connections_per_client: 64, max_connections: 1000}`), a query \
        or HTTP request head must arrive whole within 5s of its first byte (`tcp.query_timeout`; \
        bytes trickling in do not extend it), one connection has at most 100 queries waiting \
        upstream (`tcp.max_queries_in_flight`), and a client that does not read its answers stops \
        being read. HTTP/2 limits are in `http2:`. See docs/configuration.md.

        Work held for waiting queries is capped for all clients together: per UDP worker 10000 \
        questions on the relay and 10000 misses on the full path (`limits: {relay_waiting, \
        relay_followers, miss_waiting}`), 1000 queries waiting for one cache miss \
        (`cache.max_followers`) and 1000 recursions (`recurse.max_concurrent`). Past a cap a query \
        gets SERVFAIL with an extended error naming the key; `dnsctl stats.get limits` counts them. \
        Upstream UDP queries leave from fresh random ports, from at most 1024 sockets per thread \
        (`limits.upstream_sockets`; past it queries share the open sockets' ports).

        UDP misses for server blocks that are only `forward` over UDP, or `cache` (without \
        serve_stale, prefetch, optimistic, servfail_ttl) then such a `forward`, are relayed by the \
        UDP workers without the plugin chain; the log lines "dnsd ready" and "configuration \
        reloaded" list those zones (udp_relay). See docs/plugins/forward.md.

        The UDP worker threads run under the normal scheduling policy unless the configuration says \
        `udp: {scheduling: batch}` (SCHED_BATCH, docs/configuration.md); the "dnsd ready" line shows which \
        (udp_scheduling). Datagrams of one burst to the same peer with the same length leave as \
        one message the kernel segments (UDP GSO) unless it says `udp: {segmentation: false}` \
        (udp_segmentation). Under load, after a burst a worker sleeps `udp: {batch_wait: 50us}` \
        (at most 1ms; 0 turns it off) before it reads again, so that the queries that arrive \
        meanwhile are served as one burst; after a quiet spell it does not (udp_batch_wait). \
        Where the host ends those sleeps late, a worker stops them for a while: \
        `dnsctl stats.get udp.batch_wait` counts the stops.

        The control socket's directory must belong to dnsd's user and be writable by no one else \
        (group write only for dnsd's own group); otherwise dnsd refuses to start, since another user \
        could replace the socket. Read-only control callers get at most \
        `control: {max_read_only_connections: 16, max_read_only_subscriptions: 16}`, so that admins \
        always get in (docs/control.md).

        Environment (for comparisons and debugging): DNSD_UDP_RELAY=off keeps every UDP miss on the \
        plugin chain; DNSD_PACKET_CACHE=off turns the packet cache (and with it the relay) off.

        Exit status: 0 after a clean shutdown (SIGTERM or SIGINT) or a passing --check-config; \
        1 when the configuration or a zone file is invalid (including a number or duration outside \
        its key's range, such as 1e10, inf, nan or -1), with FILE:LINE:COLUMN and the reason on \
        stderr, or when a listener or the control socket cannot be opened; 2 for bad command-line \
        arguments.
        """,
        version: DaemonVersion.description
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("YAML configuration file (default: $DNSD_CONFIG, else \(StandardPaths.configFile) when it exists, else the built-in one).", valueName: "FILE"))
    var config: String?

    @Option(name: .customLong("check-config"), help: ArgumentHelp("Check FILE (and the zone files it names), then exit.", valueName: "FILE"))
    var checkConfig: String?

    @Flag(name: .customLong("print-default-config"), help: "Print the built-in configuration and exit.")
    var printDefaultConfig = false

    @Option(name: .customLong("log-level"), help: "Override the log level (log.level, on reloads too): trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    func run() throws {
        if printDefaultConfig {
            print(DefaultConfig.yaml)
            return
        }
        if let checkConfig {
            do {
                let loaded = try DaemonConfig.load(path: checkConfig)
                let listeners = loaded.listeners.count, blocks = loaded.blocks.count
                print("\(checkConfig): OK (\(listeners) listener\(listeners == 1 ? "" : "s"), \(blocks) server block\(blocks == 1 ? "" : "s"))")
                return
            } catch {
                FileHandle.standardError.write(Data("dnsd: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
        let loaded: DaemonConfig
        let config = self.config ?? StandardPaths.defaultConfigFile()
        do {
            if let config {
                loaded = try DaemonConfig.load(path: config)
            } else {
                loaded = try DaemonConfig.parse(yaml: DefaultConfig.yaml, file: "<built-in config>", baseDirectory: "")
            }
        } catch {
            FileHandle.standardError.write(Data("dnsd: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let output = LogOutput.standardError
        output.apply(loaded.log)
        if let logLevel {
            guard let level = Logger.Level(rawValue: logLevel) else {
                FileHandle.standardError.write(Data("dnsd: unknown --log-level '\(logLevel)' (trace, debug, info, notice, warning, error, critical)\n".utf8))
                throw ExitCode(2)
            }
            output.overrideLevel(level)
        }
        LoggingSystem.bootstrap { label in DaemonLogHandler(label: label, output: output) }
        let logger = Logger(label: "dnsd")
        logger.info("starting dnsd \(DaemonVersion.description)", metadata: ["config": "\(config ?? "<built-in>")"])
        let runtime: DaemonRuntime
        do {
            runtime = try DaemonRuntime(config: loaded, configPath: config, logger: logger)
        } catch {
            logger.critical("dnsd: \(error)")
            throw ExitCode(1)
        }
        let server = DNSServer(runtime: runtime, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [.init(service: server)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        if let failure = MainThreadWait.run({ try await group.run() }) {
            logger.critical("dnsd stopped: \(failure)")
            throw ExitCode(1)
        }
    }
}
