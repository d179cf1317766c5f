import Foundation
import NIOCore

/// Durations in the configuration: plain seconds (`10`, `1.5`) or a number with a unit, `50us`,
/// `500ms`, `10s`, `5m`, `1h`, `1d`.
///
/// Every duration key has a range. The number is checked against it as a `Double` before
/// anything converts it to nanoseconds: `1e10`, `inf` or `nan` would otherwise reach an
/// `Int64(...)` conversion (or a deadline addition later) and stop dnsd with a runtime trap
/// instead of a `FILE:LINE:COLUMN: key: reason` error.
extension ConfigNode {
    private static let units: [(suffix: String, seconds: Double)] = [
        ("us", 1e-6), ("µs", 1e-6), ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400),
    ]

    /// A duration within `range` (both ends included).
    public func duration(in range: ClosedRange<Duration>) throws -> Duration {
        let text = try string().lowercased().trimmingCharacters(in: .whitespaces)
        let expected = range.lowerBound == .zero
            ? "expected a duration of at most \(Self.text(range.upperBound))"
            : "expected a duration from \(Self.text(range.lowerBound)) to \(Self.text(range.upperBound))"
        guard let seconds = Self.seconds(in: text) else {
            throw error("\(expected) (like 10s, 500ms or 5m), found '\(text)'")
        }
        guard seconds.isFinite, seconds >= Self.seconds(of: range.lowerBound), seconds <= Self.seconds(of: range.upperBound) else {
            throw error("\(expected), found '\(text)'")
        }
        // In range, so at most the upper bound's nanoseconds: the conversion cannot overflow.
        let nanoseconds = Int64((seconds * 1e9).rounded())
        return min(max(.nanoseconds(nanoseconds), range.lowerBound), range.upperBound)
    }

    /// The same as a NIO `TimeAmount`, for timers on event loops.
    public func timeAmount(in range: ClosedRange<Duration>) throws -> TimeAmount {
        TimeAmount(try duration(in: range))
    }

    /// The number of seconds `text` says, or nil when it is not a number with a known unit.
    /// Non-finite values come back as they are, for the caller's range check to refuse.
    private static func seconds(in text: String) -> Double? {
        if let value = Double(text) { return value }
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)) { return value * scale }
        }
        return nil
    }

    private static func seconds(of duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }

    /// `duration` in the largest unit that writes it whole, as the config accepts it back.
    static func text(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let microseconds = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
        guard microseconds != 0 else { return "0" }
        for (suffix, scale) in [("d", 86_400_000_000), ("h", 3_600_000_000), ("m", 60_000_000), ("s", 1_000_000), ("ms", 1000)] as [(String, Int64)]
        where microseconds % scale == 0 {
            return "\(microseconds / scale)\(suffix)"
        }
        return "\(microseconds)us"
    }
}
