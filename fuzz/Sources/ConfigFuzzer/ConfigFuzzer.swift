import Daemon
import DNSProto
import Foundation
import Resolver

/// libFuzzer entry point for the YAML configuration (`DaemonConfig.parse`, what dnsd runs at
/// start, in `--check-config` and on `config.reload`). Arbitrary bytes as the file's text: it
/// either loads or throws a `ConfigError` that says where (a line of the file, 1 or more), or
/// the zone loader's error for a zone it names (its file and line, or the unreadable file's
/// path), never a runtime trap (`tcp: {idle_timeout: 1e10}` was one). The base directory holds a
/// small zone file and hosts file, so relative `file:` keys (`example.zone`, `hosts`) load.
/// Not in main.swift: libFuzzer supplies `main`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        _ = try DaemonConfig.parse(yaml: text, file: "fuzz.yaml", baseDirectory: baseDirectory)
    } catch let error as ConfigError {
        guard !error.file.isEmpty, error.line >= 1, !error.message.isEmpty else {
            fatalError("a configuration error that does not say where: \(error)\n--- config:\n\(text)")
        }
    } catch let error as PresentationError {
        // A zone's own text, inline or in its file, is the zone loader's to report, at its
        // line (an inline zone's file names the configuration and the line it starts on).
        guard !error.location.file.isEmpty, error.location.line >= 1, !error.message.isEmpty else {
            fatalError("a zone error that does not say where: \(error)\n--- config:\n\(text)")
        }
    } catch let error as ZoneLoadError {
        // A zone file that cannot be read is named by its path, as dnsd reports it.
        guard !error.path.isEmpty, !error.reason.isEmpty else {
            fatalError("a zone file error that does not name the file: \(error)\n--- config:\n\(text)")
        }
    } catch {
        fatalError("a configuration error that is not a ConfigError: \(type(of: error)) \(error)\n--- config:\n\(text)")
    }
    return 0
}

/// Made once per process: a directory with the files the seed configurations name.
let baseDirectory: String = {
    let directory = NSTemporaryDirectory() + "dnsd-config-fuzz-\(ProcessInfo.processInfo.processIdentifier)"
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let zone = """
        $TTL 300
        @ IN SOA ns1 hostmaster 1 3600 600 86400 300
        @ IN NS ns1
        ns1 IN A 192.0.2.1
        www IN AAAA 2001:db8::1

        """
    _ = FileManager.default.createFile(atPath: directory + "/example.zone", contents: Data(zone.utf8))
    _ = FileManager.default.createFile(atPath: directory + "/hosts", contents: Data("127.0.0.1 localhost\n::1 localhost ip6-localhost\n".utf8))
    return directory
}()
