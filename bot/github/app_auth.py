"""GitHub App authentication: the App JWT and a thread-safe cache of installation tokens (HTTP: client.py)."""

import threading
import time
from collections.abc import Callable

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from bot.errors import ConfigError
from bot.github.client import request_installation_token
from bot.github.records import InstallationToken

JWT_BACKDATE = 60  # seconds: GitHub's clock may run behind ours
JWT_LIFETIME = 540  # seconds after now; GitHub refuses more than 600
REFRESH_MARGIN = 300  # seconds before expires_at when a cached token is replaced


def load_private_key(pem: str | bytes) -> RSAPrivateKey:
    """Parse the App's PEM key; ConfigError (never quoting the key) if it is not an RSA key."""
    data = pem.encode("ascii", "replace") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, RSAPrivateKey):
        raise ConfigError(
            "the GitHub App private key (GITHUB_PRIVATE_KEY or GITHUB_PRIVATE_KEY_PATH) is not "
            "an unencrypted RSA private key in PEM format"
        )
    return key


def app_jwt(
    app_id: str | int, private_key: str | bytes | RSAPrivateKey, now: float | None = None
) -> str:
    """The App's JWT (RS256): iat = now - 60 s, exp = now + 540 s, iss = the App ID."""
    key = private_key if isinstance(private_key, RSAPrivateKey) else load_private_key(private_key)
    now = int(time.time() if now is None else now)
    claims = {"iat": now - JWT_BACKDATE, "exp": now + JWT_LIFETIME, "iss": str(app_id)}
    return jwt.encode(claims, key, algorithm="RS256")


class InstallationTokens:
    """Installation tokens, fetched once and reused until 5 minutes before they expire."""

    def __init__(
        self,
        app_id: str | int,
        private_key_pem: str | bytes,
        api_url: str,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._app_id = str(app_id)
        self._key = load_private_key(private_key_pem)
        self._api_url = api_url.rstrip("/")
        self._clock = clock
        self._tokens: dict[int, InstallationToken] = {}
        self._locks: dict[int, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def __repr__(self) -> str:
        return f"InstallationTokens(app_id={self._app_id!r}, api_url={self._api_url!r})"

    def get(self, installation_id: int) -> str:
        """A token for the installation valid for at least 5 more minutes."""
        with self._lock_for(installation_id):
            cached = self._tokens.get(installation_id)
            if cached and cached.expires_at - REFRESH_MARGIN > self._clock():
                return cached.token
            app_token = app_jwt(self._app_id, self._key, now=self._clock())
            fresh = request_installation_token(self._api_url, app_token, installation_id)
            self._tokens[installation_id] = fresh
            return fresh.token

    def forget(self, installation_id: int) -> None:
        """Drop the cached token (GitHub refused it): the next `get` asks for a fresh one."""
        with self._lock_for(installation_id):
            self._tokens.pop(installation_id, None)

    def _lock_for(self, installation_id: int) -> threading.Lock:
        """One lock per installation: one fetch at a time each, installations in parallel."""
        with self._locks_guard:
            return self._locks.setdefault(installation_id, threading.Lock())
