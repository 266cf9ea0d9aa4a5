"""http_request (HTTP 请求): call another system (an ERP) and keep its answer — fields of the record set from
the answer, or the answer's list upserted into a form. Sent by the runtime's outbox, retried with backoff."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from pydantic import Field

from engine.flows import effects as fx
from engine.flows.actions.base import ActionStep
from engine.flows.checker import FlowChecker
from engine.flows.http_parts import URL_PATTERN, HttpAuth, HttpRecords, HttpSuccess, Method
from engine.flows.http_template import RUNTIME, is_runtime, placeholders, valid_path
from engine.flows.run import Run, plain
from engine.keys import Key
from engine.secrets import is_secret_name, url_target


class HttpRequestAction(ActionStep):
    """Call an HTTP API with a body template and keep its answer in the record or in new records."""

    action: Literal["http_request"]
    label = "HTTP 请求"
    sample = {"type": "action", "action": "http_request", "method": "POST", "url": "https://erp.example/api/orders",
              "body": {"id": "{{id}}"}}
    method: Method = "POST"
    url: str = Field(pattern=URL_PATTERN, max_length=2000)
    query: dict[str, str] = Field(default_factory=dict)
    headers: dict[str, str] = Field(default_factory=dict)
    auth: HttpAuth | None = None
    body: Any = None
    """A JSON template: `{{expression}}` over the record, `{{$secret.NAME}}`, `{{$token}}`, `{{$timestamp}}`."""
    timeout: float = Field(default=10, gt=0, le=120)
    attempts: int = Field(default=5, ge=1, le=20)
    success: HttpSuccess | None = None
    set: dict[Key, str] = Field(default_factory=dict)
    """field of the record → answer path (`response.body.Result.Number`) or a quoted text."""
    records: HttpRecords | None = None

    def _templates(self) -> dict[str, Any]:
        return {"url": self.url, "query": self.query, "headers": self.headers, "body": self.body}

    def check(self, c: FlowChecker, path: str) -> None:
        for part, template in self._templates().items():
            for name in placeholders(template):
                if is_runtime(name):
                    if not RUNTIME.match(name):
                        c.add(f"{path}.{part}", "invalid_placeholder", f"未知占位符 {{{{{name}}}}}",
                              f"unknown placeholder {{{{{name}}}}}")
                else:
                    c.expression(f"{path}.{part}", name, answers=True)
        login = self.auth.login if self.auth else None
        if login:
            for part, template in {"url": login.url, "query": login.query, "headers": login.headers, "body": login.body,
                                   "use": login.use, "sign.message": login.sign and login.sign.message}.items():
                for name in placeholders(template):
                    if not RUNTIME.match(name):  # a login is made for every record alike: no record values
                        c.add(f"{path}.auth.login.{part}", "invalid_placeholder",
                              f"登录只能用 {{{{$secret.名称}}}}、{{{{$timestamp}}}}、{{{{$signature}}}}、{{{{$token}}}}：{{{{{name}}}}}",
                              f"a login may use only {{{{$secret.name}}}}, {{{{$timestamp}}}}, {{{{$signature}}}}, "
                              f"{{{{$token}}}}: {{{{{name}}}}}")
        _no_written_credentials(c, path, self.url, self.headers, self.query)
        if login:
            _no_written_credentials(c, f"{path}.auth.login", login.url, login.headers, login.query)
        self._check_answer(c, path)

    def _check_answer(self, c: FlowChecker, path: str) -> None:
        paths = {f"set.{k}": v for k, v in self.set.items()}
        if self.success:
            paths["success.path"] = self.success.path
        if self.auth and self.auth.login:
            paths["auth.login.token"] = self.auth.login.token
            if self.auth.login.relogin:
                paths["auth.login.relogin.path"] = self.auth.login.relogin.path
        for where, text in paths.items():
            if not text.strip().startswith('"') and not valid_path(text):
                c.add(f"{path}.{where}", "invalid_path", f"应为应答路径，如 response.body.data.code：{text}",
                      f"an answer path such as response.body.data.code: {text}")
        for key in self.set:
            c.field(f"{path}.set.{key}", key, writable=True)
        if self.set and c.flow.trigger.on == "schedule" and c.flow.trigger.each_record is False:
            c.add(f"{path}.set", "not_applicable", "不针对记录的定时流程没有记录可回写，请用 records",
                  "a schedule that runs on no record has no record to write back to: use records")
        if self.records:
            form = c.app.forms_by_key.get(self.records.form)
            if form is None:
                c.add(f"{path}.records.form", "unknown_form", f"没有表单 {self.records.form}",
                      f"no form {self.records.form!r}")
                return
            c.field(f"{path}.records.key", self.records.key, form=form)
            for key, text in self.records.values.items():
                c.field(f"{path}.records.values.{key}", key, writable=True, form=form)
                if not text.strip().startswith('"') and not valid_path(text):
                    c.add(f"{path}.records.values.{key}", "invalid_path", f"应为条目路径，如 item.code：{text}",
                          f"an item path such as item.code: {text}")
            if self.records.key not in self.records.values:
                c.add(f"{path}.records.values", "required", f"values 需要给出键字段 {self.records.key}",
                      f"values must give the key field {self.records.key!r}")

    def enter(self, run: Run, path: str) -> bool:
        """Call, and wait for the answer (events.Answered): the steps after it read it as `http.<key>…`."""
        self.act(run, path)
        return False

    def act(self, run: Run, path: str) -> None:
        record_placeholders = [n for n in placeholders(list(self._templates().values())) if not is_runtime(n)]
        values = {name: plain(run.evaluate(name)) for name in record_placeholders}
        request = self.model_dump(mode="json", exclude={"type", "name", "key"}, exclude_none=True)
        run.emit(fx.CallHttp(request, values, path, self.attempts))
        target = url_target(self.url)  # the timeline is read by everyone who reads the record
        run.log("http_request", f"HTTP 请求 {self.method} {target}", f"HTTP {self.method} {target}", step=path)


def _no_written_credentials(c: FlowChecker, path: str, url: str, headers: dict[str, str],
                            query: dict[str, str]) -> None:
    """A header, query parameter (or one in the URL) named like a credential must name a connector secret."""
    parts = urlsplit(url)
    if "@" in parts.netloc:
        c.add(f"{path}.url", "secret_in_definition", "地址中不能写用户名和密码：请用 auth 和连接器密钥",
              "no user:password in the URL: use auth and connector secrets")
    in_url = dict(parse_qsl(parts.query, keep_blank_values=True))
    for part, values in ((f"{path}.headers", headers), (f"{path}.query", query), (f"{path}.url", in_url)):
        for name, value in values.items():
            if is_secret_name(name) and value and not any(is_runtime(p) for p in placeholders(value)):
                c.add(part if part.endswith(".url") else f"{part}.{name}", "secret_in_definition",
                      f"{name} 是凭据：请存入系统设置 → 连接器密钥，用 {{{{$secret.名称}}}} 引用",
                      f"{name} is a credential: keep it in 系统设置 → connector secrets and use {{{{$secret.name}}}}")


__all__ = ["HttpRequestAction"]
