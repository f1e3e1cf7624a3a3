"""Settings read from the environment, with documented defaults for a developer's machine.

Every variable is listed in README.md. In production the service refuses to start with
the development secret.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

DEVELOPMENT_SECRET = "dev-secret-change-me-0000000000000000"  # noqa: S105 - documented dev default
KEY_GENERATION_HINT = (
    '; generate one with: python3 -c "import secrets; print(secrets.token_urlsafe(48))"'
)
# zxcvbn's work grows with the length (about 0.1 s for a repetitive 72-character key, the
# most it accepts); a key is judged on its first 64 characters, all a random key needs.
SECRET_JUDGED_CHARACTERS = 64
# zxcvbn's strongest score (4) means at least 10^10 guesses; a key signs every access token
# and can be attacked offline, so 10^25 is asked as well. zxcvbn estimates a random key of
# n characters at about 10^n guesses: of 2,000 random 32-character keys, the weakest were
# 10^27.5 (hex) and 10^29.8 (token_urlsafe), while "aaaa…" is 10^2.6, a keyboard walk of 36
# characters 10^12, a repeated passphrase 10^22.
SECRET_MIN_GUESSES_LOG10 = 25.0


def guessable_secret(secret: str) -> str | None:
    """Why `secret` is not random enough to sign tokens (zxcvbn's verdict: repeats,
    sequences, keyboard walks, dictionary words), or None for a key that looks random."""
    from zxcvbn import zxcvbn

    verdict = zxcvbn(secret[:SECRET_JUDGED_CHARACTERS])
    guesses_log10 = float(verdict["guesses_log10"])
    if verdict["score"] >= 4 and guesses_log10 >= SECRET_MIN_GUESSES_LOG10:
        return None
    warning = verdict["feedback"]["warning"] or "a pattern"
    return f"{warning.rstrip('.')}: about 10^{guesses_log10:.0f} guesses"


DEVELOPMENT_DEPARTMENT_IBAN = "FR583000100596C130000000003"  # a well-formed, made-up account


class ImproperlyConfigured(RuntimeError):
    """A setting makes the service unsafe or unable to start."""


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if raw in (None, "") else int(raw)


def _float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return default if raw in (None, "") else float(raw)


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    database_url: str = "sqlite://var/cjeune.sqlite3"
    redis_url: str | None = None
    secret_key: str = DEVELOPMENT_SECRET
    public_url: str = "http://127.0.0.1:8000"
    data_dir: Path = Path("var")
    access_token_minutes: int = 10
    refresh_token_days: int = 30
    # A rotated refresh token presented again within this many seconds (several requests of
    # an app waking up) gets the same new one instead of revoking the session.
    refresh_reuse_grace_seconds: int = 30
    database_pool_size: int = 20
    email_backend: str = "outbox"  # "outbox" writes .eml files; "smtp" sends them
    email_from: str = "CJeune de Provence <ne-pas-repondre@cjeunedeprovence.fr>"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_tls: str = "none"  # none | starttls | implicit
    push_backend: str = "outbox"  # "outbox" writes JSON files; "fcm" sends through firebase-admin
    fcm_credentials_file: Path | None = None  # the service-account key (JSON)
    fcm_endpoint: str = "https://fcm.googleapis.com"  # a local stand-in in the tests
    geocoder: str = "offline"  # "offline": built-in commune centres; "ban": Base Adresse Nationale
    geocoder_url: str = "https://api-adresse.data.gouv.fr"  # a local stand-in in the tests
    search_backend: str = "database"  # "database" (SQL) or "meilisearch" (MEILISEARCH_URL)
    meilisearch_url: str | None = None
    meilisearch_key: str | None = None  # an API key allowed to search and write the index
    # The database backend's ranking of a text search (search/text.py): a point of relevance
    # (all the words in the title: 1) is worth this many km when a position is given; a
    # « super bon plan » (the département's highlight of a deal) gains this many points.
    search_km_per_point: float = 5.0
    search_super_boost: float = 0.5
    # Typo tolerance (PostgreSQL): a word is also looked for as the known words at least
    # this similar to it (pg_trgm's similarity, 0 to 1).
    search_typo_similarity: float = 0.3
    search_candidates: int = 100  # rows of each kind a text search ranks, at most
    job_max_retries: int = 5
    # A job unacknowledged this long after its delivery is handed to another worker.
    job_claim_after_seconds: int = 600
    campaign_email_per_second: int = 0  # 0: as fast as the SMTP server takes them
    campaign_push_per_second: int = 0  # 0: as fast as FCM takes them
    campaign_batch_size: int = 500  # recipients claimed at a time (FCM takes 500 per call)
    campaign_parallel_batches: int = 2  # batch jobs per channel running at once
    # SMTP connections per email batch, side by side; the relay sees at most this times
    # CAMPAIGN_PARALLEL_BATCHES times the workers (16 x 2 x 2 = 64 with the defaults)
    campaign_smtp_connections: int = 16
    rate_limit_per_minute: int = 600
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 30
    login_failure_window_minutes: int = 15
    lookup_limit_per_delegate: int = 120  # card lookups per minute
    lookup_limit_per_partner: int = 1200
    unknown_code_limit_per_delegate: int = 10  # unknown codes typed per 10 minutes
    unknown_code_limit_per_partner: int = 30
    max_query_depth: int = 10
    max_query_tokens: int = 2000
    max_query_aliases: int = 15
    max_operations_per_request: int = 10
    # graphql-core's field-merging check, the one validation rule whose work grows faster
    # than the document: comparisons it may make (its budget's units) before it gives up
    max_validation_work: int = 10_000
    max_query_cost: int = 20_000  # fields x page sizes, counted before execution
    query_cost_list_size: int = 10  # items counted for a list without a page size
    allowed_origins: tuple[str, ...] = field(default_factory=tuple)
    max_upload_bytes: int = 8 * 1024 * 1024  # one uploaded image file
    max_request_bytes: int = 1024 * 1024  # any other request body (and WebSocket message)
    max_json_depth: int = 32  # nested arrays and objects in a JSON body or variables
    max_subscriptions_per_connection: int = 20  # operations open at once on one WebSocket
    max_image_pixels: int = 40_000_000  # width x height of an uploaded image
    # The payer of the reimbursements (SEPA debtor) and the header of the statements.
    department_name: str = "Département des Bouches-du-Rhône"
    department_address: str = "52 avenue de Saint-Just, 13256 Marseille Cedex 20"
    department_iban: str = DEVELOPMENT_DEPARTMENT_IBAN
    department_bic: str = "BDFEFRPP"
    statement_link_minutes: int = 10  # lifetime of a statement or payment file download link
    daily_collection_time: str = "20:00"  # the evening report ("télécollecte"), Paris time
    # The partners' assistance (the guide's « Assistance dédiée »), told where a page or an
    # error sends a person to the hotline.
    hotline_phone: str = "04 86 68 80 07"
    assistance_email: str = "contact.partenaire@cjeunedeprovence.fr"
    # The young people's (and their parents') help contact, in the young space's and the
    # public pages' footer: the partners' Assistance is not theirs. No phone: none shown.
    young_help_email: str = "contact@cjeunedeprovence.fr"
    young_help_phone: str = ""
    # The map tiles the web pages draw a pin on ("https://host/{z}/{x}/{y}.png"); empty: no
    # map, the address and coordinates only. OpenStreetMap's in production unless set.
    map_tile_url: str = ""
    # Retention (docs/privacy.md, domain/privacy/retention.py): days each kind of row is kept.
    retention_email_token_days: int = 30  # after the link expired
    retention_session_days: int = 90  # after the session was revoked
    retention_notification_days: int = 365  # after a dispatched notification was created
    retention_device_days: int = 270  # after a push token was last seen
    retention_login_failure_days: int = 7  # after the failed sign-in
    # audit entries of a staff member's access to a young person's record, after they were made
    retention_data_access_audit_days: int = 365
    # IP addresses in audit entries and open sessions, after they were written
    retention_ip_address_days: int = 180
    # a young person's account unused that long is warned, then closed (privacy/inactivity.py)
    retention_inactive_account_years: int = 3
    retention_inactive_warning_days: int = 30  # from the warning to the closure

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def push_outbox_dir(self) -> Path:
        return self.data_dir / "push-outbox"

    def check(self) -> None:
        """Refuse configurations that must never run in production."""
        if self.environment not in {"development", "test", "production"}:
            raise ImproperlyConfigured(
                f"ENVIRONMENT must be development, test or production, not {self.environment!r}"
            )
        if self.email_backend not in {"outbox", "smtp"}:
            raise ImproperlyConfigured("EMAIL_BACKEND must be outbox or smtp")
        if self.smtp_tls not in {"none", "starttls", "implicit"}:
            raise ImproperlyConfigured("SMTP_TLS must be none, starttls or implicit")
        if self.push_backend not in {"outbox", "fcm"}:
            raise ImproperlyConfigured("PUSH_BACKEND must be outbox or fcm")
        if self.push_backend == "fcm" and self.fcm_credentials_file is None:
            raise ImproperlyConfigured("PUSH_BACKEND=fcm needs FCM_CREDENTIALS_FILE")
        if (
            min(
                self.campaign_batch_size,
                self.campaign_parallel_batches,
                self.campaign_smtp_connections,
            )
            < 1
        ):
            raise ImproperlyConfigured(
                "CAMPAIGN_BATCH_SIZE, CAMPAIGN_PARALLEL_BATCHES and CAMPAIGN_SMTP_CONNECTIONS "
                "must be at least 1"
            )
        if self.job_claim_after_seconds < 1:
            raise ImproperlyConfigured("JOB_CLAIM_AFTER_SECONDS must be at least 1")
        if self.geocoder not in {"offline", "ban"}:
            raise ImproperlyConfigured("GEOCODER must be offline or ban")
        if self.search_backend not in {"database", "meilisearch"}:
            raise ImproperlyConfigured("SEARCH_BACKEND must be database or meilisearch")
        if self.search_backend == "meilisearch" and self.meilisearch_url is None:
            raise ImproperlyConfigured("SEARCH_BACKEND=meilisearch needs MEILISEARCH_URL")
        if not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", self.daily_collection_time):
            raise ImproperlyConfigured("DAILY_COLLECTION_TIME must be HH:MM (Paris time)")
        if not self.is_production:
            return
        if self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32:
            raise ImproperlyConfigured(
                "SECRET_KEY must be set to a random value of at least 32 characters in production"
                + KEY_GENERATION_HINT
            )
        weakness = guessable_secret(self.secret_key)
        if weakness is not None:
            raise ImproperlyConfigured(
                f"SECRET_KEY is guessable ({weakness})" + KEY_GENERATION_HINT
            )
        if self.database_url.startswith("sqlite"):
            raise ImproperlyConfigured("production needs DATABASE_URL pointing at PostgreSQL")
        if self.email_backend != "smtp":
            raise ImproperlyConfigured("production sends real emails: set EMAIL_BACKEND=smtp")
        if self.push_backend != "fcm":
            raise ImproperlyConfigured("production sends real push notifications: PUSH_BACKEND=fcm")
        if self.redis_url is None:
            raise ImproperlyConfigured(
                "production runs several processes: REDIS_URL is needed for jobs and real time"
            )
        if self.department_iban == DEVELOPMENT_DEPARTMENT_IBAN:
            raise ImproperlyConfigured(
                "production pays partners: set DEPARTMENT_IBAN and DEPARTMENT_BIC to the "
                "département's account"
            )


OPENSTREETMAP_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"


def _map_tile_url() -> str:
    """MAP_TILE_URL, "none" for no map; unset: OpenStreetMap's tiles in production only."""
    wanted = os.environ.get("MAP_TILE_URL")
    if wanted is None:
        production = os.environ.get("ENVIRONMENT", "development") == "production"
        return OPENSTREETMAP_TILES if production else ""
    wanted = wanted.strip()
    return "" if wanted.lower() in ("", "none") else wanted


