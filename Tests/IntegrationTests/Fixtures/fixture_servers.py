"""Pieces the Python test servers share: threaded UDP/TCP servers and prompt stops on SIGTERM."""
import signal
import socketserver


class ThreadingUDP(socketserver.ThreadingMixIn, socketserver.UDPServer):
    daemon_threads = True
    allow_reuse_address = True


class ThreadingTCP(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def stop_on_sigterm(exit_function):
    """The test runner may start us with SIGTERM blocked or ignored; stop promptly when told."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
    signal.signal(signal.SIGTERM, lambda *_: exit_function(0))
