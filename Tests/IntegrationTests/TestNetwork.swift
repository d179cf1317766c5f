import Foundation

/// A test host in a network namespace of its own, linked to this host by a veth pair, so that
/// a query can come from an address that is neither loopback nor one of this host's subnets
/// (the default access rules' "non-local" client). Traffic stays between the two ends.
///
///     this host  dnsdhN 198.18.N.1/30  <-veth->  dnsdnN 198.18.N.2/30 + 198.19.N.2/32  (netns dnsdtN)
///     route 198.19.N.0/24 via 198.18.N.2
///
/// Needs root and iproute2 (both there in CI). `remove()` deletes the namespace and the pair.
final class TestNetwork {
    let namespace: String
    let hostInterface: String
    let hostAddress: String
    /// On the host's own subnet: a local client.
    let localClient: String
    /// Routed through the namespace: not on any of this host's subnets.
    let remoteClient: String
    private let ip: String

    init() throws {
        ip = try PeerTool.require("ip")
        let tag = Int(getpid()) % 200 + 20
        namespace = "dnsdt\(tag)"
        hostInterface = "dnsdh\(tag)"
        let peer = "dnsdn\(tag)"
        hostAddress = "198.18.\(tag).1"
        localClient = "198.18.\(tag).2"
        remoteClient = "198.19.\(tag).2"
        _ = try? PeerTool.run(ip, ["netns", "del", namespace])
        let steps: [[String]] = [
            ["netns", "add", namespace],
            ["link", "add", hostInterface, "type", "veth", "peer", "name", peer],
            ["link", "set", peer, "netns", namespace],
            ["addr", "add", "\(hostAddress)/30", "dev", hostInterface],
            ["link", "set", hostInterface, "up"],
            ["route", "add", "198.19.\(tag).0/24", "via", localClient, "dev", hostInterface],
            ["-n", namespace, "addr", "add", "\(localClient)/30", "dev", peer],
            ["-n", namespace, "addr", "add", "\(remoteClient)/32", "dev", peer],
            ["-n", namespace, "link", "set", peer, "up"],
            ["-n", namespace, "link", "set", "lo", "up"],
            ["-n", namespace, "route", "add", "default", "via", hostAddress],
        ]
        for step in steps {
            let result = try PeerTool.run(ip, step)
            guard result.status == 0 else {
                remove()
                throw IntegrationError("ip \(step.joined(separator: " ")) failed\n\(result.transcript)")
            }
        }
    }

    deinit { remove() }

    /// Runs `executable` inside the namespace.
    func run(_ executable: String, _ arguments: [String], timeout: Double = 30) throws -> CommandResult {
        try PeerTool.run(ip, ["netns", "exec", namespace, executable] + arguments, timeout: timeout)
    }

    /// Adds an address to this host's end, as a DHCP renewal or a new VLAN would.
    func addHostAddress(_ cidr: String) throws {
        let result = try PeerTool.run(ip, ["addr", "add", cidr, "dev", hostInterface])
        guard result.status == 0 else { throw IntegrationError("ip addr add \(cidr) failed\n\(result.transcript)") }
    }

    func remove() {
        _ = try? PeerTool.run(ip, ["netns", "del", namespace])
        _ = try? PeerTool.run(ip, ["link", "del", hostInterface])
    }
}
