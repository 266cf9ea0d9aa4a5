"""Settings, read from TANGRAM_* environment variables (and a .env file if present)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from engine.limits import DEFAULT, Limits
from runtime.jobs.outbound import normalized


class Settings(BaseSettings):
    """Everything the runtime needs from its environment."""

    model_config = SettingsConfigDict(env_prefix="TANGRAM_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str = ""
    """SQLAlchemy URL; empty means the embedded SQLite file `<data_dir>/tangram.db`."""
    sqlite_json: Literal["auto", "jsonb", "text"] = "auto"
    """How SQLite stores record data: JSONB where the linked SQLite is 3.45+, else TEXT JSON."""
    admin_password: str | None = None
    timezone: str = "Asia/Shanghai"
    session_days: int = 30
    secret_key: str | None = None
    """Signs session cookies and CSRF tokens; unset: generated once into `<data_dir>/secret_key` (0600)."""
    metrics_token: str | None = None
    """A bearer token that opens /metrics to clients other than loopback (unset: loopback only)."""
    max_upload_mb: int = 50
    """An upload's own size (attachments, spreadsheets to import), in MB: over it is a 413."""
    # uploaded files: bounds on what a spreadsheet holds, checked while it is read (docs/security.md)
    max_import_rows: int = 100_000
    """Data rows one import may hold (below the header; trailing blank rows are not counted)."""
    max_import_columns: int = 1000
    """Columns a sheet may use: a row with a value further right is refused."""
    max_cell_chars: int = 32767
    """Characters in one cell (Excel's own limit); a CSV field longer than this is refused too."""
    max_unzipped_mb: int = 512
    """An xlsx/ods is a zip: its members together may decompress to at most this many MB."""
    max_zip_member_mb: int = 256
    """One member of an xlsx/ods (a sheet, the shared strings) may decompress to at most this many MB."""
    max_zip_members: int = 10000
    """Members an xlsx/ods may hold, checked before the zip's directory is parsed."""
    mirror: Literal["auto", "off", "always"] = "auto"
    """Reports on the DuckDB analytics mirror: auto (forms with at least mirror_min_rows records), off, always."""
    mirror_min_rows: int = 20000
    mirror_max_lag: float = 2.0
    """Seconds a dashboard on the mirror may be behind the records; older, a report request syncs first."""
    mirror_interval: float = 1.0
    """The mirror's owner: seconds between background syncs of the mirror (0 turns the thread off)."""
    mirror_publish_seconds: float = Field(default=2.0, ge=0)
    """The mirror's owner: at least this many seconds between two published copies of a changing mirror."""
    mirror_snapshot_max_age: float = Field(default=30.0, gt=0)
    """A server reading the owner's published copy answers from the primary database (`engine: primary`) when
    the copy is older than this many seconds: its owner stopped or fell behind (docs/reports.md)."""
    mirror_memory_limit: str = Field(default="256MB", pattern=r"^(|\d+(\.\d+)?\s?(KB|MB|GB|KiB|MiB|GiB))$")
    """DuckDB's memory limit for the analytics mirror in this process (`256MB`, `1GB`; empty: DuckDB's default,
    80 % of the machine's memory): its buffer pool and a transaction's buffered appends, beyond which it evicts
    and spills to `<file>.tmp`. Under DuckDB's default a report bench at 1M grew the process to 508 MB, 345 at
    256MB, for the same widget times (docs/benchmarks.md, "The mirror's sync in parts")."""
    host: str = "127.0.0.1"
    port: int = 8000
    access_log: bool = False
    """`tangram serve`: a line per request on the console. Off by default, as in gunicorn: the reverse
    proxy in front keeps the access log, the audit log keeps who changed what, and formatting a line
    per request cost a single create about 8 % of the server's time (bench/)."""
    log_format: Literal["text", "json"] = "text"
    """`tangram serve`: Tangram's log lines (the access line with its request id among them) as text, or as
    one JSON object a line for a log collector (docs/deployment.md, "Health checks and logs")."""
    health_mirror_max_lag: float = Field(default=300, ge=0)
    """Seconds the analytics mirror may be behind before /health answers 503 (0: its lag never fails it)."""
    # exports from the list page (docs/web-ui.md, "Export")
    export_background_rows: int = Field(default=5000, ge=0)
    """An export of more rows than this runs as a background job (progress, then a download link); up to it
    the file is made during the request."""
    export_retention_hours: float = Field(default=24, gt=0, le=8784)
    """A finished export's file is deleted this long after it was made (the job worker checks every minute);
    its download then answers 410 and the list page shows 已过期. 系统设置 (文件保留) overrides it; at most a year."""
    import_retention_hours: float = Field(default=168, gt=0, le=8784)
    """An import's uploaded spreadsheet is deleted this long after the import last changed (not while it is
    queued or running); the import wizard then shows 已过期 and its steps answer 410. 系统设置 (文件保留) overrides
    it; at most a year."""
    # imports and other writers (docs/security.md, "Imports and other writers")
    lock_wait_seconds: float = Field(default=10.0, gt=0, le=300)
    """Seconds a write waits for the database's write lock (SQLite) or any lock (PostgreSQL's
    lock_timeout) before it gives up, having written nothing: 503 `busy` with Retry-After."""
    # flows: the job worker and notifications (docs/flows.md)
    embedded_worker: bool = True
    """Run the job worker in a thread of the server (the embedded default; off when `tangram worker` runs)."""
    worker_poll_seconds: float = 2.0
    job_lease_seconds: float = 60.0
    """How long a claimed job is a worker's (issue 21): the worker renews it every third of this while the job
    runs, so a job whose worker died is taken by another after at most this long (docs/security.md)."""
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "tangram@localhost"
    smtp_starttls: bool = False
    email_domain: str | None = None
    """Users without an e-mail address are written to `<username>@<email_domain>` when this is set."""
    # 系统设置 (issue 27): these and the SMTP settings above can be set in the web UI too, which overrides them
    work_hours: tuple[str, str] = ("09:00", "18:00")
    """Working hours of working-time SLAs (`"business": true`), unless an app's definition has a calendar."""
    holidays: list[date] = Field(default_factory=list)
    """Days off (法定节假日) skipped by working-time SLAs."""
    workdays: list[date] = Field(default_factory=list)
    """Weekend days that are worked (调休): working-time SLAs count them."""
    dingtalk_webhook: str | None = None
    """The site's DingTalk group robot (its URL carries the access token): for flow messages naming no robot."""
    dingtalk_secret: str | None = None
    """That robot's signing secret (加签), if it has one."""
    wecom_webhook: str | None = None
    """The site's WeCom (企业微信) group robot (its URL carries the key): for flow messages naming no robot."""
    # 钉钉 / 企业微信 apps (企业内部应用): their credentials, stored write-only in 系统设置; today only 测试连接 uses
    # them — the address-book sync and work notices (工作通知 / 应用消息) are to come (docs/security.md)
    dingtalk_api_base: str | None = None
    """DingTalk's open API address, as the operator sets it (no default: tests point it at a local fake)."""
    dingtalk_app_key: str | None = None
    """The DingTalk app's AppKey."""
    dingtalk_app_secret: str | None = None
    """The DingTalk app's AppSecret (a secret: write-only)."""
    wecom_api_base: str | None = None
    """WeCom's API address, as the operator sets it (no default)."""
    wecom_corp_id: str | None = None
    """The WeCom organisation's CorpId."""
    wecom_agent_id: str | None = None
    """The WeCom app's AgentId."""
    wecom_secret: str | None = None
    """The WeCom app's Secret (a secret: write-only)."""
    brand_name: str | None = None
    """The name in the top bar (unset: 七巧板 / Tangram)."""
    brand_logo: str | None = None
    """The logo beside it: a `data:image/png;base64,…` URL (PNG, JPEG, GIF or WebP, at most 256 KB)."""
    password_min_length: int = Field(default=8, ge=8, le=128)
    """Characters a new password needs at least (the rest of the policy: docs/security.md)."""
    login_free_failures: int = Field(default=3, ge=1, le=20)
    """Failed logins (per name and address) before each attempt must wait (docs/security.md, "Login throttling")."""
    login_lock_after: int = Field(default=10, ge=3, le=100)
    """Failed logins (per name and address) that lock that name at that address; an address's own count: 5×."""
    login_lock_minutes: int = Field(default=15, ge=1, le=1440)
    """How long such a lock lasts."""
    outbound_allow: Annotated[str, AfterValidator(normalized)] = ""
    """Hosts and networks calls a definition aims (webhooks, HTTP 请求 steps, robots) may reach although the
    outbound policy refuses them (loopback, link-local, metadata …): comma-separated host names, addresses and
    CIDRs, e.g. `127.0.0.1,erp-connector.local`. Private LAN addresses need no entry (docs/security.md)."""
    public_url: str = ""
    """The site's address as readers open it (`https://tangram.example.com`): links in e-mails and robot
    messages (a dashboard subscription's 查看仪表盘) start with it; without it they are site paths."""

    # encryption at rest and TLS (docs/security.md, "Encryption at rest and TLS")
    encryption_key: str | None = None
    """The key of fields marked `encrypted`: 32 random bytes in base64 (`tangram crypto new-key`). Never
    stored in the database; back it up apart from the database, or the encrypted values are lost."""
    encryption_key_file: Path | None = None
    """A file of encryption keys, one a line, newest first (the first encrypts, all decrypt), and an
    optional `index <key>` line for the blind index; takes precedence over encryption_key."""
    ssl_certfile: Path | None = None
    """`tangram serve`: serve HTTPS with this certificate chain (PEM) instead of plain HTTP."""
    ssl_keyfile: Path | None = None
    """`tangram serve`: the private key (PEM) of ssl_certfile."""

    # input limits: every input bounded before work starts (docs/security.md, "Input limits")
    max_body_mb: float = Field(default=10, gt=0)
    """Bytes of one request body other than a file upload (JSON): over it, 413 before more is read.
    Uploads (multipart) are bounded by max_upload_mb instead."""
    max_text_chars: int = Field(default=DEFAULT.text_chars, ge=1)
    """Characters in a single-line value (text, phone, e-mail, url …); a field's own max_length applies below it."""
    max_textarea_chars: int = Field(default=DEFAULT.textarea_chars, ge=1)
    """Characters in a multi-line value (textarea)."""
    max_sub_table_rows: int = Field(default=DEFAULT.sub_table_rows, ge=1)
    """Rows in one sub_table value."""
    max_multi_values: int = Field(default=DEFAULT.multi_values, ge=1)
    """Values in one multi_select, users, multiple relation or attachment field."""
    max_bulk_items: int = Field(default=DEFAULT.bulk_items, ge=1)
    """Records in one bulk create."""
    max_expression_chars: int = Field(default=DEFAULT.expression_chars, ge=1)
    """Characters in a filter expression of a request (`filter=`, a saved view's expression)."""

    def limits(self) -> Limits:
        """The engine's Limits from these settings."""
        return Limits(text_chars=self.max_text_chars, textarea_chars=self.max_textarea_chars,
                      sub_table_rows=self.max_sub_table_rows, multi_values=self.max_multi_values,
                      bulk_items=self.max_bulk_items, expression_chars=self.max_expression_chars)

    def url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'tangram.db'}"
