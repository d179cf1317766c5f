extension ControlMethodTable {
    /// The tls area's method handlers (their catalog entries: ControlProto/MethodCatalog+TLS.swift).
    static let tlsHandlers: [any ControlMethod] = [TLSListMethod(), TLSInfoMethod(), TLSReloadMethod()]
}
