"""Where calls a definition aims may go (webhooks, HTTP 请求 steps and their login, robots): the outbound policy.

An app manager writes the URL, and the server makes the call — so without a policy a flow could reach the
server's own ports (127.0.0.1), the cloud's metadata service (169.254.169.254) and read the answer back. The
ERP of a self-hosted intranet lives on private addresses (10.x, 192.168.x), so those stay open; loopback,
link-local, cloud metadata, unspecified, multicast and broadcast addresses are refused, as are schemes other
than http(s), unless an administrator names the host or its network in `outbound_allow` (TANGRAM_OUTBOUND_ALLOW
or 系统设置 → 出站请求). Every address a name resolves to must pass, checked when the request is sent; a direct
connection then goes to the address that was checked (no second lookup a rebinding DNS server could answer
differently). Redirects are not followed. docs/security.md, "Outbound requests"."""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

_REFUSED: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # the most specific first: 169.254.169.254 is named as metadata, not as link-local
    ("云元数据地址", "cloud metadata address", ("169.254.169.254/32", "fd00:ec2::254/128", "100.100.100.200/32")),
    ("回环地址", "loopback address", ("127.0.0.0/8", "::1/128")),
    ("链路本地地址", "link-local address", ("169.254.0.0/16", "fe80::/10")),
    ("未指定地址", "unspecified address", ("0.0.0.0/8", "::/128")),  # Linux connects 0.x to this machine
    ("组播地址", "multicast address", ("224.0.0.0/4", "ff00::/8")),
    ("广播地址", "broadcast address", ("255.255.255.255/32",)),
)
"""What is refused by default, with its name (中文, English); 100.100.100.200 is Alibaba Cloud's metadata service,
fd00:ec2::254 AWS's over IPv6. Everything else — the private LAN ranges included — is allowed."""
_NETWORKS = [(zh, en, ipaddress.ip_network(n)) for zh, en, nets in _REFUSED for n in nets]
_HOST_NAME = re.compile(r"^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$")


class Refused(RuntimeError):
    """The policy refuses the call's target: trying again will not change that, so it is not retried."""


@dataclass(frozen=True)
class Allowance:
    """What an administrator opened anyway: host names (exactly, whatever they resolve to) and networks."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()

    def opens(self, address: Address) -> bool:
        return any(address.version == n.version and address in n for n in self.networks)


def allowance(text: str) -> Allowance:
    """The allowance of a comma-separated `outbound_allow` (host names, addresses, CIDRs); ValueError naming a bad
    entry."""
    hosts, networks = set(), []
    for entry in (e.strip().lower().rstrip(".") for e in text.split(",")):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            continue
        except ValueError:
            pass
        if not _HOST_NAME.match(entry):
            raise ValueError(f"{entry!r} 不是主机名、IP 地址或 CIDR / is not a host name, an IP address or a CIDR")
        hosts.add(entry)
    return Allowance(frozenset(hosts), tuple(networks))


def normalized(text: str) -> str:
    """`outbound_allow` as stored: checked, entries trimmed, one comma between them."""
    allowance(text)
    return ",".join(e.strip() for e in text.split(",") if e.strip())


def refusal(address: Address, allowed: Allowance = Allowance()) -> tuple[str, str] | None:
    """Why the policy refuses an address (中文, English), or None when it may be called."""
    if allowed.opens(address):
        return None
    seen = address.ipv4_mapped if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped else address
    if allowed.opens(seen):
        return None
    for zh, en, network in _NETWORKS:
        if seen.version == network.version and seen in network:
            return zh, en
    return None


def _refused(zh: str, en: str) -> Refused:
    return Refused(f"目标地址不允许（{zh}）/ target address not allowed ({en})")


def addresses(host: str, port: int, allowed: Allowance) -> list[str] | None:
    """The addresses `host` resolves to, each one checked (Refused naming the first refused); None when the host
    is allowed by name (connect to it as it is)."""
    name = host.strip("[]").lower().rstrip(".")
    if name in allowed.hosts:
        return None
    literal = True
    try:
        found = [ipaddress.ip_address(name)]
    except ValueError:
        literal = False
        try:
            infos = socket.getaddrinfo(name, port, type=socket.SOCK_STREAM)
        except OSError as e:  # a name that does not resolve now may later: an ordinary, retried failure
            raise httpx.ConnectError(f"cannot resolve {name}: {e}") from None
        found = list(dict.fromkeys(ipaddress.ip_address(str(i[4][0]).split("%")[0]) for i in infos))
    for address in found:
        reason = refusal(address, allowed)
        if reason:
            shown = name if literal else f"{name} → {address}"
            raise _refused(f"{reason[0]} {shown}", f"{reason[1]} {shown}")
    return [str(a) for a in found]


def check(url: httpx.URL, allowed: Allowance) -> None:
    """Refused unless `url` is http(s) and every address of its host passes."""
    if url.scheme not in ("http", "https"):
        raise _refused(f"协议 {url.scheme or '（无）'}，只允许 http 和 https",
                       f"scheme {url.scheme or '(none)'}: only http and https")
    if not url.host:
        raise _refused("没有主机", "no host")
    addresses(url.host, url.port or (443 if url.scheme == "https" else 80), allowed)


class _CheckedBackend(httpcore.SyncBackend):
    """Connects only to addresses the policy allows, the very ones it checked (a name is resolved once)."""

    def __init__(self, allowed: Allowance) -> None:
        self.allowed = allowed

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        checked = addresses(host, port, self.allowed) or [host]
        for address in checked[:-1]:  # as socket.create_connection does: the next address if one fails
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError:
                continue
        return super().connect_tcp(checked[-1], port, timeout, local_address, socket_options)


class _CheckedTransport(httpx.HTTPTransport):
    """httpx's transport over a pool with our backend (httpx takes no network backend itself): its own
    __init__ is not called, it would build a pool only to be replaced; TLS still verifies the host's name."""

    def __init__(self, allowed: Allowance) -> None:
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(),
                                             network_backend=_CheckedBackend(allowed))


_lock = threading.Lock()
_clients: dict[str, tuple[str, httpx.Client]] = {}


def client(purpose: str, allow: str, **options: Any) -> httpx.Client:
    """The process's client for `purpose` under the allowance `allow` (a new one when 系统设置 changed it): every
    request it sends is checked (proxied ones by their URL, direct ones at connect), and redirects not followed."""
    with _lock:
        kept = _clients.get(purpose)
        if kept and kept[0] == allow:
            return kept[1]
        allowed = allowance(allow)

        def checked(request: httpx.Request) -> None:
            check(request.url, allowed)

        made = httpx.Client(transport=_CheckedTransport(allowed), event_hooks={"request": [checked]},
                            follow_redirects=False, **options)
        _clients[purpose] = (allow, made)  # the one it replaces is left to the collector: a job may still use it
        return made


__all__ = ["Allowance", "Refused", "addresses", "allowance", "check", "client", "normalized", "refusal"]
