"""The App's settings, read from the environment only when asked (never at import time)."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.errors import ConfigError

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_DATA_DIR = ".docbot"
# PyGithub's own defaults, kept on purpose: github-facts asks for writes >= 1 s apart.
DEFAULT_SECONDS_BETWEEN_REQUESTS = 0.25
DEFAULT_SECONDS_BETWEEN_WRITES = 1.0
DEFAULT_JOB_TIMEOUT = 600.0  # seconds
DEFAULT_RETENTION_DAYS = 7.0


@dataclass(frozen=True)
class Settings:
    """Everything the web process and the worker need; secrets stay out of repr."""

    app_id: str | None = None
    private_key: str | None = field(default=None, repr=False)
    webhook_secret: str | None = field(default=None, repr=False)
    api_url: str = DEFAULT_API_URL
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    queue_url: str = ""
    bot_login: str | None = None
    seconds_between_requests: float = DEFAULT_SECONDS_BETWEEN_REQUESTS
    seconds_between_writes: float = DEFAULT_SECONDS_BETWEEN_WRITES
    git_url: str = ""  # where repositories are cloned from; derived from api_url when empty
    job_timeout: float = DEFAULT_JOB_TIMEOUT
    retention_days: float = DEFAULT_RETENTION_DAYS
    admin_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "api_url", self.api_url.rstrip("/"))
        object.__setattr__(self, "git_url", (self.git_url or git_url_for(self.api_url)).rstrip("/"))
        object.__setattr__(self, "data_dir", Path(self.data_dir))
        if not self.queue_url:
            object.__setattr__(self, "queue_url", f"sqlite:///{self.data_dir / 'queue.sqlite3'}")

    def __repr__(self) -> str:
        def shown(value: str | None) -> str:
            return "None" if value is None else "'<set>'"

        return (
            f"Settings(app_id={self.app_id!r}, private_key={shown(self.private_key)}, "
            f"webhook_secret={shown(self.webhook_secret)}, api_url={self.api_url!r}, "
            f"data_dir={str(self.data_dir)!r}, queue_url={_redacted(self.queue_url)!r}, "
            f"bot_login={self.bot_login!r}, seconds_between_requests={self.seconds_between_requests!r}, "
            f"seconds_between_writes={self.seconds_between_writes!r}, git_url={self.git_url!r}, "
            f"job_timeout={self.job_timeout!r}, retention_days={self.retention_days!r}, "
            f"admin_token={shown(self.admin_token)})"
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        """Build settings from env (default: os.environ); nothing here is required yet."""
        env = os.environ if env is None else env
        return cls(
            app_id=env.get("GITHUB_APP_ID") or None,
            private_key=_private_key(env),
            webhook_secret=env.get("GITHUB_WEBHOOK_SECRET") or None,
            api_url=env.get("GITHUB_API_URL") or DEFAULT_API_URL,
            data_dir=Path(env.get("DOCBOT_DATA_DIR") or DEFAULT_DATA_DIR),
            queue_url=env.get("DOCBOT_QUEUE_URL") or "",
            bot_login=env.get("DOCBOT_BOT_LOGIN") or None,
            seconds_between_requests=_seconds(env, "DOCBOT_SECONDS_BETWEEN_REQUESTS", DEFAULT_SECONDS_BETWEEN_REQUESTS),
            seconds_between_writes=_seconds(env, "DOCBOT_SECONDS_BETWEEN_WRITES", DEFAULT_SECONDS_BETWEEN_WRITES),
            git_url=env.get("DOCBOT_GIT_URL") or "",
            job_timeout=_number(env, "DOCBOT_JOB_TIMEOUT", DEFAULT_JOB_TIMEOUT, 1, 24 * 3600),
            retention_days=_number(env, "DOCBOT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS, 0, 90),
            admin_token=env.get("DOCBOT_ADMIN_TOKEN") or None,
        )

    @property
    def redacted_queue_url(self) -> str:
        """The queue URL with any password replaced by ***."""
        return _redacted(self.queue_url)

    @property
    def delivery_log_path(self) -> Path:
        """The SQLite file of the delivery log."""
        return self.data_dir / "deliveries.sqlite3"

    @property
    def git_cache_dir(self) -> Path:
        """Where the bare per-repository git caches live."""
        return self.data_dir / "git"

    @property
    def locks_dir(self) -> Path:
        """Lock files that serialise jobs on one machine."""
        return self.data_dir / "locks"

    def require_webhook_secret(self) -> bytes:
        """The webhook secret as bytes; ConfigError naming the variable when it is unset."""
        if not self.webhook_secret:
            raise ConfigError(
                "GITHUB_WEBHOOK_SECRET is not set: the webhook server refuses to start "
                "without it, because it could not verify that deliveries come from GitHub"
            )
        return self.webhook_secret.encode("utf-8")

    def require_app_credentials(self) -> tuple[str, str]:
        """(app id, private key PEM); ConfigError naming what is missing."""
        if not self.app_id:
            raise ConfigError("GITHUB_APP_ID is not set")
        if not self.private_key:
            raise ConfigError("neither GITHUB_PRIVATE_KEY nor GITHUB_PRIVATE_KEY_PATH is set")
        return self.app_id, self.private_key


def _private_key(env: Mapping[str, str]) -> str | None:
    """The PEM from GITHUB_PRIVATE_KEY (with literal \\n unescaped) or the file it names."""
    text, path = env.get("GITHUB_PRIVATE_KEY"), env.get("GITHUB_PRIVATE_KEY_PATH")
    if text and path:
        raise ConfigError("set only one of GITHUB_PRIVATE_KEY and GITHUB_PRIVATE_KEY_PATH")
    if text:
        # Hosting dashboards often store a multi-line PEM on one line with "\n" escapes.
        return text.replace("\\n", "\n")
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not an ASCII PEM file"
        raise ConfigError(f"GITHUB_PRIVATE_KEY_PATH {path!r} cannot be read: {reason}") from None


def git_url_for(api_url: str) -> str:
    """The git host of an API: api.github.com -> github.com, https://HOST/api/v3 (GHES) -> https://HOST."""
    parts = urlsplit(api_url)
    if parts.netloc == "api.github.com":
        return f"{parts.scheme}://github.com"
    return api_url.rstrip("/").removesuffix("/api/v3")


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    return _number(env, name, default, 0, 60)


def _number(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    text = env.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        unit = "days" if name.endswith("_DAYS") else "seconds"
        raise ConfigError(f"{name} must be a number of {unit} from {low:g} to {high:g}")
    return value


def _redacted(url: str) -> str:
    """url with any password (redis://:PASSWORD@host) replaced by ***."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()
