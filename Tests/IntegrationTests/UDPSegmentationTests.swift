import CDatagramBatch
import Foundation
import Testing

/// `udp.segmentation` (UDPSettings.swift) on a real dnsd: the answers of one burst to the same
/// client with the same length leave as one segmented message, which a client that asks for
/// UDP GRO receives whole (an ordinary client gets the datagrams the kernel cut from it); with
/// `segmentation: false` every answer leaves on its own. Either way every query is answered
/// once, intact.
@Suite("UDP segmentation")
struct UDPSegmentationTests {
    static let queries = 32

    /// Sends `queries` identical-length questions in one coalesced message (so they reach dnsd's
    /// socket together and one `recvmmsg` takes them) and reads every answer. Returns the
    /// answer IDs in arrival order and how many reads held more than one answer.
    static func burst(port: UInt16, client: GROSocket, firstID: UInt16) throws -> (ids: [UInt16], coalescedReads: Int) {
        let batch = try #require(dnsd_batch_create(Int32(queries), 512))
        defer { dnsd_batch_destroy(batch) }
        let server = GROSocket.loopback(port: port)
        for index in 0..<queries {
            let query = RawDNS.query(id: firstID + UInt16(index), name: "www.example.test", type: RawDNS.typeA)
            try BatchSlot.fill(batch, index, with: query, to: server)
        }
        #expect(dnsd_batch_send(client.fd, batch, Int32(queries)) == Int32(queries))

        var ids: [UInt16] = [], coalescedReads = 0
        while ids.count < queries, let read = client.read() {
            let size = read.segment ?? read.bytes.count
            if read.bytes.count > size { coalescedReads += 1 }
            for start in stride(from: 0, to: read.bytes.count, by: size) {
                let answer = Array(read.bytes[start..<min(start + size, read.bytes.count)])
                #expect(answer.count > 12 && answer[3] & 0x0F == 0, "NOERROR expected: \(answer)")
                ids.append(UInt16(answer[0]) << 8 | UInt16(answer[1]))
            }
        }
        return (ids, coalescedReads)
    }

    @Test("by default a burst's answers to one client leave coalesced, each answered once")
    func coalescedByDefault() throws {
        try DnsdProcess.with(settings: "threads: 1\n") { dnsd in
            #expect(dnsd.stderr.contains("udp_segmentation=true"), "\(dnsd.stderr)")
            let client = try GROSocket()
            // The first burst fills the packet cache; later ones are answered by the worker.
            // A burst the worker happened to take in pieces may show no coalescing, hence a few.
            var coalesced = 0
            for round in 0..<5 where coalesced == 0 {
                let firstID = UInt16(1000 + round * 100)
                let result = try Self.burst(port: dnsd.port, client: client, firstID: firstID)
                #expect(result.ids.sorted() == (0..<Self.queries).map { firstID + UInt16($0) })
                if round > 0 { coalesced += result.coalescedReads }
            }
            #expect(coalesced > 0, "no answers arrived coalesced in 4 bursts of \(Self.queries)")
        }
    }

    @Test("segmentation: false sends every answer on its own; a reload to true needs a restart")
    func separateWhenOff() throws {
        try DnsdProcess.with(settings: "threads: 1\nudp: {segmentation: false}\n") { dnsd in
            #expect(dnsd.stderr.contains("udp_segmentation=false"), "\(dnsd.stderr)")
            let client = try GROSocket()
            for round in 0..<3 {
                let firstID = UInt16(2000 + round * 100)
                let result = try Self.burst(port: dnsd.port, client: client, firstID: firstID)
                #expect(result.ids.sorted() == (0..<Self.queries).map { firstID + UInt16($0) })
                #expect(result.coalescedReads == 0)
            }

            let text = "threads: 1\nudp: {segmentation: true}\n" + DnsdProcess.configText(port: dnsd.port)
            try text.write(toFile: dnsd.configPath, atomically: true, encoding: .utf8)
            let socket = dnsd.controlSocket
            let reload = try ControlPlaneTests.dnsctl(socket, ["--json", "config.reload"])
            #expect(reload.status == 0 && reload.stdout.contains("udp.segmentation"), "\(reload.transcript)")
            let after = try Self.burst(port: dnsd.port, client: client, firstID: 3000)
            #expect(after.ids.count == Self.queries && after.coalescedReads == 0)
        }
    }
}
