import NIOCore
import NIOHTTP2

/// The `http2:` section: what one HTTP/2 connection of a DoH listener (`https://`) may use.
///
/// ```yaml
/// http2: {max_concurrent_streams: 100, max_header_list_size: 16384, max_resets: 200,
///         max_control_frames: 200, flood_window: 30s, max_glitches: 200}
/// ```
///
/// swift-nio-http2 has defaults for all of these; dnsd states them so that an operator sees
/// them, can tune them, and a library upgrade cannot change them unnoticed.
/// `max_concurrent_streams` is also the cap on one connection's queries in flight (the
/// HTTP/2 counterpart of `tcp.max_queries_in_flight`). `max_resets` bounds the stream resets a
/// client may send per `flood_window` (the "Rapid Reset" attack, CVE-2023-44487), and
/// `max_control_frames` its PING, SETTINGS and PRIORITY frames; `max_glitches` closes a
/// connection after that many protocol errors on its streams. Request bodies whose length
/// disagrees with their `content-length` are always refused (swift-nio-http2's
/// content-length validation stays on), and a DoH body is at most 65535 octets.
/// `config.reload` applies a change to connections accepted after it (StreamLimits.swift).
public struct HTTP2Limits: Sendable, Equatable {
    public var maxConcurrentStreams = 100
    public var maxHeaderListSize = 16384
    public var maxResets = 200
    public var maxControlFrames = 200
    public var floodWindow = Duration.seconds(30)
    public var maxGlitches = 200

    public init() {}

    static func parse(_ node: ConfigNode) throws -> HTTP2Limits {
        let keys = try node.mapping(allowed: ["max_concurrent_streams", "max_header_list_size", "max_resets", "max_control_frames",
                                              "flood_window", "max_glitches"])
        var limits = HTTP2Limits()
        if let value = keys["max_concurrent_streams"] { limits.maxConcurrentStreams = try value.int(in: 1...10_000) }
        if let value = keys["max_header_list_size"] { limits.maxHeaderListSize = try value.int(in: 1024...1_048_576) }
        if let value = keys["max_resets"] { limits.maxResets = try value.int(in: 1...1_000_000) }
        if let value = keys["max_control_frames"] { limits.maxControlFrames = try value.int(in: 1...1_000_000) }
        if let value = keys["flood_window"] { limits.floodWindow = try value.duration(in: .seconds(1) ... .seconds(3600)) }
        if let value = keys["max_glitches"] { limits.maxGlitches = try value.int(in: 1...1_000_000) }
        return limits
    }

    /// The swift-nio-http2 configuration of one server connection.
    var configuration: NIOHTTP2Handler.Configuration {
        var configuration = NIOHTTP2Handler.Configuration()
        configuration.connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: maxConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: maxHeaderListSize),
        ]
        configuration.connection.contentLengthValidation = .enabled
        configuration.connection.maximumConnectionGlitches = maxGlitches
        configuration.connection.controlFrameRateLimit.maximumCount = maxControlFrames
        configuration.connection.controlFrameRateLimit.windowLength = TimeAmount(floodWindow)
        configuration.stream.streamResetFrameRateLimit.maximumCount = maxResets
        configuration.stream.streamResetFrameRateLimit.windowLength = TimeAmount(floodWindow)
        return configuration
    }
}
