"""Local fake servers for outbound traffic, started by the test on 127.0.0.1: an HTTP receiver (webhooks,
DingTalk and WeCom robots) and a tiny SMTP server. Nothing leaves the machine."""

from __future__ import annotations

import json
import socket
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HttpFake:
    """Answers with `statuses` in turn (then 200), and `reply` as JSON; records every request."""

    statuses: list[int] = field(default_factory=list)
    reply: dict[str, Any] = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})
    received: list[Received] = field(default_factory=list)
    url: str = ""


@contextmanager
def http_fake(statuses: list[int] | None = None, reply: dict[str, Any] | None = None, *, host: str = "127.0.0.1",
              location: str | None = None) -> Iterator[HttpFake]:
    """On `host` (another loopback address, or ::1); with `location`, every answer is a 302 redirect to it."""
    fake = HttpFake(list(statuses or []), reply or {"errcode": 0, "errmsg": "ok"})

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 — the http.server spelling
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            fake.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            status = fake.statuses.pop(0) if fake.statuses else 302 if location else 200
            answer = json.dumps(fake.reply).encode()
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        do_GET = do_POST  # noqa: N815 — a GET (a token request) is answered the same way

        def log_message(self, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        address_family = socket.AF_INET6 if ":" in host else socket.AF_INET

    server = Server((host, 0), Handler)
    fake.url = f"http://{f'[{host}]' if ':' in host else host}:{server.server_address[1]}"
    with _serving(server):
        yield fake


@dataclass
class SmtpFake:
    host: str = "127.0.0.1"
    port: int = 0
    messages: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def smtp_fake() -> Iterator[SmtpFake]:
    """Enough SMTP for smtplib: EHLO, MAIL, RCPT, DATA, QUIT; each message kept with its envelope."""
    fake = SmtpFake()

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            self.wfile.write(b"220 fake ESMTP\r\n")
            envelope: dict[str, Any] = {"rcpt": []}
            while line := self.rfile.readline():
                command = line.decode().strip()
                verb = command.split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    self.wfile.write(b"250 fake\r\n")
                elif verb == "MAIL":
                    envelope = {"from": command[10:].strip("<> "), "rcpt": []}
                    self.wfile.write(b"250 OK\r\n")
                elif verb == "RCPT":
                    envelope["rcpt"].append(command[8:].strip("<> "))
                    self.wfile.write(b"250 OK\r\n")
                elif verb == "DATA":
                    self.wfile.write(b"354 go ahead\r\n")
                    data = b""
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                        data += chunk
                    fake.messages.append({**envelope, "data": data.decode("utf-8", "replace")})
                    self.wfile.write(b"250 queued\r\n")
                elif verb == "QUIT":
                    self.wfile.write(b"221 bye\r\n")
                    return
                else:
                    self.wfile.write(b"250 OK\r\n")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.port = server.server_address[1]
    with _serving(server):
        yield fake


@contextmanager
def _serving(server: socketserver.BaseServer) -> Iterator[None]:
    """Serve on a daemon thread for the block, then shut the server down and close its socket."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
