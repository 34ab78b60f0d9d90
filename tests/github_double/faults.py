"""Fault injection: answer the next matching requests with 5xx or rate-limit refusals."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from .errors import DOCS

SECONDARY = ("You have exceeded a secondary rate limit. Please wait a few minutes before you "
             "try again. If you reach out to GitHub Support for help, please include the "
             "request ID.")


@dataclass
class Fault:
    """`times` refusals for requests matching method and route (a template or a glob on it).

    kind: "server" (502 Bad Gateway or the given 5xx), "secondary" (403/429 with Retry-After),
    "primary" (403 with x-ratelimit-remaining 0 and x-ratelimit-reset) or "validation" (422
    with GitHub's error body, `message` its text: a refusal no retry can cure). `failed_at` holds
    the arrival times of the refused requests and `retried_at` that of the first matching
    request after them, so a test can check the client waited (no sleeping needed).
    """

    method: str | None
    route: str
    status: int = 502
    times: int = 1
    kind: str = "server"
    retry_after: int | None = None
    reset_in: int = 60
    message: str = "Validation Failed"
    failed_at: list[float] = field(default_factory=list)
    retried_at: float | None = None

    def matches(self, method: str, template: str, path: str) -> bool:
        if self.method and self.method.upper() != method:
            return False
        return self.route in (template, path) or fnmatchcase(template, self.route)

    @property
    def exhausted(self) -> bool:
        return len(self.failed_at) >= self.times

    @property
    def waited(self) -> float | None:
        """Seconds between the last refusal and the retry, once the retry arrived."""
        if self.retried_at is None or not self.failed_at:
            return None
        return self.retried_at - self.failed_at[-1]

    def answer(self, now: float) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body of one refusal (headers override the usual ones)."""
        self.failed_at.append(now)
        headers: dict[str, str] = {}
        if self.kind == "server":
            return self.status, headers, _json({"message": "Server Error"})
        if self.kind == "validation":
            return self.status, headers, _json({"message": "Unprocessable Entity",
                                                "errors": [self.message], "documentation_url": DOCS,
                                                "status": str(self.status)})
        if self.kind == "primary":
            headers["x-ratelimit-remaining"] = "0"
            headers["x-ratelimit-reset"] = str(int(now) + self.reset_in)
            message = "API rate limit exceeded for installation."
            return self.status, headers, _json({"message": message, "documentation_url": DOCS})
        if self.retry_after is not None:
            headers["Retry-After"] = str(self.retry_after)
        return self.status, headers, _json({"message": SECONDARY, "documentation_url": DOCS})


def make_fault(method: str | None, route: str, *, status: int = 502, times: int = 1,
               retry_after: int | None = None, kind: str | None = None,
               reset_in: int = 60, message: str | None = None) -> Fault:
    """Infer the kind: 422 is a validation refusal, 403/429 with retry_after a secondary limit,
    other 4xx primary."""
    if kind is None:
        if status >= 500:
            kind = "server"
        elif status == 422:
            kind = "validation"
        elif retry_after is not None or status == 429:
            kind = "secondary"
        else:
            kind = "primary"
    return Fault(method, route, status, times, kind, retry_after, reset_in,
                 message or "Validation Failed")


class FaultPlan:
    """The active faults; the WSGI app asks it before serving each request."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        self.faults.append(fault)
        return fault

    def consult(self, method: str, template: str, path: str, now: float) -> Fault | None:
        """The fault that refuses this request, or None (recording retries on the way)."""
        for fault in self.faults:
            if not fault.matches(method, template, path):
                continue
            if not fault.exhausted:
                return fault
            if fault.retried_at is None:
                fault.retried_at = now
        return None


def _json(body: dict) -> bytes:
    return json.dumps(body).encode()
