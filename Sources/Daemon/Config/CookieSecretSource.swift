#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Resolver

/// Where the DNS cookie secret comes from (`cookies:` in the configuration).
public enum CookieSecretSource: Sendable, Equatable {
    /// A random secret made at start: cookies do not survive a restart.
    case generated
    /// `secret:` in the configuration.
    case inline([UInt8])
    /// `secret_file:`: the current secret on the first line and the previous one on the
    /// second, in hex; made with a random secret (mode 0600) when missing, and rewritten by
    /// `cookie.rotate`, so that a restart keeps the cookies clients hold.
    case file(String)

    /// 32 hex digits as 16 bytes.
    static func parseHex(_ text: String) -> [UInt8]? {
        let digits = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        guard digits.count == 32 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: 32, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<(index + 2)], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// The secrets to start with: (current, previous). A file made here while dnsd is still
    /// root goes to `owner` (`user:`), who rewrites it on `cookie.rotate` after the drop.
    func load(owner: ServiceAccount? = nil) throws -> (current: [UInt8]?, previous: [UInt8]?) {
        switch self {
        case .generated: return (nil, nil)
        case .inline(let bytes): return (bytes, nil)
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                let fresh = ServerCookies.randomSecret()
                try Self.write(path: path, current: fresh, previous: nil)
                if let owner, geteuid() == 0, chown(path, owner.uid, owner.gid) != 0 {
                    throw CookieSecretError("\(path): cannot give the cookie secret to \(owner.user): \(String(cString: strerror(errno)))")
                }
                return (fresh, nil)
            }
            let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
            guard let first = lines.first, let current = Self.parseHex(first) else {
                throw CookieSecretError("\(path):1: expected the cookie secret as 32 hexadecimal digits")
            }
            let previous = lines.count > 1 ? Self.parseHex(lines[1]) : nil
            return (current, previous)
        }
    }

    /// Writes the secrets durably: a temporary file (0600), fsync, rename.
    static func write(path: String, current: [UInt8], previous: [UInt8]?) throws {
        let text = ([hex(current)] + (previous.map { [hex($0)] } ?? [])).joined(separator: "\n") + "\n"
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CookieSecretError("\(temporary): cannot create: \(String(cString: strerror(errno)))") }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd) == 0
        close(fd)
        guard written == bytes.count, synced, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CookieSecretError("\(path): cannot write the cookie secret: \(String(cString: strerror(errno)))")
        }
    }
}

public struct CookieSecretError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
