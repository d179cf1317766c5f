import Atomics
import NIOHTTP1

/// `GET /health` and `GET /ready` on the metrics endpoint, for load balancers, orchestrators
/// and `curl -f` in scripts: plain text, the answer in the status code.
///
/// - `/health`: 200 whenever the process answers HTTP at all (liveness).
/// - `/ready`: 200 once every listener is bound and every zone is loaded (the moment dnsd logs
///   "dnsd ready" and tells systemd READY=1), 503 before that and from the start of shutdown,
///   so that a balancer stops sending queries before the sockets close.
struct HealthProbe: Sendable {
    let runtime: DaemonRuntime

    struct Answer {
        var status: HTTPResponseStatus
        var text: String
    }

    /// The answer for a request path, or nil when the path is not a probe's.
    func answer(_ path: String) -> Answer? {
        switch path {
        case "/health":
            return Answer(status: .ok, text: "alive\n")
        case "/ready":
            return runtime.readiness.load(ordering: .relaxed)
                ? Answer(status: .ok, text: "ready: listeners bound, zones loaded (generation \(runtime.generation))\n")
                : Answer(status: .serviceUnavailable, text: "not ready: starting or shutting down\n")
        default:
            return nil
        }
    }
}
