extension ControlMethodTable {
    /// The upstream area's method handlers (their catalog entries: ControlProto/MethodCatalog+Upstream.swift).
    static let upstreamHandlers: [any ControlMethod] = [UpstreamListMethod(), UpstreamEnableMethod(enable: true), UpstreamEnableMethod(enable: false)]
}
