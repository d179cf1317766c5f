#if canImport(Glibc)
import Glibc
#endif

/// One open Frame Streams stream to a dnstap sink, on blocking descriptors: it is used only
/// by the dnstap writer's own thread, never by the query path. Sockets get the bidirectional
/// handshake (READY, ACCEPT, START); a file gets START. Sends and reads time out, so a
/// collector that stops reading cannot hold the writer (or shutdown) for long.
final class DnstapConnection {
    enum Failure: Error, CustomStringConvertible {
        case system(String, Int32)
        case handshake(String)

        var description: String {
            switch self {
            case .system(let call, let code): return "\(call): \(String(cString: strerror(code)))"
            case .handshake(let what): return "Frame Streams handshake: \(what)"
            }
        }
    }

    private let fd: Int32
    private let bidirectional: Bool
    private var open = true

    private init(fd: Int32, bidirectional: Bool) {
        self.fd = fd
        self.bidirectional = bidirectional
    }

    deinit { if open { Glibc.close(fd) } }

    /// Connects (or opens the file, truncating it) and runs the start of the protocol.
    static func open(_ sink: DnstapSettings.Sink, timeoutSeconds: Int = 2) throws -> DnstapConnection {
        let connection: DnstapConnection
        switch sink {
        case .file(let path):
            let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw Failure.system("open \(path)", errno) }
            connection = DnstapConnection(fd: fd, bidirectional: false)
        case .unix(let path):
            connection = DnstapConnection(fd: try connectUnix(path, timeoutSeconds: timeoutSeconds), bidirectional: true)
        case .tcp(let host, let port):
            connection = DnstapConnection(fd: try connectTCP(host, port, timeoutSeconds: timeoutSeconds), bidirectional: true)
        }
        try connection.start()
        return connection
    }

    private func start() throws {
        let contentTypes = [FrameStreams.dnstapContentType]
        if bidirectional {
            try write(FrameStreams.control(.ready, contentTypes: contentTypes))
            guard let (type, accepted) = try readControl(), type == .accept else { throw Failure.handshake("no ACCEPT after READY") }
            // An ACCEPT with no content type accepts any (fstrm's reading of the spec).
            guard accepted.isEmpty || accepted.contains(FrameStreams.dnstapContentType) else {
                throw Failure.handshake("the collector does not accept protobuf:dnstap.Dnstap")
            }
        }
        try write(FrameStreams.control(.start, contentTypes: contentTypes))
    }

    /// Writes `bytes` whole (data frames, or a control frame).
    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw -> Int in
                let rest = UnsafeRawBufferPointer(rebasing: raw[offset...])
                // MSG_NOSIGNAL: a collector gone away is an error to handle, not SIGPIPE.
                return bidirectional ? send(fd, rest.baseAddress, rest.count, Int32(MSG_NOSIGNAL)) : Glibc.write(fd, rest.baseAddress, rest.count)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw Failure.system(bidirectional ? "send" : "write", errno)
            }
            offset += written
        }
    }

    /// Ends the stream: STOP, and for a socket FINISH awaited (briefly), then closes.
    func finish() {
        guard open else { return }
        if (try? write(FrameStreams.control(.stop))) != nil, bidirectional { _ = try? readControl() }
        close()
    }

    /// Closes without the goodbye (after a failed write).
    func close() {
        guard open else { return }
        open = false
        Glibc.close(fd)
    }

    /// The next control frame from the collector.
    private func readControl() throws -> (FrameStreams.ControlType, [[UInt8]])? {
        let header = try readExactly(8)
        guard FrameStreams.read(header, at: 0) == 0 else { throw Failure.handshake("expected a control frame") }
        let length = Int(FrameStreams.read(header, at: 4))
        guard length <= FrameStreams.maxControlLength else { throw Failure.handshake("control frame of \(length) bytes") }
        return FrameStreams.parseControl(try readExactly(length))
    }

    private func readExactly(_ count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var offset = 0
        while offset < count {
            let got = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + offset, count - offset, 0) }
            if got < 0 && errno == EINTR { continue }
            if got < 0 { throw Failure.system("recv", errno) }
            if got == 0 { throw Failure.handshake("the collector closed the connection") }
            offset += got
        }
        return bytes
    }

    private static func connectUnix(_ path: String, timeoutSeconds: Int) throws -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Failure.handshake("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure.system("socket", errno) }
        setTimeouts(fd, seconds: timeoutSeconds)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw Failure.system("connect \(path)", code)
        }
        return fd
    }

    private static func connectTCP(_ host: String, _ port: Int, timeoutSeconds: Int) throws -> Int32 {
        var storage = sockaddr_storage()
        let length: socklen_t
        let family: Int32
        if host.contains(":") {
            var v6 = sockaddr_in6()
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = UInt16(port).bigEndian
            guard inet_pton(AF_INET6, host, &v6.sin6_addr) == 1 else { throw Failure.handshake("bad address \(host)") }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: v6, as: sockaddr_in6.self) }
            (length, family) = (socklen_t(MemoryLayout<sockaddr_in6>.size), AF_INET6)
        } else {
            var v4 = sockaddr_in()
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = UInt16(port).bigEndian
            guard inet_pton(AF_INET, host, &v4.sin_addr) == 1 else { throw Failure.handshake("bad address \(host)") }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: v4, as: sockaddr_in.self) }
            (length, family) = (socklen_t(MemoryLayout<sockaddr_in>.size), AF_INET)
        }
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure.system("socket", errno) }
        setTimeouts(fd, seconds: timeoutSeconds)
        let result = withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) } }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw Failure.system("connect \(host):\(port)", code)
        }
        return fd
    }

    private static func setTimeouts(_ fd: Int32, seconds: Int) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }
}
