/// The configuration dnsd runs when started without `--config`: loopback port 5353 over UDP
/// and TCP, `localhost.` (RFC 6761 §6.3), its reverse zones, and a small demonstration zone
/// `dnsd.internal.` to query; every other name is answered from a cache in front of the
/// nameservers of /etc/resolv.conf. `dnsd --print-default-config` shows it as a starting point.
public enum DefaultConfig {
    public static let yaml = """
    # dnsd built-in configuration (dnsd --print-default-config > dnsd.yaml to start your own).
    listen: [udp://127.0.0.1:5353, tcp://127.0.0.1:5353]
    # Stream connections (TCP, DoT, DoH): a query must arrive whole within query_timeout of its
    # first byte; one client address holds at most max_connections_per_client connections:
    tcp: {idle_timeout: 10s, query_timeout: 5s, max_connections: 1000, max_connections_per_client: 64, max_queries_in_flight: 100}
    # UDP worker threads under SCHED_BATCH (docs/configuration.md); normal to preempt at once.
    # segmentation: same-length datagrams to one peer leave as one segmented message (UDP GSO);
    # batch_wait: under load a worker sleeps this long after a burst (at most 1ms) so queries gather:
    udp: {scheduling: batch, segmentation: true, batch_wait: 50us}
    # Who may ask (docs/access.md). Without acl, blocks that cache, forward or recurse answer
    # only loopback and this host's own subnets, zones answer everyone. For a LAN, e.g.:
    # acl: [{allow: [localnets, 192.0.2.0/24]}, {block: any}]
    # Response rate limiting per /24 (/56) and DNS cookies are on; loopback is exempt:
    # rrl: {responses_per_second: 200, slip: 2, window: 15s, exempt: [loopback]}
    # cookies: {secret_file: /var/lib/dnsd/cookie.secret}
    # Prometheus metrics (docs/metrics.md); off unless enabled:
    # metrics: {listen: 127.0.0.1:9153, path: /metrics}
    servers:
      - zones: [localhost.]
        plugins:
          - zone:
              inline: |
                $TTL 86400
                @  IN SOA localhost. hostmaster.localhost. 1 3600 600 86400 3600
                @  IN NS  localhost.
                @  IN A    127.0.0.1
                @  IN AAAA ::1
                ; RFC 6761 6.3: every name below localhost. is loopback too
                *  IN A    127.0.0.1
                *  IN AAAA ::1
      - zones: [127.in-addr.arpa.]
        plugins:
          - zone:
              inline: |
                $TTL 86400
                @         IN SOA localhost. hostmaster.localhost. 1 3600 600 86400 3600
                @         IN NS  localhost.
                1.0.0     IN PTR localhost.
      - zones: [1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.]
        plugins:
          - zone:
              inline: |
                $TTL 86400
                @  IN SOA localhost. hostmaster.localhost. 1 3600 600 86400 3600
                @  IN NS  localhost.
                @  IN PTR localhost.
      - zones: [dnsd.internal.]
        plugins:
          - zone:
              inline: |
                $TTL 300
                @        IN SOA ns.dnsd.internal. hostmaster.dnsd.internal. (
                                2026112201 ; serial
                                1h         ; refresh
                                15m        ; retry
                                1w         ; expire
                                5m )       ; negative TTL
                         IN NS   ns
                         IN MX   10 mail
                         IN TXT  "v=spf1 mx -all"
                ns       IN A    127.0.0.1
                www      IN A    127.0.0.1
                         IN AAAA ::1
                mail     IN A    127.0.0.1
                web      IN CNAME www
                _dns._udp IN SRV 0 0 5353 ns
                *.apps   IN A    127.0.0.1
      # Everything else: a cache in front of the resolvers this machine already uses.
      - zones: [.]
        plugins:
          - cache: {}
          - forward: {to: [/etc/resolv.conf]}
    """
}
