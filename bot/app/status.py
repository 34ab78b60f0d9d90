"""GET /status: an HTML page for operators (bearer token); never secrets, never payload bodies."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib.resources import files as resource_files

import jinja2

from bot.app.deliveries import Delivery, DeliveryLog
from bot.app.settings import Settings

DEFAULT_ROWS = 200
MAX_ROWS = 1000


def authorized(settings: Settings, header: str | None) -> bool:
    """True for `Bearer <DOCBOT_ADMIN_TOKEN>`; always False while the token is unset."""
    token = settings.admin_token
    if not token or not header or not header.startswith("Bearer "):
        return False
    return hmac.compare_digest(header.removeprefix("Bearer ").encode(), token.encode())


@dataclass(frozen=True)
class Row:
    """One delivery as the page shows it."""

    received: str
    event: str
    repo: str
    pr: int | None
    pr_url: str | None
    status: str
    attempts: int
    duration: str
    error: str


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resource_files("docbot_templates"))),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


def render_status(settings: Settings, log: DeliveryLog, depth: int | None, rows: int = DEFAULT_ROWS) -> str:
    deliveries = [_row(settings, d) for d in log.recent(min(max(rows, 1), MAX_ROWS))]
    latest: dict[str, Row] = {}
    for row in deliveries:  # newest first: the first ended job of each repository
        if row.repo and row.status in ("done", "failed"):
            latest.setdefault(row.repo, row)
    return environment().get_template("status.html.j2").render(
        now=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        depth=depth,
        counts=log.counts(),
        size=log.size(),
        retention_days=settings.retention_days,
        deliveries=deliveries,
        repositories=sorted(latest.values(), key=lambda r: r.repo.lower()),
    )


def _row(settings: Settings, d: Delivery) -> Row:
    pr_url = f"{settings.git_url}/{d.repo}/pull/{d.pr_number}" if d.repo and d.pr_number else None
    duration = d.duration
    return Row(
        received=d.received_at.replace("T", " ")[:19],
        event=f"{d.event}.{d.action}" if d.action else d.event,
        repo=d.repo or "",
        pr=d.pr_number,
        pr_url=pr_url,
        status=d.status,
        attempts=d.attempts,
        duration="" if duration is None else f"{duration:.1f} s",
        error=(d.error or "").splitlines()[0][:200] if d.error else "",
    )
