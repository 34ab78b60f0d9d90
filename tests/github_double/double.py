"""GitHubDouble: a local GitHub (REST + git smart HTTP) on 127.0.0.1, in a background thread."""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path
from typing import Any

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.serving import WSGIRequestHandler, make_server

from . import (  # noqa: F401  (importing a routes module registers its routes)
    routes_checks,
    routes_gitdb,
    routes_issues,
    routes_pulls,
    routes_repo,
    routes_reviews,
)
from .auth import mint_token
from .faults import Fault, FaultPlan, make_fault
from .model import DEFAULT_PERMISSIONS, App, Event, Installation, World
from .openapi import OpenApiChecker
from .render_objects import check_run_json, comment_json, pull_json, review_comment_json, review_json
from .scenario import ScenarioMixin
from .webhooks import build_payload, request_parts
from .wsgi import DoubleApp, RequestRecord

_APP_IDS = itertools.count(900_001)  # unique in this process, apart from every world's other ids


@lru_cache(maxsize=1)
def _app_key() -> tuple[str, str]:
    """One RSA key pair per test process (generating one takes a noticeable moment)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public.decode()


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any) -> None:  # the request log is GitHubDouble.requests
        pass


class GitHubDouble(ScenarioMixin):
    """See tests/github_double/README.md for the test-side API."""

    def __init__(self, root: Path, *, app_slug: str = "docbot-test",
                 webhook_secret: str = "double-webhook-secret", api_prefix: str = ""):
        self.root = Path(root)
        self.webhook_secret = webhook_secret
        self.api_prefix = api_prefix
        self.world = World("", "")
        self.faults = FaultPlan()
        self.checker = OpenApiChecker()
        self.app = DoubleApp(self.world, self.checker, self.faults, api_prefix)
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True,
                                   request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self.api_url = self.url + api_prefix
        self.world.api_url, self.world.web_url = self.api_url, self.url
        self._create_app(app_slug)
        # A short poll interval keeps stop() (and so every test's teardown) fast.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,),
                                         daemon=True, name="github-double")

    @classmethod
    def start(cls, root: Path, **options: Any) -> GitHubDouble:
        double = cls(root, **options)
        double._thread.start()
        return double

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> GitHubDouble:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _create_app(self, slug: str) -> None:
        world = self.world
        private, public = _app_key()
        owner = world.account("docbot-dev", "Organization")
        bot = world.account(f"{slug}[bot]", "Bot")
        # An App id of its own per double: the bot caches installation tokens per (App id, API URL)
        # for the life of its process, and a later double that got an earlier one's port back
        # was handed that double's token (401 Bad credentials; git: "could not read Username").
        app_id = next(_APP_IDS)
        world.app = App(app_id, slug, slug.replace("-", " ").title(), f"Iv1.{app_id:016x}",
                        private, public, owner, bot, world.now())

    # --- the App --------------------------------------------------------------

    app_id = property(lambda self: self.world.app.id)
    app_slug = property(lambda self: self.world.app.slug)
    client_id = property(lambda self: self.world.app.client_id)
    private_key_pem = property(lambda self: self.world.app.private_key_pem)
    bot_login = property(lambda self: self.world.app.bot.login)

    @property
    def token_lifetime(self) -> float:
        return self.world.token_lifetime

    @token_lifetime.setter
    def token_lifetime(self, seconds: float) -> None:
        self.world.token_lifetime = seconds

    def git_url(self, owner: str, repo: str, token: str | None = None) -> str:
        auth = f"x-access-token:{token}@" if token else ""
        return f"http://{auth}{self.url.removeprefix('http://')}/{owner}/{repo}.git"

    def install(self, owner: str, repos: list[str] | None = None,
                permissions: dict[str, str] | None = None, *, owner_type: str = "User") -> int:
        """Install the App on an account (all its repos, or only `repos`); returns the id."""
        with self.world.lock:
            account = self.world.account(owner, owner_type)
            ids = None if repos is None else {self.world.repo(owner, r).id for r in repos}
            granted = {"metadata": "read", **(permissions or DEFAULT_PERMISSIONS)}
            installation = Installation(self.world.next_id(), account, ids, granted)
            self.world.installations[installation.id] = installation
            return installation.id

    def set_installation_permissions(self, installation_id: int, permissions: dict) -> None:
        self.world.installations[installation_id].permissions = dict(permissions)

    def installation_token(self, installation_id: int, permissions: dict | None = None,
                           repositories: list[str] | None = None) -> str:
        """A live token without the JWT exchange (which the bot itself must do)."""
        with self.world.lock:
            installation = self.world.installations[installation_id]
            return mint_token(self.world, installation, permissions, repositories).value

    def expire_token(self, token: str) -> None:
        self.world.tokens[token].expires_at = self.world.now() - 1

    def app_jwt(self, *, iat: float | None = None, exp: float | None = None,
                iss: int | str | None = None) -> str:
        now = self.world.now()
        claims = {"iat": int(now - 60 if iat is None else iat),
                  "exp": int(now + 540 if exp is None else exp),
                  "iss": str(self.app_id) if iss is None else iss}
        return jwt.encode(claims, self.private_key_pem, algorithm="RS256")

    # --- observation ------------------------------------------------------------

    @property
    def request_log(self) -> list[RequestRecord]:
        return list(self.app.log)

    @property
    def requests(self) -> list[tuple[str, str, int]]:
        return [(r.method, r.path, r.status) for r in self.app.log]

    def count(self, method: str | None = None, route: str | None = None,
              kind: str | None = "api") -> int:
        """Requests by method and route template (or glob on it); kind api|token|git|None."""
        return sum(1 for r in self.app.log
                   if (kind is None or r.kind == kind)
                   and (method is None or r.method == method.upper())
                   and (route is None or r.route == route or fnmatchcase(r.route, route)))

    def request_counts(self, kind: str | None = "api") -> Counter[tuple[str, str]]:
        """(method, route template) → number of requests, e.g. for a benchmark to print."""
        return Counter((r.method, r.route) for r in self.app.log
                       if kind is None or r.kind == kind)

    def reset_requests(self) -> None:
        self.app.log.clear()

    def fail_next(self, method: str | None, route: str, *, status: int = 502, times: int = 1,
                  retry_after: int | None = None, kind: str | None = None,
                  reset_in: int = 60, message: str | None = None) -> Fault:
        return self.faults.add(make_fault(method, route, status=status, times=times,
                                          retry_after=retry_after, kind=kind, reset_in=reset_in,
                                          message=message))

    @property
    def schema_errors(self) -> list[str]:
        return list(self.checker.errors)

    def assert_no_schema_errors(self) -> None:
        assert not self.checker.errors, "the double sent off-schema responses:\n" + "\n".join(
            self.checker.errors)

    # --- state, as the API would show it ------------------------------------------

    def _render(self, render, items) -> list[dict]:
        with self.world.lock:
            return [render(self.world, item) for item in items]

    pulls = property(lambda self: self._render(pull_json, self.world.pulls))
    comments = property(lambda self: self._render(comment_json, self.world.comments.values()))
    reviews = property(lambda self: self._render(review_json, self.world.reviews.values()))
    review_comments = property(lambda self: self._render(
        review_comment_json, self.world.review_comments.values()))
    check_runs = property(lambda self: self._render(check_run_json,
                                                    self.world.check_runs.values()))

    def reactions(self, comment_id: int) -> list[str]:
        return [r.content for r in self.world.reactions if r.comment_id == comment_id]

    def read_file(self, owner: str, repo: str, ref: str, path: str) -> bytes | None:
        git = self.world.repo(owner, repo).git
        blob = git.blob_at(ref, path) or git.blob_at(f"refs/heads/{ref}", path)
        return None if blob is None else git.read_blob(blob)

    def branch_sha(self, owner: str, repo: str, branch: str) -> str | None:
        return self.world.repo(owner, repo).git.branch_sha(branch)

    # --- webhooks -----------------------------------------------------------------

    def webhook_payload(self, event: str, action: str, obj: Any = None, *,
                        sender: str | None = None, delivery_id: str | None = None,
                        **extra: Any) -> tuple[dict[str, str], bytes]:
        """Headers and raw body of a signed delivery about `obj` (a PR, comment or check run
        as returned by the double, or None for ping)."""
        with self.world.lock:
            subject = self._subject(event, obj)
            account = self.world.account(sender) if sender else None
            payload = build_payload(self.world, event, action, subject, sender=account, **extra)
            return request_parts(self.world, self.webhook_secret, event, payload, delivery_id)

    def _subject(self, event: str, obj: Any) -> Any:
        """The double's object behind what a test holds (a dict from the API, an id)."""
        if event.startswith("installation") and isinstance(obj, int):
            return self.world.installations[obj]
        if not isinstance(obj, dict):
            return obj
        if event == "pull_request":
            return next(p for p in self.world.pulls if p.id == obj["id"])
        if event == "issue_comment":
            return self.world.comments[obj["id"]]
        if event in ("check_run", "check_suite"):
            return self.world.check_runs[obj["id"]]
        return obj


    def deliver(self, target_url: str, event: str, action: str, obj: Any = None,
                **kw: Any) -> requests.Response:
        headers, body = self.webhook_payload(event, action, obj, **kw)
        return requests.post(target_url, data=body, headers=headers, timeout=10)

    @property
    def events(self) -> list[Event]:
        """Webhooks GitHub would have sent for what happened so far (not yet delivered)."""
        return list(self.world.events)

    def deliver_events(self, target_url: str) -> list[requests.Response]:
        """POST every pending event, in order, and forget them."""
        with self.world.lock:
            pending, self.world.events[:] = list(self.world.events), []
        answers = []
        for event in pending:
            headers, body = request_parts(self.world, self.webhook_secret, event.event,
                                          event.payload)
            answers.append(requests.post(target_url, data=body, headers=headers, timeout=10))
        return answers