def load_settings() -> Settings:
    data_dir = Path(os.environ.get("CJEUNE_DATA_DIR", "var"))
    origins = os.environ.get("ALLOWED_ORIGINS", "")
    return Settings(
        environment=os.environ.get("ENVIRONMENT", "development"),
        database_url=os.environ.get("DATABASE_URL") or f"sqlite://{data_dir}/cjeune.sqlite3",
        redis_url=os.environ.get("REDIS_URL") or None,
        secret_key=os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET),
        public_url=os.environ.get("PUBLIC_URL", "http://127.0.0.1:8000"),
        data_dir=data_dir,
        access_token_minutes=_int("ACCESS_TOKEN_MINUTES", 10),
        refresh_token_days=_int("REFRESH_TOKEN_DAYS", 30),
        refresh_reuse_grace_seconds=_int("REFRESH_REUSE_GRACE_SECONDS", 30),
        database_pool_size=_int("DATABASE_POOL_SIZE", 20),
        email_backend=os.environ.get("EMAIL_BACKEND", "outbox"),
        email_from=os.environ.get(
            "EMAIL_FROM", "CJeune de Provence <ne-pas-repondre@cjeunedeprovence.fr>"
        ),
        smtp_host=os.environ.get("SMTP_HOST", "127.0.0.1"),
        smtp_port=_int("SMTP_PORT", 25),
        smtp_username=os.environ.get("SMTP_USERNAME") or None,
        smtp_password=os.environ.get("SMTP_PASSWORD") or None,
        smtp_tls=os.environ.get("SMTP_TLS", "none"),
        push_backend=os.environ.get("PUSH_BACKEND", "outbox"),
        fcm_credentials_file=Path(fcm_key)
        if (fcm_key := os.environ.get("FCM_CREDENTIALS_FILE"))
        else None,
        fcm_endpoint=os.environ.get("FCM_ENDPOINT", "https://fcm.googleapis.com"),
        geocoder=os.environ.get("GEOCODER", "offline"),
        geocoder_url=os.environ.get("GEOCODER_URL", "https://api-adresse.data.gouv.fr"),
        search_backend=os.environ.get("SEARCH_BACKEND", "database"),
        meilisearch_url=os.environ.get("MEILISEARCH_URL") or None,
        meilisearch_key=os.environ.get("MEILISEARCH_KEY") or None,
        search_km_per_point=_float("SEARCH_KM_PER_POINT", 5.0),
        search_super_boost=_float("SEARCH_SUPER_BOOST", 0.5),
        search_typo_similarity=_float("SEARCH_TYPO_SIMILARITY", 0.3),
        search_candidates=_int("SEARCH_CANDIDATES", 100),
        job_max_retries=_int("JOB_MAX_RETRIES", 5),
        job_claim_after_seconds=_int("JOB_CLAIM_AFTER_SECONDS", 600),
        campaign_email_per_second=_int("CAMPAIGN_EMAIL_PER_SECOND", 0),
        campaign_push_per_second=_int("CAMPAIGN_PUSH_PER_SECOND", 0),
        campaign_batch_size=_int("CAMPAIGN_BATCH_SIZE", 500),
        campaign_parallel_batches=_int("CAMPAIGN_PARALLEL_BATCHES", 2),
        campaign_smtp_connections=_int("CAMPAIGN_SMTP_CONNECTIONS", 16),
        rate_limit_per_minute=_int("RATE_LIMIT_PER_MINUTE", 600),
        login_max_failures_per_account=_int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5),
        login_max_failures_per_address=_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 30),
        login_failure_window_minutes=_int("LOGIN_FAILURE_WINDOW_MINUTES", 15),
        lookup_limit_per_delegate=_int("LOOKUP_LIMIT_PER_DELEGATE", 120),
        lookup_limit_per_partner=_int("LOOKUP_LIMIT_PER_PARTNER", 1200),
        unknown_code_limit_per_delegate=_int("UNKNOWN_CODE_LIMIT_PER_DELEGATE", 10),
        unknown_code_limit_per_partner=_int("UNKNOWN_CODE_LIMIT_PER_PARTNER", 30),
        max_query_depth=_int("MAX_QUERY_DEPTH", 10),
        max_query_tokens=_int("MAX_QUERY_TOKENS", 2000),
        max_query_aliases=_int("MAX_QUERY_ALIASES", 15),
        max_operations_per_request=_int("MAX_OPERATIONS_PER_REQUEST", 10),
        max_validation_work=_int("MAX_VALIDATION_WORK", 10_000),
        max_query_cost=_int("MAX_QUERY_COST", 20_000),
        query_cost_list_size=_int("QUERY_COST_LIST_SIZE", 10),
        allowed_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
        max_upload_bytes=_int("MAX_UPLOAD_BYTES", 8 * 1024 * 1024),
        max_request_bytes=_int("MAX_REQUEST_BYTES", 1024 * 1024),
        max_json_depth=_int("MAX_JSON_DEPTH", 32),
        max_subscriptions_per_connection=_int("MAX_SUBSCRIPTIONS_PER_CONNECTION", 20),
        max_image_pixels=_int("MAX_IMAGE_PIXELS", 40_000_000),
        department_name=os.environ.get("DEPARTMENT_NAME", "Département des Bouches-du-Rhône"),
        department_address=os.environ.get(
            "DEPARTMENT_ADDRESS", "52 avenue de Saint-Just, 13256 Marseille Cedex 20"
        ),
        department_iban=os.environ.get("DEPARTMENT_IBAN", DEVELOPMENT_DEPARTMENT_IBAN),
        department_bic=os.environ.get("DEPARTMENT_BIC", "BDFEFRPP"),
        statement_link_minutes=_int("STATEMENT_LINK_MINUTES", 10),
        daily_collection_time=os.environ.get("DAILY_COLLECTION_TIME", "20:00"),
        hotline_phone=os.environ.get("HOTLINE_PHONE") or "04 86 68 80 07",
        assistance_email=os.environ.get("ASSISTANCE_EMAIL")
        or "contact.partenaire@cjeunedeprovence.fr",
        young_help_email=os.environ.get("YOUNG_HELP_EMAIL") or "contact@cjeunedeprovence.fr",
        young_help_phone=os.environ.get("YOUNG_HELP_PHONE", "").strip(),
        map_tile_url=_map_tile_url(),
        retention_email_token_days=_int("RETENTION_EMAIL_TOKEN_DAYS", 30),
        retention_session_days=_int("RETENTION_SESSION_DAYS", 90),
        retention_notification_days=_int("RETENTION_NOTIFICATION_DAYS", 365),
        retention_device_days=_int("RETENTION_DEVICE_DAYS", 270),
        retention_login_failure_days=_int("RETENTION_LOGIN_FAILURE_DAYS", 7),
        retention_data_access_audit_days=_int("RETENTION_DATA_ACCESS_AUDIT_DAYS", 365),
        retention_ip_address_days=_int("RETENTION_IP_ADDRESS_DAYS", 180),
        retention_inactive_account_years=_int("RETENTION_INACTIVE_ACCOUNT_YEARS", 3),
        retention_inactive_warning_days=_int("RETENTION_INACTIVE_WARNING_DAYS", 30),
    )


_current: Settings | None = None


def get_settings() -> Settings:
    global _current
    if _current is None:
        _current = load_settings()
    return _current


def use_settings(settings: Settings) -> Settings:
    """Install settings for the process (the CLI and the tests call this once)."""
    global _current
    _current = settings
    return settings
