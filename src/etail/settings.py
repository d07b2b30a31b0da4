"""Settings from the environment (prefix ``ETAIL_``), one cached instance per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything configurable. ``home`` holds the embedded default's SQLite files and keys."""

    model_config = SettingsConfigDict(env_prefix="ETAIL_", extra="ignore")

    home: Path = Path(".etail")
    database_url: str | None = None  # default: sqlite under home/integrator.db
    secret_keys: list[str] = []  # extra Fernet keys (newest first); home/secret.key always read
    host: str = "127.0.0.1"
    port: int = 8000
    netsuite_sandbox_port: int = 8101
    jet_sandbox_port: int = 8102
    queue: str = "inline"  # "inline" (in-process runner) or "celery"
    broker_url: str = "redis://127.0.0.1:6379/0"
    session_hours: float = 1.0

    @property
    def integrator_db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'integrator.db'}"

    @property
    def key_file(self) -> Path:
        return self.home / "secret.key"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
