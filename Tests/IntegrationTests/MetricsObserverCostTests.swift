import Daemon
import DNSProto
import Dispatch
import Foundation
import Prometheus
import Resolver
import Testing

/// The metrics observer in-process, on its own Prometheus registry: what one `record` costs
/// on the query path (printed as ns/op, not asserted: machines differ), and that the counts
/// it renders are exactly what it was fed.
@Suite("Metrics observer cost")
struct MetricsObserverCostTests {
    static let iterations = 200_000

    /// Three blocks, as a small real config has; names inside two of them and outside all.
    static func pipeline() throws -> PipelineReference {
        let blocks = try ["example.test.", "corp.example.", "1.0.10.in-addr.arpa."].map {
            ServerBlock(zones: [try DNSName($0)], plugins: [])
        }
        return PipelineReference(Pipeline(blocks: blocks))
    }

    static func events() throws -> [QueryEvent] {
        let names = try ["www.example.test.", "host.corp.example.", "www.example.org."].map { try DNSName($0) }
        let rcodes: [Rcode] = [.noError, .nxDomain, .refused]
        let sources: [AnswerSource] = [.zone(names[0]), .cache, .server]
        return (0..<3).map { index in
            QueryEvent(timeNanos: 0, client: nil, transport: index == 1 ? .tcp : .udp, name: names[index], type: RecordType(rawValue: 1),
                       rcode: rcodes[index], latencyNanos: UInt64(20_000 * (index + 1)), source: sources[index],
                       truncated: false, dnssecOK: false, responseBytes: 60)
        }
    }

    @Test("record: ns per answered query (printed), and exact counts rendered")
    func recordCost() throws {
        let registry = PrometheusCollectorRegistry()
        let observer = QueryMetrics(pipeline: try Self.pipeline(), factory: MetricsSetup.makeFactory(registry: registry))
        let events = try Self.events()
        // Warm up: the first sight of each label set makes its metric objects.
        for event in events { observer.queryStarted(); observer.record(event) }

        let start = DispatchTime.now().uptimeNanoseconds
        for index in 0..<Self.iterations {
            observer.queryStarted()
            observer.record(events[index % 3])
        }
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        let perQuery = Double(elapsed) / Double(Self.iterations)

        let counters = QueryCounters()
        let counterStart = DispatchTime.now().uptimeNanoseconds
        for index in 0..<Self.iterations { counters.record(events[index % 3]) }
        let counterPerQuery = Double(DispatchTime.now().uptimeNanoseconds - counterStart) / Double(Self.iterations)
        print(String(format: "QueryMetrics.record + queryStarted: %.0f ns/op (QueryCounters.record for scale: %.0f ns/op), %d calls",
                     perQuery, counterPerQuery, Self.iterations))

        let text = MetricsText(registry.emitToString())
        let each = Double(Self.iterations / 3 + 1)
        let extra = Double(Self.iterations % 3 > 0 ? 1 : 0)
        #expect(text[#"dnsd_queries_total{transport="udp",block="example.test."}"#] == each + extra, "\(text.text)")
        #expect(text[#"dnsd_queries_total{transport="tcp",block="corp.example."}"#] == each + (Self.iterations % 3 > 1 ? 1 : 0), "\(text.text)")
        #expect(text[#"dnsd_queries_total{transport="udp",block="none"}"#] == each, "\(text.text)")
        #expect(text[#"dnsd_answers_total{rcode="REFUSED"}"#] == each, "\(text.text)")
        #expect(text[#"dnsd_answers_by_source_total{source="cache"}"#] == each + (Self.iterations % 3 > 1 ? 1 : 0), "\(text.text)")
        #expect(text[#"dnsd_answers_by_source_total{source="hosts"}"#] == 0, "\(text.text)")
        // 20 µs (example.test.) lands in the 50 µs bucket; 60 µs (the REFUSED ones, no block) in the 100 µs one.
        #expect(text[#"dnsd_request_duration_seconds_bucket{transport="udp",block="example.test.",le="0.00005"}"#] == each + extra, "\(text.text)")
        #expect(text[#"dnsd_request_duration_seconds_bucket{transport="udp",block="none",le="0.00005"}"#] == 0, "\(text.text)")
        #expect(text[#"dnsd_request_duration_seconds_bucket{transport="udp",block="none",le="0.0001"}"#] == each, "\(text.text)")
        #expect(observer.inFlight == 0)
        #expect(text.values.count < 80, "label cardinality grew: \(text.values.count) series")
    }

    @Test("two threads recording at once: ns per query (printed), nothing lost")
    func contendedCost() async throws {
        let registry = PrometheusCollectorRegistry()
        let observer = QueryMetrics(pipeline: try Self.pipeline(), factory: MetricsSetup.makeFactory(registry: registry))
        let events = try Self.events()
        let start = DispatchTime.now().uptimeNanoseconds
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    for index in 0..<Self.iterations {
                        observer.queryStarted()
                        observer.record(events[index % 3])
                    }
                }
            }
        }
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        print(String(format: "QueryMetrics.record, 2 threads: %.0f ns of wall time per query over %d queries",
                     Double(elapsed) / Double(2 * Self.iterations), 2 * Self.iterations))
        let text = MetricsText(registry.emitToString())
        let total = text.values.filter { $0.key.hasPrefix("dnsd_answers_total{") }.values.reduce(0, +)
        #expect(total == Double(2 * Self.iterations), "\(text.text)")
        #expect(observer.inFlight == 0)
    }
}
