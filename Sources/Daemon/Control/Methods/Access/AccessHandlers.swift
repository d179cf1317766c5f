extension ControlMethodTable {
    /// The admission area's method handlers (catalog: ControlProto/MethodCatalog+Access.swift).
    static let accessHandlers: [any ControlMethod] = [ACLStatsMethod(), RRLListMethod(), CookieRotateMethod()]
}
