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
    host: str = "127.0.0.1"
    port: int = 8000

    def url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'tangram.db'}"
