"""Local fake ERPs for the HTTP step's connectors, on 127.0.0.1, written from the vendors' public API documents:

- 金蝶云星空 (Kingdee K/3 Cloud) Web API: `…AuthService.ValidateUser.common.kdsvc` with acctID / username /
  password / lcid answers `LoginResultType` 1 and a `kdservice-sessionid` cookie; `…DynamicFormService.Save
  .common.kdsvc` with `{"formid": "SAL_SaleOrder", "data": {"Model": …}}` answers `Result.ResponseStatus
  .IsSuccess`, `Result.Id`, `Result.Number`.
- 用友 (Yonyou YonBIP) OpenAPI: `GET /open-auth/selfAppAuth/getAccessToken?appKey&timestamp&signature`, the
  signature URLEncode(Base64(HmacSHA256("appKey" + appKey + "timestamp" + timestamp, appSecret))), answers
  `{"code": "00000", "data": {"access_token", "expire": 7200}}`; the business APIs take `?access_token=` and
  answer `{"code": "200", "message", "data"}` (a customer saved: `data.code`; a list: `data.recordList`).

A session the Kingdee fake does not know (`expire()` forgets them all) is answered as K/3 Cloud does: 200 with
`Result.ResponseStatus.MsgCode` 1 (上下文丢失); a token the Yonyou fake does not know, 401. `fail` holds
statuses to answer the business call with first (503 …), `delay` seconds to wait before answering."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes import Received, _serving

KINGDEE_LOGIN = "/k3cloud/Kingdee.BOS.WebApi.ServicesStub.AuthService.ValidateUser.common.kdsvc"
KINGDEE_SAVE = "/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.Save.common.kdsvc"
YONYOU_TOKEN = "/open-auth/selfAppAuth/getAccessToken"
YONYOU_SAVE = "/yonbip/digitalModel/merchant/save"
YONYOU_LIST = "/yonbip/digitalModel/merchant/list"


@dataclass
class ErpFake:
    """What the fake was asked and how it answers."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    sessions: set[str] = field(default_factory=set)
    logins: int = 0
    fail: list[int] = field(default_factory=list)
    delay: float = 0.0
    saved: list[Any] = field(default_factory=list)
    customers: list[dict[str, Any]] = field(default_factory=list)
    """Yonyou: what the customer list answers."""
    refuse: str | None = None
    """Kingdee: a business error to answer a save with (IsSuccess false)."""

    def expire(self) -> None:
        self.sessions.clear()

    def calls(self, path: str) -> list[Received]:
        return [r for r in self.received if urlsplit(r.path).path == path]


class _Handler(BaseHTTPRequestHandler):
    fake: ErpFake
    accounts: dict[str, str]

    def _answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass

    def _take(self) -> tuple[str, dict[str, list[str]], Any]:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.fake.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
        parts = urlsplit(self.path)
        return parts.path, parse_qs(parts.query), json.loads(body) if body else None

    def _business(self) -> bool:
        """The delay and the failures the test asked for; False when the call was answered with one."""
        if self.fake.delay:
            time.sleep(self.fake.delay)
        if self.fake.fail:
            self._answer(self.fake.fail.pop(0), {"message": "服务暂不可用"})
            return False
        return True


