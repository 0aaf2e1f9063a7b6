"""Configuration, declared once and validated at start-up.

Values come from the environment (or a `.env` file); secrets never come from
anywhere else. Each chat adapter checks the part it needs with
`Settings.require(...)`, which names exactly what is missing.
"""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class MissingConfiguration(Exception):
    """Raised when a command needs settings that are not set; the message is for people."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field(
        default="sqlite:///supervision.db",
        description="SQLAlchemy URL of the store: sqlite:///path.db or postgresql+psycopg://...",
    )
    supervision_policy: str | None = Field(
        default=None,
        description="Policy pack name or path to a pack YAML; overrides the pack stored at init.",
    )
    default_timezone: str = Field(default="Europe/London")
    admins: str = Field(
        default="",
        description="Comma-separated person ids who may see everyone and receive admin notices.",
    )
    escalation_fallback_id: str | None = Field(
        default=None,
        description="Person id who receives escalations for supervisors with no line manager.",
    )
    notes_retention_days: int = Field(default=365, ge=1)
    reflection_bank: str | None = Field(
        default=None,
        description="Path to the organisation's reflective question bank YAML (built-in if unset).",
    )
    child_detail_patterns: str | None = Field(
        default=None,
        description="Path to the organisation's children's-details patterns YAML (built-in "
        "if unset).",
    )

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = Field(default="https://slack.com/api/")

    teams_app_id: str | None = None
    teams_app_password: str | None = None
    teams_tenant_id: str | None = None
    teams_service_url: str | None = None
    teams_insecure_dev: bool = Field(
        default=False,
        description="Serve Teams without inbound authentication (local development only).",
    )
    teams_cloud: str = Field(default="Public", description="Public, USGov, USGovDoD or China.")
    teams_openid_metadata_url: str | None = Field(
        default=None,
        description="Bot Connector OpenID metadata URL (signing keys); default: the cloud's.",
    )

    @property
    def admin_ids(self) -> list[str]:
        return [a.strip() for a in self.admins.split(",") if a.strip()]

    def require(self, *names: str, hint: str = "") -> None:
        """Raise MissingConfiguration naming every unset setting among `names`."""
        missing = [n for n in names if not getattr(self, n)]
        if missing:
            env = ", ".join(n.upper() for n in missing)
            raise MissingConfiguration(f"Missing configuration: set {env}. {hint}".strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
