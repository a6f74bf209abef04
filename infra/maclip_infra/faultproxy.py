"""A loopback HTTP proxy to an S3 server that answers S3's 503 SlowDown to some requests.

Used by the soak (``soak.py``): a seeded share of all requests, and every request whose path
names a marker, get the error; everything else is forwarded unchanged.
"""

from __future__ import annotations

import http.client
import random
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

_SLOW_DOWN = (
    b'<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code>'
    b"<Message>Please reduce your request rate.</Message><RequestId>fault-proxy</RequestId></Error>"
)
_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection", "te"}


@dataclass
class FaultCounts:
    requests: int = 0
    random_503: int = 0
    refused_503: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class FaultProxy(ThreadingHTTPServer):
    """Loopback proxy to an S3 server: 503 SlowDown for a seeded share of requests and for
    every request naming ``marker``; everything else forwarded unchanged."""

    daemon_threads = True

    def __init__(self, target: str, rate: float, seed: int, marker: str) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        parts = urlsplit(target)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.rate = rate
        self.marker = marker
        self.random = random.Random(seed)
        self.counts = FaultCounts()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def verdict(self, path: str) -> int:
        """0 to forward, else the 503 is counted."""
        with self.counts.lock:
            self.counts.requests += 1
            if self.marker in unquote(path):
                self.counts.refused_503 += 1
                return 503
            if self.random.random() < self.rate:
                self.counts.random_503 += 1
                return 503
        return 0


class _ProxyHandler(BaseHTTPRequestHandler):
    server: FaultProxy

    def _any(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        head = self.command == "HEAD"
        if self.server.verdict(self.path):
            self.send_response(503)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", "0" if head else str(len(_SLOW_DOWN)))
            self.end_headers()
            if not head:
                self.wfile.write(_SLOW_DOWN)
            return
        conn = http.client.HTTPConnection(*self.server.target, timeout=60)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
            conn.request(self.command, self.path, body=body or None, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in _HOP and name.lower() != "content-length":
                    self.send_header(name, value)
            length_header = answer.getheader("Content-Length")
            self.send_header("Content-Length", (length_header or "0") if head else str(len(data)))
            self.end_headers()
            if not head:
                self.wfile.write(data)
        finally:
            conn.close()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _any  # noqa: N815 (http.server's names)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass
