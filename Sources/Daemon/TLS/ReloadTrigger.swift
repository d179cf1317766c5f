/// What started a certificate reload, as `tls.info` reports it.
public enum ReloadTrigger: String, Sendable {
    /// `tls.reload` over the control socket.
    case control
    /// SIGHUP.
    case signal
    /// A file change seen by the watcher (inotify or polling).
    case watch
    /// dnsd starting.
    case start
    /// `config.reload` (or SIGHUP) with a `tls:` list that adds the certificate or changes its entry.
    case config
}
