import ControlProto
import Foundation

/// The JSON shapes of certificate status shared by tls.list, tls.info and tls.reload.
enum TLSStatusJSON {
    static func date(_ date: Date) -> JSONValue { .string(ISO8601DateFormatter().string(from: date)) }

    static func daysToExpiry(_ certificate: LoadedCertificate, now: Date = Date()) -> Int {
        Int((certificate.notAfter.timeIntervalSince(now) / 86400).rounded(.down))
    }

    /// One row of tls.list: flat, so dnsctl prints a table.
    static func summary(_ status: CertificateStatus) -> JSONValue {
        let serving = status.serving
        return .object([
            "name": .string(serving.settings.name), "serial": .string(serving.serial), "subject": .string(serving.subject),
            "not_after": date(serving.notAfter), "days_to_expiry": .int(daysToExpiry(serving)),
            "generation": .int(status.generation), "last_trigger": .string(status.lastTrigger.rawValue),
            "last_result": .string(status.lastResult.rawValue),
        ])
    }

    /// Everything tls.info shows.
    static func detail(_ status: CertificateStatus, isDefault: Bool, storeGeneration: Int) -> JSONValue {
        let serving = status.serving
        var lastReload: [String: JSONValue] = [
            "at": date(status.lastAttempt), "trigger": .string(status.lastTrigger.rawValue), "result": .string(status.lastResult.rawValue),
        ]
        if let error = status.lastError { lastReload.merge(failure(error)) { $1 } }
        return .object([
            "name": .string(serving.settings.name), "subject": .string(serving.subject), "issuer": .string(serving.issuer),
            "sans": .array(serving.subjectAlternativeNames.map { .string($0) }),
            "sni": .array(serving.sniNames.map { .string($0) }), "default": .bool(isDefault),
            "serial": .string(serving.serial), "not_before": date(serving.notBefore), "not_after": date(serving.notAfter),
            "days_to_expiry": .int(daysToExpiry(serving)), "fingerprint_sha256": .string(serving.fingerprint),
            "chain_length": .int(serving.chain.count), "cert": .string(serving.settings.certPath),
            "key": .string(serving.settings.keyPath), "watch": .bool(serving.settings.watch),
            "generation": .int(status.generation), "store_generation": .int(storeGeneration),
            "last_reload": .object(lastReload), "last_success": date(status.lastSuccess),
        ])
    }

    static func failure(_ error: CertificateLoadError) -> [String: JSONValue] {
        ["file": .string(error.file), "code": .string(error.problem.code), "reason": .string("\(error)")]
    }

    static func report(_ report: CertificateReloadReport) -> JSONValue {
        .object([
            "generation": .int(report.generation), "trigger": .string(report.trigger.rawValue), "at": date(report.at),
            "certificates": .array(report.results.map { result in
                var object: [String: JSONValue] = [
                    "name": .string(result.name), "result": .string(result.outcome.rawValue),
                    "serial": .string(result.serial), "not_after": date(result.notAfter),
                ]
                if let error = result.error { object.merge(failure(error)) { $1 } }
                return .object(object)
            }),
        ])
    }
}