def _kingdee(fake: ErpFake, accounts: dict[str, str]) -> type[BaseHTTPRequestHandler]:
    class Kingdee(_Handler):
        def do_POST(self) -> None:  # noqa: N802
            path, _, body = self._take()
            if path == KINGDEE_LOGIN:
                fake.logins += 1
                if accounts.get(body.get("username")) != body.get("password") or body.get("acctID") != accounts["acct"]:
                    self._answer(200, {"LoginResultType": 0, "Message": "用户名或密码错误"})
                    return
                sid = uuid.uuid4().hex
                fake.sessions.add(sid)
                self._answer(200, {"LoginResultType": 1, "KDSVCSessionId": sid, "Message": None},
                             {"Set-Cookie": f"kdservice-sessionid={sid}; path=/"})
            elif path == KINGDEE_SAVE:
                cookie = self.headers.get("Cookie", "")
                sid = cookie.partition("kdservice-sessionid=")[2].split(";")[0]
                if sid not in fake.sessions:  # as K/3 Cloud does: 200, MsgCode 1 (上下文丢失)
                    self._answer(200, {"Result": {"ResponseStatus": {"ErrorCode": 500, "IsSuccess": False, "MsgCode": 1,
                        "Errors": [{"FieldName": None, "Message": "会话信息已丢失，请重新登录", "DIndex": 0}]}}})
                    return
                if not self._business():
                    return
                if fake.refuse:
                    self._answer(200, {"Result": {"ResponseStatus": {"ErrorCode": 500, "IsSuccess": False, "Errors": [
                        {"FieldName": "FCustId", "Message": fake.refuse, "DIndex": 0}], "SuccessEntitys": []}}})
                    return
                fake.saved.append(body)
                number = f"XSDD{len(fake.saved):06d}"
                self._answer(200, {"Result": {"ResponseStatus": {"IsSuccess": True, "Errors": [], "SuccessEntitys": [
                    {"Id": 100000 + len(fake.saved), "Number": number, "DIndex": 0}], "MsgCode": 0},
                    "Id": 100000 + len(fake.saved), "Number": number, "NeedReturnData": []}})
            else:
                self._answer(404, {"Message": "not found"})
    Kingdee.fake = fake
    return Kingdee


def yonyou_signature(app_key: str, app_secret: str, timestamp: str) -> str:
    digest = hmac.new(app_secret.encode(), f"appKey{app_key}timestamp{timestamp}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _yonyou(fake: ErpFake, app_key: str, app_secret: str) -> type[BaseHTTPRequestHandler]:
    class Yonyou(_Handler):
        def do_GET(self) -> None:  # noqa: N802
            path, query, _ = self._take()
            if path != YONYOU_TOKEN:
                self._answer(404, {"code": "404", "message": "not found"})
                return
            fake.logins += 1
            timestamp = query.get("timestamp", [""])[0]
            good = (query.get("appKey") == [app_key]
                    and query.get("signature", [""])[0] == yonyou_signature(app_key, app_secret, timestamp))
            if not good:
                self._answer(200, {"code": "1090003500", "message": "签名错误"})
                return
            token = uuid.uuid4().hex
            fake.sessions.add(token)
            self._answer(200, {"code": "00000", "message": "成功！", "data": {"access_token": token, "expire": 7200}})

        def do_POST(self) -> None:  # noqa: N802
            path, query, body = self._take()
            if query.get("access_token", [""])[0] not in fake.sessions:
                self._answer(401, {"code": "1090003500065", "message": "非法token"})
                return
            if not self._business():
                return
            if path == YONYOU_SAVE:
                fake.saved.append(body)
                code = f"KH{len(fake.saved):04d}"
                self._answer(200, {"code": "200", "message": "操作成功", "data": {
                    "id": str(2000 + len(fake.saved)), "code": code, "name": body["data"]["name"]}})
            elif path == YONYOU_LIST:
                self._answer(200, {"code": "200", "message": "操作成功", "data": {
                    "pageIndex": 1, "pageSize": 500, "recordCount": len(fake.customers), "recordList": fake.customers}})
            else:
                self._answer(404, {"code": "404", "message": "not found"})
    Yonyou.fake = fake
    return Yonyou


@contextmanager
def kingdee_fake(acct: str = "6391a2b4c7", username: str = "kd_integrator", password: str = "Kd#2026!pw") -> Iterator[ErpFake]:
    fake = ErpFake()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _kingdee(fake, {"acct": acct, username: password}))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    with _serving(server):
        yield fake


@contextmanager
def yonyou_fake(app_key: str = "a1b2c3d4e5", app_secret: str = "Yy-secret-7788") -> Iterator[ErpFake]:
    fake = ErpFake()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _yonyou(fake, app_key, app_secret))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    with _serving(server):
        yield fake
