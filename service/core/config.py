"""Service settings: one typed class read from `TALKTRACK_*` environment variables.

The embedded default needs nothing set: everything goes under one data directory (SQLite database,
audio store, voice profiles), `TALKTRACK_DATA_DIR` or else the platform's user data directory
(`default_data_dir()`), and analysis runs on a worker thread inside `talktrack serve`. Setting
`TALKTRACK_DATABASE_URL` (PostgreSQL) and `TALKTRACK_BROKER_URL` (Redis) switches to the
production layout with `talktrack worker` processes running the same job code; a Redis broker also
carries the state API processes share (live calls, rate limits: `shared_state_url()`).
"""

from __future__ import annotations

import ipaddress
import logging
from functools import lru_cache
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Executor = Literal["thread", "celery", "none"]
ComputeType = Literal["int8", "int8_float32", "int16", "float32"]
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
REDIS_SCHEMES = frozenset({"redis", "rediss", "unix"})  # broker URLs that redis-py can open

log = logging.getLogger(__name__)

# Before 0.2 the default was this folder under the current directory; it is still used when it holds a
# database and TALKTRACK_DATA_DIR is unset, so an existing install keeps its calls (with a warning).
LEGACY_DATA_DIR = Path("talktrack-data")


def platform_data_dir() -> Path:
    """The platform's user data directory: ~/.local/share/talktrack on Linux (or $XDG_DATA_HOME/talktrack),
    ~/Library/Application Support/talktrack on macOS, %LOCALAPPDATA%\\talktrack on Windows."""
    return Path(platformdirs.user_data_dir("talktrack", appauthor=False))


def default_data_dir() -> Path:
    """The data directory when `TALKTRACK_DATA_DIR` is not set (the one source of this default)."""
    if (LEGACY_DATA_DIR / "talktrack.db").is_file():
        log.warning("using ./%s from an older Talktrack (the default is now %s); set TALKTRACK_DATA_DIR "
                    "to keep using it, or move it there", LEGACY_DATA_DIR, platform_data_dir())
        return LEGACY_DATA_DIR.resolve()
    return platform_data_dir()


def split_storage_url(url: str) -> tuple[str, str]:
    """(bucket, key prefix) of `s3://bucket/prefix`; ValueError, saying what is expected, for anything else."""
    scheme, sep, rest = url.partition("://")
    bucket, _, prefix = rest.partition("/")
    if scheme.lower() != "s3" or not sep or not bucket:
        raise ValueError(f"should look like s3://bucket or s3://bucket/prefix, not {url!r} "
                         "(leave it unset to keep audio in TALKTRACK_AUDIO_DIR)")
    return bucket, prefix.strip("/")


