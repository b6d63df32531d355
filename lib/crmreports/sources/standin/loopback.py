"""What the stand-in servers share: a threaded HTTP server on a free loopback port, started and stopped with the
object (``with Server(...) as srv:``), whose request handler class sees the server object as ``srv``."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackServer:
    """Subclasses set ``handler`` (a :class:`BaseHTTPRequestHandler` subclass) and ``thread_name``."""

    handler: type[BaseHTTPRequestHandler]
    thread_name = "stand-in"

    def __init__(self, host: str = "127.0.0.1"):
        self._host = host
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self):
        server = self

        class Handler(self.handler):
            srv = server

        self._httpd = ThreadingHTTPServer((self._host, 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.handle_error = lambda request, client_address: None  # a client hung up: not the server's fault
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name=self.thread_name, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"
