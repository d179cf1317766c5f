/// Reads the `nameserver` lines of a resolv.conf(5) file, so a `forward` entry can name
/// `/etc/resolv.conf` instead of listing servers.
public enum ResolvConf {
    /// The nameserver addresses in file order, as `udp://` upstream texts. Link-local IPv6
    /// addresses with a zone (`fe80::1%eth0`) are skipped: they cannot be written as a plain
    /// upstream address. Comments (`#`, `;`) and other options are ignored.
    public static func nameservers(in text: String) -> [String] {
        var servers: [String] = []
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.prefix { $0 != "#" && $0 != ";" }
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, fields[0] == "nameserver" else { continue }
            let address = String(fields[1])
            guard !address.contains("%"), isIPLiteral(address) else { continue }
            servers.append(address.contains(":") ? "udp://[\(address)]:53" : "udp://\(address):53")
        }
        return servers
    }
}
