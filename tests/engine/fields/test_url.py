"""url: http and https links only; a missing scheme becomes https, the host is lower-cased."""

from __future__ import annotations

import pytest

from engine.errors import FieldValueError
from engine.forms.fields import parse_field
from engine.forms.fields.base import LITERAL_MOMENT, ValueContext

CTX = ValueContext(LITERAL_MOMENT)
SITE = parse_field({"key": "website", "type": "url", "label": "公司网址"})


@pytest.mark.parametrize(("given_", "stored"), [
    ("www.example.cn", "https://www.example.cn"),
    ("WWW.Example.CN/Path?Q=1", "https://www.example.cn/Path?Q=1"),  # only the host is lower-cased
    ("HTTP://Example.com/a", "http://example.com/a"),
    ("example.cn:8080/crm", "https://example.cn:8080/crm"),  # a port is not a scheme
    ("localhost:8000", "https://localhost:8000"),
    (" https://例子.中国/关于 ", "https://例子.中国/关于"),
], ids=str)
def test_url_gets_https_and_a_lower_case_host(given_: str, stored: str) -> None:
    assert SITE.normalize(given_, CTX) == stored


@pytest.mark.parametrize("bad", [
    "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "ftp://files.example.cn", "mailto:a@b.cn",
    "例子", "https://exa mple.com", 42,
], ids=str)
def test_url_refuses_unsafe_schemes_and_non_addresses(bad: object) -> None:
    with pytest.raises(FieldValueError, match="http:// 或 https://"):
        SITE.normalize(bad, CTX)
