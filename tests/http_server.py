"""A real HTTP server on loopback for tests: serves feeds and pages from a routing table.

Runs in its own thread so the code under test talks to it over a real socket, exactly as it
would to a news site. Each route answers with a fixed response or a function of the request.
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (slow servers)
    send_length: bool = True  # False: no Content-Length, the body ends when the connection closes


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]


Route = Response | Callable[[Request], Response]


class LocalHTTPServer:
    """``with LocalHTTPServer() as server: server.routes["/feed.xml"] = Response(body=...)``."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        """``tls``: a server context to speak HTTPS with (its certificate names the host)."""
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()})
                owner.requests.append(request)
                route = owner.routes.get(self.path.split("?", 1)[0])
                if route is None:
                    response = Response(404, b"not found")
                else:
                    response = route(request) if callable(route) else route
                if response.delay:
                    time.sleep(response.delay)
                try:
                    self.send_response(response.status)
                    for name, value in response.headers.items():
                        self.send_header(name, value)
                    if response.send_length and "content-length" not in {
                        k.lower() for k in response.headers
                    }:
                        self.send_header("Content-Length", str(len(response.body)))
                    self.end_headers()
                    self.wfile.write(response.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: tests read ``requests`` instead."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._scheme = "https" if tls else "http"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{self._scheme}://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def __enter__(self) -> LocalHTTPServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
