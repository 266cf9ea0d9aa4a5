"""webhook: POST a JSON body (expressions) to a URL, signed with HMAC-SHA256, retried with backoff."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from engine.flows import effects as fx
from engine.flows.actions.base import ActionStep, values_of
from engine.flows.checker import FlowChecker
from engine.flows.run import Run
from engine.secrets import url_target


class WebhookAction(ActionStep):
    """POST a JSON body (expressions) to a URL, signed with HMAC-SHA256, retried with backoff."""

    action: Literal["webhook"]
    label = "调用 Webhook"
    sample = {"type": "action", "action": "webhook", "url": "https://erp.example/hook", "body": {"id": "id"}}
    url: str = Field(pattern=r"^https?://")
    secret: str | None = None
    body: dict[str, str] = Field(default_factory=dict)
    attempts: int = Field(default=5, ge=1, le=20)

    def check(self, c: FlowChecker, path: str) -> None:
        for key, text in self.body.items():
            c.expression(f"{path}.body.{key}", text, answers=True)

    def act(self, run: Run, path: str) -> None:
        run.emit(fx.CallWebhook(self.url, values_of(run, self.body), path, self.secret, self.attempts))
        target = url_target(self.url)  # the timeline is read by everyone who reads the record
        run.log("webhook", f"调用 {target}", f"calling {target}", step=path)


__all__ = ["WebhookAction"]
