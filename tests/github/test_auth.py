"""App auth and settings: JWT claims, the token cache against a local HTTP server, no key leaks."""

import json
import logging
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from bot.app.settings import Settings
from bot.errors import ConfigError, GitHubError
from bot.github.app_auth import (
    JWT_BACKDATE,
    JWT_LIFETIME,
    REFRESH_MARGIN,
    InstallationTokens,
    app_jwt,
    load_private_key,
)

APP_ID = "4242"


def pem_of(key, encryption=None) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        encryption or serialization.NoEncryption(),
    ).decode("ascii")


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def pem(rsa_key) -> str:
    return pem_of(rsa_key)


def pem_body_lines(pem_text: str) -> list[str]:
    """The base64 lines of a PEM: none of them may ever appear in a message or a log."""
    return [line for line in pem_text.splitlines() if line and not line.startswith("-----")]


def assert_no_key_material(pem_text: str, *texts: str) -> None:
    for text in texts:
        for line in pem_body_lines(pem_text):
            assert line not in text


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class TokenServer:
    """A minimal stand-in for POST /app/installations/{id}/access_tokens on 127.0.0.1."""

    def __init__(self, public_key) -> None:
        self.public_key = public_key
        self.expires_at = 0.0
        self.status = 201
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                server.answer(self)

            def log_message(self, *args):
                pass

        return Handler

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        token = handler.headers.get("Authorization", "").removeprefix("Bearer ")
        claims = jwt.decode(
            token,
            self.public_key,
            algorithms=["RS256"],
            options={"verify_exp": False, "verify_iat": False},
        )
        with self.lock:
            self.requests.append({"path": handler.path, "jwt": token, "claims": claims})
            number = len(self.requests)
        if self.status == 201:
            expires = datetime.fromtimestamp(self.expires_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            body = {"token": f"ghs_token_{number}", "expires_at": expires}
        else:
            body = {"message": "A JSON web token could not be decoded"}
        data = json.dumps(body).encode()
        handler.send_response(self.status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


@pytest.fixture
def token_server(rsa_key):
    server = TokenServer(rsa_key.public_key())
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()
    server.thread.join(timeout=10)


def test_app_jwt_claims_verify_with_the_public_key(rsa_key, pem):
    now = time.time()
    token = app_jwt(APP_ID, pem, now=now)
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    claims = jwt.decode(token, rsa_key.public_key(), algorithms=["RS256"])
    assert claims == {
        "iat": int(now) - JWT_BACKDATE,
        "exp": int(now) + JWT_LIFETIME,
        "iss": APP_ID,
    }
    assert claims["exp"] - int(now) <= 600


def test_app_jwt_issuer_is_always_a_string(rsa_key):
    token = app_jwt(12345, rsa_key, now=1_700_000_000)
    claims = jwt.decode(token, rsa_key.public_key(), algorithms=["RS256"], options={"verify_exp": False})
    assert claims == {"iat": 1_699_999_940, "exp": 1_700_000_540, "iss": "12345"}


def bad_keys(pem_text: str) -> dict[str, str]:
    lines = pem_text.splitlines()
    return {
        "not-a-pem": "hello, I am not a key",
        "truncated": "\n".join(lines[: len(lines) // 2]),
        "body-without-armour": "\n".join(lines[1:-1]),
        "ec-key": pem_of(ec.generate_private_key(ec.SECP256R1())),
        "encrypted": pem_of(
            rsa.generate_private_key(public_exponent=65537, key_size=1024),
            serialization.BestAvailableEncryption(b"passphrase"),
        ),
    }


@pytest.mark.parametrize("which", ["not-a-pem", "truncated", "body-without-armour", "ec-key", "encrypted"])
def test_a_bad_private_key_is_a_config_error_that_never_quotes_it(pem, which, caplog):
    bad = bad_keys(pem)[which]
    with caplog.at_level(logging.DEBUG):
        for attempt in (
            lambda: load_private_key(bad),
            lambda: app_jwt(APP_ID, bad),
            lambda: InstallationTokens(APP_ID, bad, "http://127.0.0.1:9"),
        ):
            with pytest.raises(ConfigError, match="GITHUB_PRIVATE_KEY") as caught:
                attempt()
            assert_no_key_material(bad, str(caught.value), repr(caught.value))
            assert caught.value.__cause__ is None
    assert_no_key_material(bad, caplog.text)


def test_tokens_are_cached_until_five_minutes_before_expiry(pem, token_server):
    clock = FakeClock(time.time())
    token_server.expires_at = clock.now + 3600
    tokens = InstallationTokens(APP_ID, pem, token_server.url + "/", clock=clock)
    assert tokens.get(17) == "ghs_token_1"
    clock.now = token_server.expires_at - REFRESH_MARGIN - 1
    assert tokens.get(17) == "ghs_token_1"
    assert len(token_server.requests) == 1
    token_server.expires_at = clock.now + 3600
    clock.now += 2  # now inside the 5-minute margin
    assert tokens.get(17) == "ghs_token_2"
    assert [r["path"] for r in token_server.requests] == [
        "/app/installations/17/access_tokens",
        "/app/installations/17/access_tokens",
    ]
    claims = token_server.requests[1]["claims"]
    assert (claims["iss"], claims["iat"], claims["exp"]) == (
        APP_ID,
        int(clock.now) - JWT_BACKDATE,
        int(clock.now) + JWT_LIFETIME,
    )


def test_each_installation_has_its_own_token(pem, token_server):
    clock = FakeClock(time.time())
    token_server.expires_at = clock.now + 3600
    tokens = InstallationTokens(APP_ID, pem, token_server.url, clock=clock)
    assert [tokens.get(1), tokens.get(2), tokens.get(1)] == ["ghs_token_1", "ghs_token_2", "ghs_token_1"]


def test_concurrent_callers_share_one_token_request(pem, token_server):
    clock = FakeClock(time.time())
    token_server.expires_at = clock.now + 3600
    tokens = InstallationTokens(APP_ID, pem, token_server.url, clock=clock)
    start = threading.Barrier(8)
    results: list[str] = []

    def fetch() -> None:
        start.wait(timeout=10)
        results.append(tokens.get(5))

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert results == ["ghs_token_1"] * 8
    assert len(token_server.requests) == 1


def test_a_refused_token_request_names_the_status_but_no_jwt_or_key(pem, token_server, caplog):
    token_server.status = 401
    tokens = InstallationTokens(APP_ID, pem, token_server.url)
    with caplog.at_level(logging.DEBUG), pytest.raises(GitHubError) as caught:
        tokens.get(3)
    message = str(caught.value)
    assert message == ("installation 3: access token request failed: HTTP 401 A JSON web token could not be decoded")
    sent_jwt = token_server.requests[0]["jwt"]
    for text in (message, caplog.text, repr(tokens)):
        assert sent_jwt not in text
    assert_no_key_material(pem, message, caplog.text, repr(tokens))


def test_an_unreachable_api_is_a_github_error(pem, token_server):
    url = token_server.url
    token_server.httpd.shutdown()
    token_server.httpd.server_close()
    with pytest.raises(GitHubError, match="installation 3: access token request failed"):
        InstallationTokens(APP_ID, pem, url).get(3)


def test_settings_read_the_key_from_a_file_and_hide_secrets(tmp_path, pem):
    key_file = tmp_path / "app.pem"
    key_file.write_text(pem)
    settings = Settings.from_env(
        {
            "GITHUB_APP_ID": APP_ID,
            "GITHUB_PRIVATE_KEY_PATH": str(key_file),
            "GITHUB_WEBHOOK_SECRET": "shh-webhook",
            "GITHUB_API_URL": "https://ghe.example.com/api/v3/",
        }
    )
    assert settings.require_app_credentials() == (APP_ID, pem)
    assert settings.api_url == "https://ghe.example.com/api/v3"
    assert "shh-webhook" not in repr(settings)
    assert_no_key_material(pem, repr(settings), str(settings))


def test_settings_unescape_a_one_line_key(pem):
    settings = Settings.from_env({"GITHUB_PRIVATE_KEY": pem.replace("\n", "\\n")})
    assert settings.private_key == pem
    load_private_key(settings.private_key)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GITHUB_PRIVATE_KEY_PATH": "/nonexistent/app.pem"}, "GITHUB_PRIVATE_KEY_PATH"),
        ({"GITHUB_PRIVATE_KEY": "x", "GITHUB_PRIVATE_KEY_PATH": "/x"}, "set only one of"),
    ],
)
def test_settings_key_errors_name_the_variable(env, message):
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


def test_missing_credentials_name_the_variable_only_when_required():
    settings = Settings.from_env({})
    with pytest.raises(ConfigError, match="GITHUB_APP_ID"):
        settings.require_app_credentials()
    with pytest.raises(ConfigError, match="GITHUB_PRIVATE_KEY"):
        Settings.from_env({"GITHUB_APP_ID": "1"}).require_app_credentials()
