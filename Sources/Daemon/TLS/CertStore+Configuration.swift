import Foundation
import Logging
import Metrics

extension CertStore {
    /// What `adopt` changed, by certificate name.
    struct ConfigurationChange: Sendable, Equatable {
        var added: [String] = []
        var removed: [String] = []
        /// Still configured, with other files, names or flags: read anew.
        var replaced: [String] = []

        var isEmpty: Bool { added.isEmpty && removed.isEmpty && replaced.isEmpty }
    }

    /// Puts a changed `tls:` section in force (`config.reload`): certificates no longer listed
    /// stop being served, new ones and changed ones are read and checked whole, and the rest keep
    /// serving what they serve. Connections accepted afterwards see the new set; open ones keep
    /// theirs. All or nothing: a certificate that cannot be loaded throws, and nothing changes.
    /// Blocking (file I/O on the store's queue); never call it from that queue.
    func adopt(_ fresh: TLSSettings, now: Date = Date()) throws -> ConfigurationChange {
        let (change, serving) = try queue.sync { () throws -> (ConfigurationChange, Bool) in
            let (old, started, generation) = state.withLockedValue { ($0.settings, $0.started, $0.current) }
            guard fresh != old else { return (ConfigurationChange(), false) }
            var change = ConfigurationChange()
            let oldNames = Set(old.certificates.map(\.name)), freshNames = Set(fresh.certificates.map(\.name))
            change.removed = old.certificates.map(\.name).filter { !freshNames.contains($0) }
            guard started else {
                // Not serving yet: `start` loads whatever is configured then.
                state.withLockedValue { $0.settings = fresh }
                return (change, false)
            }
            var certificates: [LoadedCertificate] = []
            var loaded: [LoadedCertificate] = []
            for configured in fresh.certificates {
                if let serving = generation?.certificates.first(where: { $0.settings == configured }) {
                    certificates.append(serving)
                    continue
                }
                do throws(CertificateLoadError) {
                    let certificate = try CertificateLoader.load(configured, servingChainLength: nil, allowShorterChain: true, now: now)
                    certificates.append(certificate)
                    loaded.append(certificate)
                } catch {
                    throw TLSStartError(name: configured.name, error: error)
                }
                if oldNames.contains(configured.name) { change.replaced.append(configured.name) } else { change.added.append(configured.name) }
            }
            let number = (generation?.number ?? 0) + 1
            let gone = state.withLockedValue { state -> [Gauge] in
                state.settings = fresh
                state.current = certificates.isEmpty ? nil : CertificateGeneration(number: number, certificates: certificates,
                                                                                   defaultIndex: fresh.defaultIndex)
                for certificate in loaded { Self.register(certificate, trigger: .config, at: now, in: &state) }
                var gone: [Gauge] = []
                for name in change.removed {
                    state.statuses[name] = nil
                    state.warned[name] = nil
                    state.retries[name] = nil
                    if let gauge = state.gauges.removeValue(forKey: name) { gone.append(gauge) }
                }
                return gone
            }
            for gauge in gone { gauge.destroy() }
            for certificate in loaded {
                var metadata = Self.metadata(certificate)
                metadata["generation"] = "\(number)"
                logger.info(change.added.contains(certificate.settings.name) ? "TLS certificate added" : "TLS certificate re-read (its configuration changed)",
                            metadata: metadata)
                recordExpiry(certificate)
            }
            for name in change.removed { logger.info("TLS certificate removed", metadata: ["name": "\(name)", "generation": "\(number)"]) }
            checkExpiry(now: now)
            return (change, true)
        }
        // The files to watch may have changed with the list.
        if serving { watch(fresh) }
        return change
    }
}
