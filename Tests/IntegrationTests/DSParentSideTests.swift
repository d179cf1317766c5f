import Foundation
import Testing

/// DS is data of the parent side of a zone cut (RFC 4035 §3.1.4.1). With the parent
/// (example.test.) and the child (sub.example.test.) both served, in two server blocks, a DS
/// query for the child's apex is answered from the parent: dig asks dnsd and NSD, serving the
/// same two zones, the same questions and the answers must match.
@Suite("DS at a served child apex")
struct DSParentSideTests {
    static let ds = "sub IN DS 12345 13 2 2BB183AF5F22588179A53B0A98631FAD1A292118BE4B6FDEC1D36AA0E7F1D4E3"

    static let child = """
        $ORIGIN sub.example.test.
        $TTL 3600
        @      IN SOA ns1 hostmaster 7 7200 3600 1209600 600
        @      IN NS  ns1
        @      IN NS  ns2
        ns1    IN A   192.0.2.53
        ns2    IN A   192.0.2.54
        www    IN A   192.0.2.99

        """

    /// (name, type, what it shows)
    static let questions: [(String, String, String)] = [
        ("sub.example.test.", "DS", "DS at the child apex: the parent's DS record"),
        ("SUB.Example.test.", "DS", "the same in another case"),
        ("sub.example.test.", "SOA", "other types at the child apex: the child"),
        ("sub.example.test.", "NS", "the child's own NS RRset"),
        ("www.sub.example.test.", "A", "names below the apex: the child"),
        ("www.sub.example.test.", "DS", "DS below the apex: the child's NODATA"),
        ("example.test.", "DS", "DS at the parent apex with no grandparent served: the parent's NODATA"),
    ]

    /// A section as a set, owner names lower-cased: servers may echo the question's case.
    static func records(_ section: [DigRecord]) -> Set<String> {
        Set(section.map { "\($0.owner.lowercased()) \($0.ttl) \($0.recordClass) \($0.type) \($0.rdata)" })
    }

    @Test("dig gets the parent's DS from dnsd, as from NSD, over UDP and TCP")
    func dsComesFromTheParent() throws {
        let scratch = try Fixtures.scratchDirectory("dnsd-ds")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let parentPath = scratch.appendingPathComponent("parent.zone").path
        let childPath = scratch.appendingPathComponent("sub.example.test.zone").path
        try (try String(contentsOfFile: try Fixtures.path("example.test.zone"), encoding: .utf8) + "\n\(Self.ds)\n")
            .write(toFile: parentPath, atomically: true, encoding: .utf8)
        try Self.child.write(toFile: childPath, atomically: true, encoding: .utf8)

        let directory = try Fixtures.scratchDirectory("dnsd-ds-run")
        let port = try LoopbackPort.free()
        let configPath = directory.appendingPathComponent("dnsd.yaml").path
        try """
            listen: [udp://127.0.0.1:\(port), tcp://127.0.0.1:\(port)]
            control: {socket: control.sock}
            servers:
              - zones: [sub.example.test.]
                plugins:
                  - zone: {file: \(childPath)}
              - zones: [example.test.]
                plugins:
                  - zone: {file: \(parentPath)}

            """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let dnsd = try DnsdProcess(arguments: ["--config", configPath], directory: directory, configPath: configPath, port: port)
        defer {
            if (try? dnsd.stop()) == 0 { try? FileManager.default.removeItem(at: directory) }
        }
        try dnsd.waitUntilAnswering()

        let nsd = try NSDProcess(zones: [(origin: "example.test.", file: parentPath), (origin: "sub.example.test.", file: childPath)])
        defer { nsd.stop() }
        try nsd.waitUntilAnswering()

        let dig = try PeerTool.require("dig")
        func ask(_ serverPort: UInt16, _ name: String, _ type: String, tcp: Bool) throws -> DigOutput {
            let result = try PeerTool.run(dig, ["@127.0.0.1", "-p", "\(serverPort)", name, type, "+norec", "+tries=1", "+time=3"] + (tcp ? ["+tcp"] : []))
            return try DigOutput(result.stdout)
        }
        for (name, type, what) in Self.questions {
            for tcp in [false, true] {
                let ours = try ask(dnsd.port, name, type, tcp: tcp)
                let reference = try ask(nsd.port, name, type, tcp: tcp)
                let label = "\(name) \(type) over \(tcp ? "TCP" : "UDP") (\(what))"
                #expect(ours.status == reference.status, "\(label)\ndnsd:\n\(ours.raw)\nNSD:\n\(reference.raw)")
                #expect(ours.authoritative == reference.authoritative, "\(label)\ndnsd:\n\(ours.raw)\nNSD:\n\(reference.raw)")
                #expect(Self.records(ours.answer) == Self.records(reference.answer), "\(label)\ndnsd:\n\(ours.raw)\nNSD:\n\(reference.raw)")
                #expect(Self.records(ours.authority) == Self.records(reference.authority), "\(label)\ndnsd:\n\(ours.raw)\nNSD:\n\(reference.raw)")
            }
        }
        // Not only equal to NSD: the answer is the parent's DS record.
        let answer = try ask(dnsd.port, "sub.example.test.", "DS", tcp: false)
        #expect(answer.answer.map(\.type) == ["DS"] && answer.authoritative, "\(answer.raw)")
    }
}
