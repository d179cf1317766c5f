/// The Frame Streams protocol (farsightsec/fstrm, "Frame Streams Control Frame Format"), the
/// framing dnstap travels in: each data frame is a 32-bit big-endian length and the payload;
/// a control frame is an "escape" (a zero length), its own length, a control type and
/// optional CONTENT_TYPE fields. Bidirectional (sockets): the writer sends READY, the reader
/// answers ACCEPT, the writer sends START, data, then STOP and the reader answers FINISH.
/// Unidirectional (files): START, data, STOP.
enum FrameStreams {
    /// dnstap's content type.
    static let dnstapContentType = Array("protobuf:dnstap.Dnstap".utf8)

    enum ControlType: UInt32, Sendable {
        case accept = 0x01
        case start = 0x02
        case stop = 0x03
        case ready = 0x04
        case finish = 0x05
    }

    /// The one control field type the protocol defines.
    static let contentTypeField: UInt32 = 0x01
    /// Control frames are small; a reader refuses longer ones (fstrm's own limit is 512).
    static let maxControlLength = 512

    /// A control frame of `type` carrying `contentTypes`, escape and length included.
    static func control(_ type: ControlType, contentTypes: [[UInt8]] = []) -> [UInt8] {
        var body: [UInt8] = []
        append(type.rawValue, to: &body)
        for contentType in contentTypes {
            append(contentTypeField, to: &body)
            append(UInt32(contentType.count), to: &body)
            body += contentType
        }
        var frame: [UInt8] = []
        frame.reserveCapacity(8 + body.count)
        append(0, to: &frame)
        append(UInt32(body.count), to: &frame)
        return frame + body
    }

    /// Appends the data frame of `payload` to `out`.
    static func appendData(_ payload: [UInt8], to out: inout [UInt8]) {
        append(UInt32(payload.count), to: &out)
        out += payload
    }

    /// A control frame's type and content types from its body (what follows the escape and
    /// the length), or nil when it is malformed.
    static func parseControl(_ body: [UInt8]) -> (ControlType, [[UInt8]])? {
        guard body.count >= 4, let type = ControlType(rawValue: read(body, at: 0)) else { return nil }
        var contentTypes: [[UInt8]] = []
        var offset = 4
        while offset < body.count {
            guard offset + 8 <= body.count, read(body, at: offset) == contentTypeField else { return nil }
            let length = Int(read(body, at: offset + 4))
            offset += 8
            guard length <= body.count - offset else { return nil }
            contentTypes.append(Array(body[offset..<offset + length]))
            offset += length
        }
        return (type, contentTypes)
    }

    static func append(_ value: UInt32, to out: inout [UInt8]) {
        out.append(UInt8(value >> 24))
        out.append(UInt8(truncatingIfNeeded: value >> 16))
        out.append(UInt8(truncatingIfNeeded: value >> 8))
        out.append(UInt8(truncatingIfNeeded: value))
    }

    static func read(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }
}
