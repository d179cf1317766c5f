import Foundation

/// Whether a JSON text holds an object with the same member name twice.
///
/// RFC 8259 §4 leaves such names to the reader: one keeps the first value, another the last, so
/// two readers of one control line could disagree on which method it calls or whether it has an
/// `id` (ControlFuzzer found `"method"` twice read as a notification for the first value). The
/// dispatcher refuses such requests instead. Call only on text already known to be valid JSON.
enum DuplicateMembers {
    static func present(in text: [UInt8]) -> Bool {
        // One name set per open object; nil for an open array.
        var open: [Set<String>?] = []
        var index = 0
        while index < text.count {
            switch text[index] {
            case UInt8(ascii: "{"): open.append([])
            case UInt8(ascii: "["): open.append(nil)
            case UInt8(ascii: "}"), UInt8(ascii: "]"): if !open.isEmpty { open.removeLast() }
            case UInt8(ascii: "\""):
                var end = index + 1
                while end < text.count, text[end] != UInt8(ascii: "\"") {
                    end += text[end] == UInt8(ascii: "\\") ? 2 : 1
                }
                // A string is a member name when a colon follows it.
                var next = end + 1
                while next < text.count, [0x20, 0x09, 0x0A, 0x0D].contains(text[next]) { next += 1 }
                if next < text.count, text[next] == UInt8(ascii: ":"), let last = open.indices.last, open[last] != nil {
                    let token = Data(text[index...min(end, text.count - 1)])
                    // Compared unescaped: "a" and "\u0061" are one name.
                    let name = (try? JSONSerialization.jsonObject(with: token, options: [.fragmentsAllowed])) as? String
                        ?? String(decoding: token, as: UTF8.self)
                    if open[last]!.insert(name).inserted == false { return true }
                }
                index = end
            default: break
            }
            index += 1
        }
        return false
    }
}
