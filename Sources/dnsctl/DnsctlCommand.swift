import ArgumentParser
import ControlProto
import Foundation

/// `dnsctl METHOD [ARGS...]`: one control call, for shells, cron and deploy hooks.
@main
struct DnsctlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dnsctl",
        abstract: "Call a method on a running dnsd over its control socket.",
        discussion: """
        Positional ARGS fill the method's parameters in order (see `dnsctl help METHOD`).
        A string result is printed as is, anything else as JSON.

        Exit status: 0 on success; 1 when dnsd answered with an error (printed on stderr); \
        2 for bad usage; 3 when dnsd cannot be reached.

        `dnsctl status` says whether dnsd is running, like `unbound-control status`: exit 0 when \
        it answers, 3 when it is not running, 1 when that cannot be told (e.g. permission denied).

        The control socket is --socket, else $DNSD_SOCKET, else $RUNTIME_DIRECTORY/control.sock \
        (set by systemd for the service and its ExecReload), else /run/dnsd/control.sock for root \
        or when the system service's socket is there, else the per-user path dnsd prints at start.

        Methods:
        \(MethodCatalog.all.map { "  \($0.name.padding(toLength: 24, withPad: " ", startingAt: 0)) \($0.summary)" }.joined(separator: "\n"))
        """,
        version: ProductVersion.description
    )

    @Option(name: .shortAndLong, help: ArgumentHelp("Control socket (default: $DNSD_SOCKET, else \(ControlSocketPath.clientDefaultPath)).", valueName: "PATH"))
    var socket: String?

    @Option(help: "Seconds to wait for the answer.")
    var timeout: Int = 30

    @Flag(help: "Print the result as compact JSON, even for strings.")
    var json = false

    @Argument(help: "The method, e.g. core.uptime; `status`; or `help [METHOD]` (`help --markdown`: the whole reference).",
              completion: .custom(MethodCompletion.methods))
    var method: String

    @Argument(parsing: .allUnrecognized, help: "The method's parameters, in order, or as name=value (e.g. `stats.get prefix=cache`). A method this dnsctl does not know is sent to the daemon as it is.",
              completion: .custom(MethodCompletion.parameters))
    var arguments: [String] = []

    func run() throws {
        if method == "help" {
            try printHelp(arguments.first)
            return
        }
        if method == "status" {
            let code = DaemonStatus.report(path: ControlSocketPath.resolve(socket), timeout: timeout)
            if code != 0 { throw ExitCode(code) }
            return
        }
        // A method this dnsctl does not know may be a newer daemon's: it is sent anyway, and the
        // daemon's catalog (system.methodSignature) is the one that counts.
        let params: JSONValue?
        if let descriptor = MethodCatalog.descriptor(named: method) {
            do { params = try descriptor.params(fromArguments: arguments) } catch {
                fail("\(error)\nusage: \(descriptor.example)", code: 2)
            }
        } else {
            params = MethodDescriptor.untypedParams(fromArguments: arguments)
        }
        let path = ControlSocketPath.resolve(socket)
        let result: JSONValue
        let client: ControlClient
        do {
            client = try ControlClient(path: path, timeout: .seconds(timeout))
            result = try client.call(method, params: params)
        } catch let error as RPCError {
            var text = "dnsctl: \(method): \(error.message)"
            if let data = error.data { text += "\n" + data.prettyText }
            // A method neither dnsctl nor the daemon knows is a usage error, as before.
            if error.code == RPCError.methodNotFound, MethodCatalog.descriptor(named: method) == nil {
                fail(text + "\n`dnsctl help` lists the methods", code: 2, prefixed: false)
            }
            fail(text, code: 1, prefixed: false)
        } catch {
            fail("\(error)", code: 3)
        }
        if method == "queries.subscribe" {
            follow(client)
        }
        print(json ? result.jsonText : HumanOutput.render(result))
    }

    /// Prints the subscription's events, one per line, until the daemon or the user ends it.
    private func follow(_ client: ControlClient) -> Never {
        while true {
            let line: [UInt8]
            do { line = try client.readLine() } catch ControlClientError.timedOut { continue } catch {
                fail("\(error)", code: 3)
            }
            guard let notification = try? JSONDecoder().decode(RPCRequest.self, from: Data(line)),
                  let params = notification.params else { continue }
            if let missed = params["missed"]?.intValue, missed > 0 {
                FileHandle.standardError.write(Data("dnsctl: missed \(missed) events (reader too slow)\n".utf8))
            }
            for event in params["events"]?.arrayValue ?? [] {
                // Written unbuffered, so `dnsctl queries.subscribe | grep ...` sees lines at once.
                FileHandle.standardOutput.write(Data(((json ? event.jsonText : HumanOutput.queryEventLine(event)) + "\n").utf8))
            }
        }
    }

    private func printHelp(_ name: String?) throws {
        if name == "--markdown" {
            print(MethodCatalog.markdownReference(), terminator: "")
            return
        }
        guard let name else {
            print(Self.helpMessage())
            return
        }
        guard let descriptor = MethodCatalog.descriptor(named: name) else { fail("unknown method '\(name)'", code: 2) }
        print(descriptor.help)
    }

    private func fail(_ message: String, code: Int32, prefixed: Bool = true) -> Never {
        FileHandle.standardError.write(Data(((prefixed ? "dnsctl: " : "") + message + "\n").utf8))
        Foundation.exit(code)
    }
}
