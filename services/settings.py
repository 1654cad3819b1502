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
    columns: Path | None = None  # the columns (栏目) file; None: the one shipped with the package

    # --- serving ---------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""  # how the site is reached from outside; empty: http://host:port
    timezone: str = "Asia/Shanghai"  # months and years are counted in the commission's time
    session_secret: str = ""  # empty: derived from the database URL (set it in production)
    session_hours: int = Field(default=12, gt=0)  # a browser stays signed in this long
    # an API token stops working this many days after it was issued (``baosong users rotate``
    # issues a new one): a token copied into a script or a note does not work for ever
    token_days: int = Field(default=180, gt=0)
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
    # a text sharing this many of its 32 MinHash band keys with an earlier one is a near copy
    # of it (edited copies share 18-32, honest look-alikes 0: bench/duplicates.py)
    duplicate_text_min_bands: int = Field(default=8, ge=1, le=32)
    max_findings_per_field: int = Field(default=100, gt=0)  # more are summed up in one finding

    # --- publishing ------------------------------------------------------------------------
    site_title: str = "市经济和信息化委员会"
    web_photo_width: int = 1200
    thumb_photo_width: int = 400
    page_size: int = Field(default=20, gt=0)
    site_url: str = ""  # where readers reach the portal (feeds, sitemaps); empty: base_url/site/
    feed_entries: int = Field(default=20, gt=0)  # entries in each Atom feed

    # --- the office's documents (通报, exports, the year-end review) ------------------------
    report_office: str = "市经济和信息化委员会办公室"  # issues them (印发); the red header
    report_number_prefix: str = "经信办"  # 文号: 经信办〔2026〕12号
    report_cc: str = "委领导，各处室，各县（市、区）经信局"  # the 抄送 line

    # --- messaging -------------------------------------------------------------------------
    exchange: str = "baosong.events"
    queue_prefix: str = "baosong"
    # failed deliveries a message may have and still be tried again (RabbitMQ's x-delivery-limit:
    # at most limit + 1 tries); then it goes to the dead letters. Embedded: at most limit tries
    delivery_limit: int = Field(default=5, ge=1)
    # RabbitMQ queues: quorum (replicated; the broker counts deliveries, x-delivery-limit) or
    # classic, for a single-node dev broker: it counts nothing, so the consumer counts its own
    # tries (a header on a copy it sends back to the queue) and dead-letters past the limit
    queue_type: Literal["quorum", "classic"] = "quorum"
    # the broker's consumer_timeout: a delivery held unacked longer closes the channel
    # (RabbitMQ's default 30 min); a batch must be handled well inside it (see the startup check)
    consumer_timeout_seconds: float = Field(default=1800.0, gt=0)
    lease_seconds: float = 30.0  # embedded: how long a claimed message stays claimed
    poll_seconds: float = 0.2  # how often an idle relay or embedded consumer looks again
    confirm_timeout: float = 10.0
    consumer_threads: int = 1  # embedded: threads per consumer
    # embedded: the processes that run the consumers (up starts them beside itself, ``baosong
    # pipeline``, all on the same database, and serves HTTP); 0: one for each core; 1: up runs
    # everything itself
    pipeline_processes: int = Field(default=0, ge=0, le=64)
    # Batches: under load a consumer takes what is waiting in one transaction (each event still
    # decided once by the inbox), so the transaction, the queue's bookkeeping and what items
    # share (the site's listings, the totals) are paid once a batch. A quiet site still sees
    # each event at once: a batch never waits for more than the linger.
    event_batch: int = Field(default=100, ge=1)  # events one transaction may take
    publish_batch: int = Field(default=20, ge=1)  # approved items: the publisher's batches
    # pages of one batch written side by side (a folder's fsync or an S3 request each: waiting,
    # not work); 1 writes them one after another
    site_write_threads: int = Field(default=8, ge=1, le=64)
    score_batch: int = Field(default=200, ge=1)  # events the ledger books in one transaction
    screen_batch: int = Field(default=8, ge=1)  # received items screened in one transaction
    batch_linger_seconds: float = Field(default=0.05, ge=0, le=5)  # RabbitMQ: a batch fills
    prepare_threads: int = Field(default=2, ge=1)  # photo checks and derivatives side by side
    worker_concurrency: int = 2  # Celery pool processes per worker

    # --- moderation workflow ---------------------------------------------------------------
    claim_minutes: int = 15
    max_reason_templates: int = Field(default=200, gt=0)

    # --- the public mailbox (公共信箱) ------------------------------------------------------
    # deadlines in working days on the Chinese calendar, by letter type
    letter_days_consult: int = Field(default=5, gt=0)  # 咨询
    letter_days_suggestion: int = Field(default=10, gt=0)  # 建议
    letter_days_help: int = Field(default=10, gt=0)  # 求助
    letter_days_complaint: int = Field(default=15, gt=0)  # 投诉
    letter_rating_days: int = Field(default=20, gt=0)  # no rating by then counts as 满意
    letter_near_days: int = Field(default=2, ge=0)  # this many working days left: "nearing"
    # holidays and 调休 for years the chinese-calendar package does not know yet: lines of
    # ``YYYY-MM-DD holiday|workday``; a year with no line there is counted on weekdays
    letter_calendar_overrides: Path | None = None
    letter_check_seconds: float = Field(default=300.0, gt=0)  # how often deadlines are checked
    letter_max_attachments: int = Field(default=5, ge=0)
    letter_max_attachment_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    letter_max_subject_chars: int = Field(default=100, gt=0)
    letter_max_body_chars: int = Field(default=5000, gt=0)
    letter_max_field_chars: int = Field(default=100, gt=0)  # name, phone, e-mail, enterprise
    letter_max_reply_chars: int = Field(default=10_000, gt=0)
    # rate limits on the public endpoints: so many letters in so many seconds
    letter_address_limit: int = Field(default=10, gt=0)  # per client address
    letter_address_window_seconds: int = Field(default=3600, gt=0)
    letter_phone_limit: int = Field(default=3, gt=0)  # per writer's phone number
    letter_phone_window_seconds: int = Field(default=86_400, gt=0)
    letter_lookup_limit: int = Field(default=60, gt=0)  # status look-ups per client address
    letter_lookup_window_seconds: int = Field(default=3600, gt=0)
    letter_merge_hours: int = Field(default=24, ge=0)  # the same text again is merged

    # --- scoring ---------------------------------------------------------------------------
    commission_check_seconds: float = Field(default=60.0, gt=0)  # how often missed 约稿 are sought
    month_close_check_seconds: float = Field(default=3600.0, gt=0)
    # the county and enterprise websites the portal links to: how often, and how long one may take
    link_check_seconds: float = Field(default=86400.0, gt=0)
    link_check_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    month_close_after_hours: float = Field(default=24.0, ge=0)  # a month closes this long after

    # --- surveys and evaluations (网上调查、网上评议) ----------------------------------------
    survey_max_questions: int = Field(default=100, gt=0)
    survey_max_text_chars: int = Field(default=2000, gt=0)  # one text answer
    survey_max_units: int = Field(default=200, gt=0)  # units one evaluation rates
    survey_max_codes: int = Field(default=5000, gt=0)  # codes issued by one request
    survey_max_ballot_bytes: int = Field(default=256 * 1024, gt=0)
    # attempts one client address may make on one survey in one window (429 beyond)
    survey_ballots_per_address: int = Field(default=30, gt=0)
    survey_rate_window_seconds: int = Field(default=3600, gt=0)
    # the portal's read counter: one client's reads of one item count once in this window
    read_window_seconds: int = Field(default=1800, gt=0)
    # the header a trusted proxy (nginx) puts the client's address in; empty: the peer address
    client_address_header: str = ""
    # points of the grades 5 (非常满意) .. 1 (非常不满意) in an evaluated unit's score
    evaluation_grade_points: tuple[float, float, float, float, float] = (100, 80, 60, 40, 20)

    # --- dashboards ------------------------------------------------------------------------
    sse_ping_seconds: int = 15
    sse_client_queue: int = 100  # changes a viewer may fall behind before it is dropped
    sse_poll_seconds: float = Field(default=1.0, gt=0)  # the safety net under commit/NOTIFY wakes

    # --- documents, forms and meeting notices (网上办事) -----------------------------------
    max_attachment_bytes: int = Field(default=20 * 1024 * 1024, gt=0)  # one PDF, DOCX or XLSX
    max_attachments: int = Field(default=10, gt=0)
    max_attachment_unpacked_bytes: int = Field(default=200 * 1024 * 1024, gt=0)  # DOCX/XLSX zip
    documents_skip_moderator: bool = True  # an admin's own document needs no moderator's look
    max_registration_names: int = Field(default=20, gt=0)  # attendees one unit may register

    # --- site search and what a government site shows (政府网站) ----------------------------
    search_per_minute: int = Field(default=30, gt=0)  # queries one client may make a minute
    max_search_chars: int = Field(default=40, gt=0)
    search_results: int = Field(default=20, gt=0)
    site_sponsor: str = ""  # 主办单位; empty: the site title
    site_identifier: str = ""  # 网站标识码
    site_icp: str = ""  # ICP 备案号, linked to the national register
    site_police_record: str = ""  # 公安机关备案号
    site_contact: str = ""  # 联系电话
    site_address: str = ""  # 地址
    site_dzjg_url: str = ""  # the 党政机关网站 mark's link (issued with the site's registration)
    site_error_report_url: str = "https://zfwzzc.www.gov.cn/"  # 「我为政府网站找错」

    # --- what operators see (Prometheus) -----------------------------------------------------
    # a process without HTTP (worker, publisher, scoring, pipeline) serves /metrics on this port;
    # 0: it serves none (the API and up always answer /metrics on their own port)
    metrics_port: int = Field(default=0, ge=0, le=65535)

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
    def columns_path(self) -> Path:
        return self.columns or PACKAGE_ROOT / "services" / "columns.toml"

    @property
    def rules_path(self) -> Path:
        return self.rules or PACKAGE_ROOT / "scoring" / "default_rules.toml"

    def letter_days(self, letter_type: str) -> int:
        return int(getattr(self, f"letter_days_{letter_type}"))

    @property
    def secret(self) -> str:
        return self.session_secret or f"baosong:{self.database_url}"
