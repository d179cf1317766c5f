import Daemon
import Logging

/// The daemon the DoH and control harnesses talk to: the built-in zones (`localhost.`,
/// `dnsd.internal.`, ...) and a hosts block for everything else, with nothing that opens a
/// socket (no forward, no listener is bound). Built once per process.
public enum FuzzDaemon {
    public static let yaml = """
        listen: [udp://127.0.0.1:5353]
        servers:
          - zones: [dnsd.internal.]
            plugins:
              - zone:
                  inline: |
                    $TTL 300
                    @        IN SOA ns.dnsd.internal. hostmaster.dnsd.internal. 1 3600 900 604800 300
                             IN NS   ns
                             IN MX   10 mail
                             IN TXT  "v=spf1 mx -all"
                    ns       IN A    127.0.0.1
                    www      IN A    127.0.0.1
                             IN AAAA ::1
                    web      IN CNAME www
                    _dns._udp IN SRV 0 0 5353 ns
                    *.apps   IN A    127.0.0.1
                    sub      IN NS   ns.sub
                    ns.sub   IN A    127.0.0.2
          - zones: [.]
            plugins:
              - hosts: {inline: ["127.0.0.1 localhost", "::1 localhost", "192.0.2.7 printer.lan"], fallthrough: false}
        """

    public static let runtime: DaemonRuntime = {
        var logger = Logger(label: "dnsd.fuzz")
        logger.logLevel = .critical
        do {
            let config = try DaemonConfig.parse(yaml: yaml, file: "fuzz.yaml", baseDirectory: "")
            // A small event ring: methods that read it (queries.top, latency.histogram) scan all of it.
            return try DaemonRuntime(config: config, configPath: nil, logger: logger, eventCapacity: 256)
        } catch {
            fatalError("the harness configuration does not load: \(error)")
        }
    }()
}
