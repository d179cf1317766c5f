import NIOCore
import NIOSSL
import NIOTLS

/// Puts TLS in front of a server connection with the certificate its SNI name asks for.
///
/// The generation is read once, when the connection is accepted; the ClientHello is parsed
/// for SNI (NIOTLS's `SNIHandler`, which never consumes the bytes), and a `NIOSSLServerHandler`
/// with that certificate's context is inserted in its place. BoringSSL then sees the same
/// ClientHello. A client without SNI, or whose ClientHello cannot be parsed, gets the default
/// certificate (RFC 7858 clients often connect by IP address and send no SNI).
enum TLSServerHandshake {
    static let handlerName = "dnsd-sni"

    /// Adds the SNI handler at the front of `channel`'s pipeline. Call from the child channel
    /// initializer (on the channel's event loop).
    static func install(on channel: Channel, generation: CertificateGeneration, kind: TLSListenerKind) throws {
        let operations = channel.pipeline.syncOperations
        let sni = ByteToMessageHandler(SNIHandler { result in
            let name: String?
            if case .hostname(let host) = result { name = host } else { name = nil }
            let context = generation.context(forServerName: name, kind: kind)
            return channel.eventLoop.makeCompletedFuture {
                let operations = channel.pipeline.syncOperations
                let marker = try operations.context(name: handlerName)
                try operations.addHandler(NIOSSLServerHandler(context: context), position: .after(marker.handler))
            }
        })
        try operations.addHandler(sni, name: handlerName, position: .first)
    }
}