@lru_cache(maxsize=8)
def proxy_networks(value: str) -> tuple[IPNetwork, ...]:
    """The networks of `TALKTRACK_TRUSTED_PROXIES` ("10.0.0.5, 10.1.0.0/16"); ValueError for an entry
    that is neither an address nor a network."""
    networks = []
    for entry in (e.strip() for e in value.split(",")):
        if entry:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError as exc:
                raise ValueError(f"{entry!r} is not an IP address or network (CIDR)") from exc
    return tuple(networks)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TALKTRACK_", extra="ignore")

    data_dir: Path = Field(
        default_factory=default_data_dir, description="holds the SQLite db, audio store and voice profiles"
    )
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir")
    broker_url: str | None = Field(default=None, description="Celery broker (Redis); set => celery executor")
    celery_queue: str = Field(default="talktrack", description="Celery queue the jobs go to")
    redis_key_prefix: str = Field(
        default="talktrack", min_length=1, description="prefix of the keys live calls and rate limits keep in the "
                                                       "broker's Redis (deployments sharing one Redis differ in it)")
    executor: Executor | None = Field(default=None, description="thread | celery | none; default from broker")
    audio_dir: Path | None = Field(default=None, description="audio store root; default data_dir/audio")
    storage_url: str | None = Field(
        default=None, description="s3://bucket/prefix keeps audio in S3-compatible object storage (the client "
                                  "reads AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...); unset: the audio_dir directory")
    public_url: str = Field(default="http://127.0.0.1:8000", description="base of links in webhook payloads")

    max_upload_bytes: int = Field(default=500 * 1024 * 1024, description="uploads above this get 413")
    max_json_bytes: int = Field(default=1024 * 1024, gt=0, description="JSON request bodies above this get 413")
    call_speakers: int = Field(default=2, ge=0, le=20, description="how many people a mono call without a hint "
                               "is expected to have (a prior for the speaker count: a sales call has a rep and a "
                               "customer; it never merges voices); 0 = no default")
    asr_compute_type: ComputeType | None = Field(
        default=None, description="the arithmetic of offline speech recognition (CTranslate2); unset: each "
        "model's own, int8 for the English tiny.en (the fastest, nothing measurable lost) and float32 for the "
        "multilingual model (fewer character errors on Mandarin for 1.4-1.5x the time, docs/language.md); "
        "live calls keep int8")
    max_audio_s: float = Field(default=4 * 3600.0, gt=0, description="a recording longer than this many seconds "
                               "fails its analysis at once, before any decoding (the header's duration, then "
                               "the decoded audio)")
    rate_limit_per_minute: int = Field(default=6000, description="requests per API key per minute; 0 = off")
    rate_limit_burst: int = Field(default=600, description="requests a key may send at once")
    key_cache_s: float = Field(default=5.0, description="how long a resolved API key is cached in-process")

    session_hours: float = Field(default=12.0, description="a web sign-in lasts this long")
    login_attempts_per_minute: int = Field(
        default=5, description="failed-or-not sign-ins per account per minute (and 4x that per address)"
    )
    invite_hours: float = Field(default=72.0, description="how long a one-time invite link stays valid")
    delete_grace_h: float = Field(default=24.0, ge=0, description="the person who uploaded a call may delete it "
                                  "this many hours after the upload, never after (an admin: any time)")
    trusted_proxies: str = Field(
        default="", description="comma-separated addresses or networks (CIDR) of reverse proxies whose "
                                "X-Forwarded-For names the client (sign-in limits per address); empty: the "
                                "connecting address is the client, whatever the headers say")

    job_max_attempts: int = Field(default=3, description="a job interrupted this often is marked failed")
    job_lease_s: float = Field(
        default=60.0, description="a processing job not heartbeating this long is stale"
    )
    job_max_retries: int = Field(
        default=8, ge=0, description="a call whose analysis met an unavailable audio store (or database) this "
                                     "often fails with the reason; before that it is `retrying`")
    job_retry_backoff_s: float = Field(
        default=5.0, gt=0, description="first wait before a transient failure is retried; doubles each time, "
                                       "with jitter")
    job_retry_max_delay_s: float = Field(default=300.0, gt=0, description="the longest wait between two retries")
    job_db_wait_s: float = Field(
        default=600.0, ge=0, description="how long a running analysis waits for an unreachable database (to read "
                                         "its options or store its result) before it gives its attempt up")
    worker_threads: int = Field(default=1, description="analysis threads inside `talktrack serve`")
    sweep_interval_s: float = Field(default=5.0, description="how often stale jobs/webhooks are re-queued")
    retention_interval_s: float = Field(default=3600.0, gt=0, description="how often the sweeper applies the "
                                        "organizations' retention policies (deletes expired recordings and analyses)")

    webhook_max_attempts: int = Field(default=6, description="delivery attempts before giving up")
    webhook_backoff_s: float = Field(default=2.0, description="first retry delay; doubles each attempt")
    webhook_timeout_s: float = Field(default=10.0, description="HTTP timeout of one delivery attempt")
    webhook_allow_private: bool = Field(
        default=False, description="allow webhook URLs on loopback/private/link-local addresses (on-premises "
                                   "CRMs); cloud metadata addresses stay refused")

    live_max_calls: int = Field(default=8, ge=1, description="live calls one server process runs at once "
                                "(two cores keep up with about four real-time calls: bench/live_latency.py)")
    live_max_calls_per_org: int = Field(default=4, ge=1, description="live calls one organization may hold "
                                        "at once: on this process, or on all of them when they share a Redis broker")
    live_max_call_s: float = Field(default=4 * 3600.0, gt=0, description="a live call ends past this many "
                                   "seconds (of audio, or of wall-clock time)")
    live_max_call_bytes: int = Field(default=1024 ** 3, gt=0, description="a live call ends past this many bytes "
                                     "of audio")

    smtp_url: SecretStr | None = Field(
        default=None, description="smtp://host:port (or smtps://, with user:password@ when the server wants a "
                                  "sign-in): an @mention in a comment also sends a short e-mail; unset: in-app only")
    smtp_from: str = Field(default="noreply@localhost", max_length=320,
                           description="the From address of mention e-mails")

    llm_url: str | None = Field(
        default=None, description="base URL of an OpenAI-compatible chat endpoint the organization runs "
                                  "(Ollama, vLLM, llama.cpp server) on loopback or the LAN: the brief also gets a "
                                  "generated summary, each sentence grounded in cited items; unset: off, nothing sent")
    llm_model: str = Field(default="default", max_length=200, description="the model name sent to that endpoint")
    llm_timeout_s: float = Field(default=60.0, gt=0, description="HTTP timeout of one wording request")
    llm_api_key: SecretStr | None = Field(default=None, description="sent as `Authorization: Bearer` when set")
    llm_prompt_chars: int = Field(default=12000, ge=2000, description="a wording request's prompt stays under "
                                  "this many characters: a long call's chapters are split across requests")

    secret_key: SecretStr | None = Field(
        default=None, description="encrypts webhook secrets at rest; comma-separated keys rotate (first "
                                  "encrypts); default: a random key kept in data_dir/secret.key")
    metrics_token: SecretStr | None = Field(
        default=None, description="GET /metrics requires `Authorization: Bearer <token>`; unset: /metrics "
                                  "answers only direct loopback clients")

    @field_validator("trusted_proxies")
    @classmethod
    def _trusted_proxies(cls, value: str) -> str:
        proxy_networks(value)  # ValueError naming the entry that is not an address or a network
        return value

    @field_validator("storage_url")
    @classmethod
    def _storage_url(cls, url: str | None) -> str | None:
        if not url:
            return None
        split_storage_url(url)
        return url

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'talktrack.db').resolve()}"

    def resolved_audio_dir(self) -> Path:
        return (self.audio_dir or self.data_dir / "audio").resolve()

    def secure_cookies(self) -> bool:
        """Session cookies get `Secure` when the service is reached over https."""
        return self.public_url.lower().startswith("https://")
    @property
    def profiles_dir(self) -> Path:
        """Voice profiles of `talktrack enroll`, read by `analyze`, `suggest` and `insights`."""
        return self.data_dir / "profiles"

    def shared_state_url(self) -> str | None:
        """The Redis that live calls and rate limits share between API processes: the broker, when it is
        Redis. None (each process keeps them in memory) without a broker or with another kind."""
        if self.broker_url and self.broker_url.split("://", 1)[0].lower() in REDIS_SCHEMES:
            return self.broker_url
        return None

    def resolved_executor(self) -> Executor:
        if self.executor:
            return self.executor
        return "celery" if self.broker_url else "thread"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    return Settings()
