@testable import Daemon
import Testing

/// The Frame Streams control frames dnsd writes for dnstap, byte for byte as the protocol's
/// specification (fstrm's "Control frame format") lays them out: escape (0), frame length,
/// control type, then CONTENT_TYPE (1), its length and the content type.
@Suite("Frame Streams encoder")
struct FrameStreamsTests {
    /// "protobuf:dnstap.Dnstap": 22 (0x16) bytes.
    static let contentType: [UInt8] = Array("protobuf:dnstap.Dnstap".utf8)

    static func withContentType(_ type: UInt8) -> [UInt8] {
        [0, 0, 0, 0, 0, 0, 0, 0x22, 0, 0, 0, type, 0, 0, 0, 0x01, 0, 0, 0, 0x16] + contentType
    }

    @Test func readyAndStartCarryTheDnstapContentType() {
        #expect(FrameStreams.control(.ready, contentTypes: [Self.contentType]) == Self.withContentType(0x04))
        #expect(FrameStreams.control(.start, contentTypes: [Self.contentType]) == Self.withContentType(0x02))
    }

    @Test func stopAndFinishAreBare() {
        #expect(FrameStreams.control(.stop) == [0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0x03])
        #expect(FrameStreams.control(.finish) == [0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0x05])
    }

    @Test func acceptIsParsedWithItsContentTypes() throws {
        let accept = Self.withContentType(0x01)
        let parsed = try #require(FrameStreams.parseControl(Array(accept[8...])))
        #expect(parsed.0 == .accept)
        #expect(parsed.1 == [Self.contentType])
        // A field that runs past the frame, or an unknown field type, is refused.
        #expect(FrameStreams.parseControl(Array(accept[8..<(accept.count - 1)])) == nil)
        #expect(FrameStreams.parseControl([0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0, 0]) == nil)
    }

    @Test func dataFramesAreLengthPrefixed() {
        var out: [UInt8] = []
        FrameStreams.appendData([0xAA, 0xBB, 0xCC], to: &out)
        FrameStreams.appendData([], to: &out)
        #expect(out == [0, 0, 0, 3, 0xAA, 0xBB, 0xCC, 0, 0, 0, 0])
    }
}
