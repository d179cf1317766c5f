import ControlProto
@testable import Daemon
import Dispatch
import Foundation
import FuzzSupport
import Logging
import NIOCore
import NIOEmbedded

/// libFuzzer entry point for the control socket's input: arbitrary bytes as what a client
/// writes, split into lines by the server's own `LineFrameDecoder`, and each line decoded and
/// run by `ControlDispatcher` (JSON-RPC 2.0: requests, notifications, batches) as a read-only
/// caller against `FuzzDaemon`'s runtime. Read-only, so that methods that change the daemon
/// (zone edits, reloads) are refused before they run; the read-only ones run for real, with
/// their params decoded as the catalog says.
///
/// Checks: lines are at most the limit and hold no newline; every reply is one line of valid
/// JSON, a JSON-RPC 2.0 response (or a batch of them) with a result or an error; a line that
/// is not JSON gets the parse error (-32700); no reply only when the line held notifications.
/// Not in main.swift: libFuzzer supplies `main`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let lineLimit = 4096
    let channel = EmbeddedChannel(handler: ByteToMessageHandler(LineFrameDecoder(maxLength: lineLimit)))
    var input = channel.allocator.buffer(capacity: size)
    input.writeBytes(UnsafeBufferPointer(start: data, count: size))
    // An over-long line is refused with an error (the server then closes the connection).
    _ = try? channel.writeInbound(input)
    var lines: [[UInt8]] = []
    while let line = try? channel.readInbound(as: ByteBuffer.self) { lines.append(Array(line.readableBytesView)) }
    _ = try? channel.finish()
    let session = ControlSession(channel: sessionChannel, role: .readOnly, peer: nil, quota: quota)
    for line in lines {
        guard line.count <= lineLimit, !line.contains(UInt8(ascii: "\n")) else { fatalError("a line of \(line.count) bytes, or with a newline") }
        check(line: line, reply: run(line, session: session))
    }
    session.closeAll()
    return 0
}

let quota = ControlQuota(limits: { ControlLimits() })

/// The sessions' channel: methods run on other threads and schedule on its loop (a
/// subscription's poller), which an `EmbeddedChannel`'s loop does not allow.
let sessionChannel = NIOAsyncTestingChannel()

let dispatcher: ControlDispatcher = {
    var audit = Logger(label: "dnsd.audit")
    audit.logLevel = .critical
    return ControlDispatcher(runtime: FuzzDaemon.runtime, methods: .standard, audit: ControlAudit(logger: audit))
}()

/// Runs one line on a task and waits for it: the dispatcher is async, libFuzzer is not.
/// `Task.immediate` starts the task on this thread, so a line whose methods never suspend is
/// done before it returns and the wait costs nothing; with a plain `Task` every line was two
/// thread hops, which on a loaded machine cost milliseconds each. A line that does suspend
/// finishes on the pool, and the wait holds until it has.
func run(_ line: [UInt8], session: ControlSession) -> [UInt8]? {
    let done = DispatchSemaphore(value: 0)
    let reply = ReplyBox()
    Task.immediate {
        reply.value = await dispatcher.handle(line: line, session: session)
        done.signal()
    }
    done.wait()
    return reply.value
}

final class ReplyBox: @unchecked Sendable {
    // Written by the task before it signals, read after the wait: the semaphore orders them.
    var value: [UInt8]?
}

func check(line: [UInt8], reply: [UInt8]?) {
    let parsed = try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed])
    guard let reply else {
        // Only notifications (requests without an id) go unanswered.
        let items = (parsed as? [Any]) ?? [parsed as Any]
        for item in items where !((item as? [String: Any]).map { $0["id"] == nil && $0["method"] is String } ?? false) {
            fatalError("no reply to a line that is not only notifications: \(String(decoding: line, as: UTF8.self))")
        }
        return
    }
    guard reply.last == UInt8(ascii: "\n"), reply.dropLast().allSatisfy({ $0 != UInt8(ascii: "\n") }),
          let json = try? JSONSerialization.jsonObject(with: Data(reply.dropLast())) else {
        fatalError("a reply that is not one line of JSON: \(String(decoding: reply, as: UTF8.self))")
    }
    let responses = (json as? [Any]) ?? [json]
    for response in responses {
        guard let object = response as? [String: Any], object["jsonrpc"] as? String == "2.0", object.keys.contains("id"),
              (object["result"] != nil) != (object["error"] != nil) else {
            fatalError("not a JSON-RPC response: \(String(decoding: reply, as: UTF8.self))")
        }
        if let error = object["error"] {
            guard let error = error as? [String: Any], error["code"] is Int, error["message"] is String else {
                fatalError("a malformed error object: \(String(decoding: reply, as: UTF8.self))")
            }
        }
    }
    if parsed == nil {
        guard let error = (json as? [String: Any])?["error"] as? [String: Any], error["code"] as? Int == -32700 else {
            fatalError("a line that is not JSON did not get the parse error: \(String(decoding: reply, as: UTF8.self))")
        }
    }
}
