"""A lean HTTP/1.1 load generator: keep-alive sockets sending prepared requests.

On a 2-core machine the load generator shares the cores with the server it measures. httpx spends
about as much CPU per request as the server does, so a benchmark driven by it measures the two
together; this client builds every request before the clock starts and reads each response with
a few socket calls, leaving the server the CPU it would have behind a real load balancer.
"""

from __future__ import annotations

import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit


def request(method: str, host: str, path: str, headers: dict[str, str], body: Any) -> bytes:
    """One HTTP/1.1 request with a JSON body, as bytes."""
    payload = json.dumps(body, ensure_ascii=False).encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Content-Type: application/json",
             f"Content-Length: {len(payload)}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


def response(sock: socket.socket, pending: bytes) -> tuple[int, bytes, bytes]:
    """Read one response (Content-Length framed); returns its status, its body and the bytes after it."""
    while b"\r\n\r\n" not in pending:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        pending += chunk
    head, _, rest = pending.partition(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        rest += chunk
    return status, rest[:length], rest[length:]


def send_all(base: str, requests: list[bytes], clients: int, expect: int) -> tuple[list[float], float]:
    """Send `requests` over `clients` keep-alive connections, each one after another; returns the
    latency of each (ms) and the wall time of the whole (s). A status other than `expect` raises."""
    where = urlsplit(base)

    def worker(part: list[bytes]) -> list[float]:
        samples = []
        pending = b""
        with socket.create_connection((where.hostname, where.port)) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            for raw in part:
                start = time.perf_counter()
                sock.sendall(raw)
                status, _, pending = response(sock, pending)
                samples.append((time.perf_counter() - start) * 1000)
                if status != expect:
                    raise RuntimeError(f"expected HTTP {expect}, got {status}")
        return samples

    parts = [requests[i::clients] for i in range(clients)]
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        samples = [s for part in pool.map(worker, parts) for s in part]
    return samples, time.perf_counter() - start


__all__ = ["request", "response", "send_all"]
