/// A row of block characters, one per sample, scaled to the largest sample: the header's
/// QPS over the last minute.
public enum Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    /// For terminals without UTF-8.
    static let ascii: [Character] = [".", ".", ":", ":", "-", "=", "+", "#"]

    /// The last `width` samples; a zero sample is a space so idle time reads as a gap.
    public static func render(_ samples: [Double], width: Int, unicode: Bool = true) -> String {
        guard width > 0 else { return "" }
        let shown = samples.suffix(width)
        let largest = shown.max() ?? 0
        let levels = unicode ? blocks : ascii
        var text = String(repeating: " ", count: width - shown.count)
        for sample in shown {
            if sample <= 0 || largest <= 0 { text.append(" "); continue }
            let level = Int((sample / largest * Double(levels.count - 1)).rounded())
            text.append(levels[min(max(level, 0), levels.count - 1)])
        }
        return text
    }
}
