"""The outbound policy (runtime/jobs/outbound.py) on its own: which addresses a definition's call may reach,
what the administrator's allowance opens (exactly that), every address of a name checked, and the address
checked being the one connected to. No test here sends to anything but a local fake."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from runtime.jobs import outbound
from runtime.settings import Settings
from tests.fakes import http_fake


def refusal(address: str, allow: str = "") -> str | None:
    reason = outbound.refusal(ipaddress.ip_address(address), outbound.allowance(allow))
    return reason[1] if reason else None


@pytest.mark.parametrize(("address", "reason"), [
    ("127.0.0.1", "loopback address"),
    ("127.8.9.10", "loopback address"),  # all of 127/8 is this machine
    ("::1", "loopback address"),
    ("::ffff:127.0.0.1", "loopback address"),  # an IPv4-mapped IPv6 address is its IPv4 address
    ("169.254.169.254", "cloud metadata address"),
    ("100.100.100.200", "cloud metadata address"),  # Alibaba Cloud's
    ("fd00:ec2::254", "cloud metadata address"),  # AWS's over IPv6, inside the private fc00::/7
    ("169.254.1.1", "link-local address"),
    ("fe80::1", "link-local address"),
    ("0.0.0.0", "unspecified address"),
    ("0.1.2.3", "unspecified address"),  # Linux connects 0/8 to this machine
    ("::", "unspecified address"),
    ("224.0.0.1", "multicast address"),
    ("ff02::1", "multicast address"),
    ("255.255.255.255", "broadcast address"),
], ids=str)
def test_addresses_of_this_machine_and_the_cloud_are_refused_by_default(address: str, reason: str) -> None:
    assert refusal(address) == reason


@pytest.mark.parametrize("address", ["10.0.0.5", "10.255.255.254", "172.16.0.1", "172.31.255.1", "192.168.1.20",
                                     "fc00::1", "fd12:3456::1", "100.64.0.1", "8.8.8.8", "2001:db8::1"], ids=str)
def test_private_lan_and_public_addresses_are_allowed_by_default(address: str) -> None:
    assert refusal(address) is None  # the ERP on the intranet is the product's main use


def test_the_allowance_opens_exactly_the_named_addresses_and_networks() -> None:
    allow = "127.0.0.1, 169.254.10.0/24, [::1]"
    assert refusal("127.0.0.1", allow) is None
    assert refusal("::ffff:127.0.0.1", allow) is None
    assert refusal("127.0.0.2", allow) == "loopback address"
    assert refusal("169.254.10.7", allow) is None
    assert refusal("169.254.169.254", allow) == "cloud metadata address"
    assert refusal("::1", allow) is None
    assert refusal("::1", "127.0.0.1") == "loopback address"


def test_a_name_is_refused_when_any_address_it_resolves_to_is(monkeypatch: pytest.MonkeyPatch) -> None:
    def resolve(host: str, port: int, **_: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in ("10.1.1.1", "127.0.0.1")]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(outbound.Refused, match=r"回环地址 erp\.example → 127\.0\.0\.1"):
        outbound.addresses("erp.example", 80, outbound.allowance(""))
    assert outbound.addresses("erp.example", 80, outbound.allowance("erp.example")) is None  # allowed by name
    assert outbound.addresses("10.1.1.1", 80, outbound.allowance("")) == ["10.1.1.1"]


@pytest.mark.parametrize("url", ["ftp://10.0.0.5/x", "file:///etc/passwd", "gopher://10.0.0.5:70/"], ids=str)
def test_schemes_other_than_http_and_https_are_refused(url: str) -> None:
    with pytest.raises(outbound.Refused, match="only http and https"):
        outbound.check(httpx.URL(url), outbound.allowance(""))


def test_a_name_resolving_elsewhere_when_connecting_is_checked_again_and_never_reached(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the name passes the first check (10.x) and answers 127.0.0.1 when the connection is
    opened; the connection goes only to an address that was checked, so it is refused there."""
    answers = ["10.9.9.9", "127.0.0.1"]

    def resolve(host: str, port: int, **_: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers.pop(0) if answers else "127.0.0.1", port))]

    with http_fake() as fake:
        monkeypatch.setattr(socket, "getaddrinfo", resolve)
        port = httpx.URL(fake.url).port
        with pytest.raises(outbound.Refused, match="127.0.0.1"):
            outbound.client("test-rebinding", "").post(f"http://rebind.example:{port}/in", content=b"{}")
        assert fake.received == [] and answers == []


def test_an_allowed_address_is_reached_and_a_redirect_is_not_followed() -> None:
    with http_fake() as target, http_fake(location=f"{target.url}/in") as redirector:
        response = outbound.client("test-redirect", "127.0.0.1").post(f"{redirector.url}/x", content=b"{}")
        assert response.status_code == 302 and len(redirector.received) == 1 and target.received == []


@pytest.mark.parametrize("entry", ["not a host", "http://erp.local", "10.0.0.0/33", "erp.local/x"], ids=str)
def test_a_bad_allowance_entry_is_refused_naming_it(entry: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANGRAM_OUTBOUND_ALLOW", f"127.0.0.1,{entry}")
    with pytest.raises(ValidationError, match="outbound_allow"):
        Settings()


def test_the_allowance_is_read_from_the_environment_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANGRAM_OUTBOUND_ALLOW", " 127.0.0.1 , erp-connector.local,10.8.0.0/16 ")
    assert Settings().outbound_allow == "127.0.0.1,erp-connector.local,10.8.0.0/16"
