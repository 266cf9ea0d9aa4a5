"""E-mail over SMTP (smtplib): one message per recipient (with the payload's `attachments`, if any), every attempt
logged as a delivery; a retry writes only to the recipients not reached yet."""

from __future__ import annotations

import base64
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from sqlalchemy import Connection, select

from runtime.db.tables import users
from runtime.jobs import outbox
from runtime.jobs.job_run import JobRun
from runtime.settings import Settings


def address_of(conn: Connection, username: str, settings: Settings) -> str | None:
    """A user's e-mail address: the username when it is one, else `<username>@<email_domain>` when set.
    (When users get an e-mail column — the organisation issue — read it here first.)"""
    if "@" in username:
        return username
    email = getattr(users.c, "email", None)
    if email is not None:
        found = conn.scalar(select(email).where(users.c.username == username))
        if found:
            return str(found)
    return f"{username}@{settings.email_domain}" if settings.email_domain else None


@contextmanager
def connected(settings: Settings) -> Iterator[smtplib.SMTP]:
    """An SMTP session to the configured server, STARTTLS and login done as the settings say."""
    if not settings.smtp_host:
        raise RuntimeError("SMTP is not configured (TANGRAM_SMTP_HOST or 系统设置 → 邮件)")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        yield smtp


def attachment(filename: str, content_type: str, data: bytes) -> dict[str, str]:
    """A file for an e-mail job's payload (`attachments`): JSON, so its bytes as base64."""
    return {"filename": filename, "content_type": content_type, "data": base64.b64encode(data).decode()}


def message_to(settings: Settings, address: str, subject: str, body: str, message_id: str,
               attachments: list[dict[str, str]] | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.smtp_from, address, subject
    message["Message-ID"] = message_id
    message.set_content(body)
    for found in attachments or []:
        maintype, _, subtype = found["content_type"].partition("/")
        message.add_attachment(base64.b64decode(found["data"]), maintype=maintype, subtype=subtype,
                               filename=found["filename"])
    return message


def handle(run: JobRun) -> None:
    settings, payload = run.settings, run.job.payload
    with run.db.read() as conn:
        targets = [(u, address_of(conn, u, settings)) for u in payload["to"]]
        sent = {d.target for d in outbox.job_deliveries(conn, run.job.id) if d.ok}
    targets = [(u, a) for u, a in targets if (a or u) not in sent]  # a retry does not write twice to anyone
    errors = []
    with connected(settings) as smtp:
        for user, address in targets:
            error = None if address else f"{user} has no e-mail address"
            if address:
                # the same Message-ID on a retry
                message = message_to(settings, address, payload["subject"], payload["body"],
                                     f"<{run.job.key or run.job.id}.{user}@tangram>", payload.get("attachments"))
                try:
                    smtp.send_message(message)
                except smtplib.SMTPException as e:
                    error = str(e)
            with run.db.write() as conn:
                outbox.log_delivery(conn, run.job, "email", address or user, run.now, ok=error is None, error=error)
            if error and address:
                errors.append(error)
    if errors:
        raise RuntimeError("; ".join(errors))
