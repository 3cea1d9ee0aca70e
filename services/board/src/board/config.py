"""The board's settings (prefix ``BOARD_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from towngrid_kit.settings import ServiceSettings


class BoardSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BOARD_", extra="ignore", frozen=True)

    mongo_db: str = "board"
    http_port: int = Field(default=8000, ge=1, le=65535)
    town_utc_offset_hours: int = Field(default=8, ge=-12, le=14,
                                       description="The town's UTC offset: what 'today' and a day mean (as the registry's).")
    refresh_interval_s: float = Field(default=1.0, ge=0.2, le=60,
                                      description="How often the api looks for new projections (and pushes them to streams).")
    heartbeat_interval_s: float = Field(default=15.0, ge=1, le=300, description="A comment on idle streams this often.")
    session_cookie_secure: bool = Field(default=False, description="Mark the session cookie Secure (behind HTTPS).")
    stream_max_s: float = Field(default=300.0, ge=10, le=3600, description="A stream ends after this long (the "
                                "browser reconnects, and the token is checked again).")
    echarts_js: Path | None = Field(default=None, description="Apache ECharts' echarts.min.js, served at "
                                    "/static/vendor/echarts.min.js (the set-up fetches it); without it the "
                                    "page shows numbers only.")
