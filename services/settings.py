"""Every setting Baosong reads, in one place.

Values come from ``BAOSONG_*`` environment variables and a ``.env`` file. The composition root
builds one :class:`Settings` and passes it down; nothing reads the environment anywhere else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BAOSONG_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- where things live -----------------------------------------------------------------
    data_dir: Path = Path("./var")
    database_url: str = ""  # empty: an SQLite file in the data dir
    broker_url: str = ""  # empty: the durable queue in the embedded database
    s3_endpoint: str = ""  # empty: a folder in the data dir
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_secure: bool = False
    s3_region: str = "us-east-1"
    uploads_bucket: str = "baosong-uploads"
    site_bucket: str = "baosong-site"
    lexicon: Path | None = None  # None: the lexicon shipped with the package
    rules: Path | None = None  # None: the rules shipped with the package

    # --- serving ---------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""  # how the site is reached from outside; empty: http://host:port
    timezone: str = "Asia/Shanghai"  # months and years are counted in the commission's time
    session_secret: str = ""  # empty: derived from the database URL (set it in production)
    session_hours: int = Field(default=12, gt=0)  # a browser stays signed in this long
    # while the database is out of reach the API answers 503 and asks clients to come back
    outage_retry_after_seconds: int = Field(default=5, gt=0)

    # --- upload limits (bad input gets a 4xx, never a 500) ---------------------------------
    max_photo_bytes: int = Field(default=20 * 1024 * 1024, gt=0)
    max_photos: int = Field(default=20, gt=0)
    max_request_bytes: int = Field(default=200 * 1024 * 1024, gt=0)
    max_title_chars: int = Field(default=120, gt=0)
    max_body_chars: int = Field(default=50_000, gt=0)
    max_caption_chars: int = Field(default=300, gt=0)
    max_form_fields: int = Field(default=100, gt=0)
    max_idempotency_key_chars: int = Field(default=200, gt=0)

    # --- photo checks ----------------------------------------------------------------------
    photo_formats: tuple[str, ...] = ("JPEG", "PNG", "WEBP")
    max_photo_pixels: int = Field(default=40_000_000, gt=0)
    # all the photos of one submission together: twenty 40-megapixel bilevel PNGs are 344 KB
    # and would take the checks 19 s, holding up the next informant's article
    max_submission_pixels: int = Field(default=120_000_000, gt=0)
    max_photo_side: int = Field(default=12_000, gt=0)
    min_photo_side: int = Field(default=600, ge=0)  # shorter side below this is a finding

    # --- duplicates (fingerprints: 64 bits; the distance is how many bits differ) ------------
    # an article whose SimHash is this close to an earlier one's is a copy of it (in a
    # 30-sentence article a changed number moves it 0-5 bits, a changed sentence 0-10, median
    # 5; different articles on the same topics differ by 18-38)
    duplicate_text_distance: int = Field(default=8, ge=0, le=11)
    # a photo whose perceptual hash is this close to an earlier one's is a copy of it (resized
    # or re-compressed copies differ by 0-4 bits; unrelated photos by ~30)
    duplicate_photo_distance: int = Field(default=6, ge=0, le=11)
    duplicate_min_chars: int = Field(default=60, ge=1)  # shorter texts get no fingerprint
    max_findings_per_field: int = Field(default=100, gt=0)  # more are summed up in one finding

    # --- publishing ------------------------------------------------------------------------
    site_title: str = "市经济和信息化委员会"
    web_photo_width: int = 1200
    thumb_photo_width: int = 400
    page_size: int = Field(default=20, gt=0)
    site_url: str = ""  # where readers reach the portal (feeds, sitemaps); empty: base_url/site/
    feed_entries: int = Field(default=20, gt=0)  # entries in each Atom feed

    # --- messaging -------------------------------------------------------------------------
    exchange: str = "baosong.events"
    queue_prefix: str = "baosong"
    delivery_limit: int = 5  # deliveries before a message goes to the dead letters
    lease_seconds: float = 30.0  # embedded: how long a claimed message stays claimed
    poll_seconds: float = 0.2  # how often an idle relay or embedded consumer looks again
    confirm_timeout: float = 10.0
    consumer_threads: int = 1  # embedded: threads per consumer
    worker_concurrency: int = 2  # Celery pool processes per worker

    # --- moderation workflow ---------------------------------------------------------------
    claim_minutes: int = 15
    max_reason_templates: int = Field(default=200, gt=0)

    # --- scoring ---------------------------------------------------------------------------
    commission_check_seconds: float = Field(default=60.0, gt=0)  # how often missed 约稿 are sought
    month_close_check_seconds: float = Field(default=3600.0, gt=0)
    month_close_after_hours: float = Field(default=24.0, ge=0)  # a month closes this long after

    # --- dashboards ------------------------------------------------------------------------
    sse_ping_seconds: int = 15
    sse_client_queue: int = 100  # changes a viewer may fall behind before it is dropped
    sse_poll_seconds: float = Field(default=1.0, gt=0)  # the safety net under commit/NOTIFY wakes

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'baosong.db').resolve()}"
        return self

    @property
    def base_url(self) -> str:
        """How this deployment is reached from outside (for links in events and pages)."""
        return self.public_url.rstrip("/") or f"http://{self.host}:{self.port}"

    @property
    def portal_url(self) -> str:
        """The published portal's address, ending in ``/``."""
        return (self.site_url.rstrip("/") or f"{self.base_url}/site") + "/"

    @property
    def embedded_bus(self) -> bool:
        return not self.broker_url

    @property
    def embedded_store(self) -> bool:
        return not self.s3_endpoint

    @property
    def lexicon_path(self) -> Path:
        return self.lexicon or PACKAGE_ROOT / "moderation" / "default_lexicon.tsv"

    @property
    def rules_path(self) -> Path:
        return self.rules or PACKAGE_ROOT / "scoring" / "default_rules.toml"

    @property
    def secret(self) -> str:
        return self.session_secret or f"baosong:{self.database_url}"
