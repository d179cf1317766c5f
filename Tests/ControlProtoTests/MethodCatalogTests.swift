import Foundation
import Testing
@testable import ControlProto

@Suite("Method catalog")
struct MethodCatalogTests {
    @Test func namesAreUniqueAndAreaDotVerb() {
        let names = MethodCatalog.all.map(\.name)
        #expect(Set(names).count == names.count)
        for name in names {
            // area.verb, or area.object.verb where an area holds several kinds of thing
            // (dnssec.nta.add beside dnssec.trust_anchors, as unbound-control's and rndc's names go).
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            #expect((2...3).contains(parts.count) && parts.allSatisfy { !$0.isEmpty }, "\(name) is not area.verb or area.object.verb")
        }
    }

    @Test func everyMethodIsDocumented() {
        for method in MethodCatalog.all {
            #expect(!method.summary.isEmpty, "\(method.name)")
            #expect(method.example.hasPrefix("dnsctl \(method.name)"), "\(method.name): example \(method.example)")
            #expect(!method.exampleResult.isEmpty, "\(method.name)")
        }
    }

    /// docs/control-methods.md is generated; regenerate with `dnsctl help --markdown > docs/control-methods.md`.
    @Test func docsMatchTheCatalog() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let docs = try String(contentsOf: root.appendingPathComponent("docs/control-methods.md"), encoding: .utf8)
        #expect(docs == MethodCatalog.markdownReference(), "docs/control-methods.md is stale: run `dnsctl help --markdown > docs/control-methods.md`")
    }

    @Test func positionalArgumentsMapOntoParameters() throws {
        let top = try #require(MethodCatalog.descriptor(named: "queries.top"))
        #expect(try top.params(fromArguments: ["300", "5"]) == .object(["window": .int(300), "limit": .int(5)]))
        #expect(throws: RPCError.self) { try top.params(fromArguments: ["soon"]) }
        #expect(try top.params(fromArguments: ["60", "5", "nxdomain"]) == .object(["window": .int(60), "limit": .int(5), "kind": .string("nxdomain")]))
        #expect(throws: RPCError.self) { try top.params(fromArguments: ["1", "2", "names", "4"]) }
        #expect(try top.params(fromArguments: []) == nil)
    }

    @Test func responsesEncodeExactlyOneOfResultAndError() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let ok = String(decoding: try encoder.encode(RPCResponse(id: .int(1), result: .null)), as: UTF8.self)
        #expect(ok == #"{"id":1,"jsonrpc":"2.0","result":null}"#)
        let failed = String(decoding: try encoder.encode(RPCResponse(id: .null, error: RPCError(code: -32700, message: "x"))), as: UTF8.self)
        #expect(failed == #"{"error":{"code":-32700,"message":"x"},"id":null,"jsonrpc":"2.0"}"#)
    }

    /// `name=value` sets a parameter by name in any order; other words fill the rest in order;
    /// a value that merely contains `=` stays positional.
    @Test func namedArguments() throws {
        let top = try #require(MethodCatalog.descriptor(named: "queries.top"))
        #expect(try top.params(fromArguments: ["limit=5", "60"]) == .object(["window": .int(60), "limit": .int(5)]))
        #expect(try top.params(fromArguments: ["60", "5"]) == .object(["window": .int(60), "limit": .int(5)]))
        #expect(throws: RPCError.self) { try top.params(fromArguments: ["limit=five"]) }
        let stats = try #require(MethodCatalog.descriptor(named: "stats.get"))
        #expect(try stats.params(fromArguments: ["prefix=cache"]) == .object(["prefix": .string("cache")]))
        #expect(try stats.params(fromArguments: ["v=spf1"]) == .object(["prefix": .string("v=spf1")]))
        // A method this catalog does not know: named words as an object, else an array.
        #expect(MethodDescriptor.untypedParams(fromArguments: ["depth=3", "all=true", "name=x"])
                == .object(["depth": .int(3), "all": .bool(true), "name": .string("x")]))
        #expect(MethodDescriptor.untypedParams(fromArguments: ["a", "b"]) == .array([.string("a"), .string("b")]))
        #expect(MethodDescriptor.untypedParams(fromArguments: []) == nil)
    }
}
