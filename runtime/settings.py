"""Settings, read from TANGRAM_* environment variables (and a .env file if present)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


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
    max_upload_mb: int = 50
    mirror: Literal["auto", "off", "always"] = "auto"
    """Reports on the DuckDB analytics mirror: auto (forms with at least mirror_min_rows records), off, always."""
    mirror_min_rows: int = 20000
    mirror_max_lag: float = 2.0
    """Seconds a dashboard on the mirror may be behind the records; older, a report request syncs first."""
    mirror_interval: float = 1.0
    """`tangram serve`: seconds between background syncs of the mirror (0 turns the thread off)."""
    host: str = "127.0.0.1"
    port: int = 8000
    access_log: bool = False
    """`tangram serve`: a line per request on the console. Off by default, as in gunicorn: the reverse
    proxy in front keeps the access log, the audit log keeps who changed what, and formatting a line
    per request cost a single create about 8 % of the server's time (bench/)."""
    # flows: the job worker and notifications (docs/flows.md)
    embedded_worker: bool = True
    """Run the job worker in a thread of the server (the embedded default; off when `tangram worker` runs)."""
    worker_poll_seconds: float = 2.0
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "tangram@localhost"
    smtp_starttls: bool = False
    email_domain: str | None = None
    """Users without an e-mail address are written to `<username>@<email_domain>` when this is set."""

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

    def url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'tangram.db'}"
