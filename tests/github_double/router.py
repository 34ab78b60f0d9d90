"""Route table keyed by OpenAPI-style templates, the request context, and pagination."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request

from .auth import Identity
from .errors import not_found
from .model import Repo, World

# Parameters that may span several path segments (`x-multi-segment` in GitHub's description).
MULTI_SEGMENT = {"path", "ref"}

Reply = tuple[int, Any] | tuple[int, Any, dict[str, str]]


@dataclass
class Ctx:
    world: World
    request: Request
    params: dict[str, str]
    identity: Identity
    body: Any = None
    repo: Repo | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)

    def arg(self, name: str, default: str | None = None) -> str | None:
        return self.request.args.get(name, default)

    def int_param(self, name: str) -> int:
        value = self.params[name]
        if not value.isdigit():
            raise not_found()
        return int(value)

    def field(self, name: str, default: Any = None) -> Any:
        return self.body.get(name, default) if isinstance(self.body, dict) else default


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Callable[[Ctx], Reply]
    needs: tuple[str, ...]
    auth: str  # repo | app | none
    pattern: re.Pattern[str]


ROUTES: list[Route] = []


def compile_template(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = ""
    for index, part in enumerate(parts):
        if index % 2 == 0:
            regex += re.escape(part)
        else:
            regex += f"(?P<{part}>.+)" if part in MULTI_SEGMENT else f"(?P<{part}>[^/]+)"
    return re.compile(f"^{regex}$")


def route(method: str, template: str, needs: tuple[str, ...] = (), auth: str = "repo"):
    """Register a handler; `needs` lists alternative permissions such as "issues:write"."""

    def register(handler: Callable[[Ctx], Reply]) -> Callable[[Ctx], Reply]:
        ROUTES.append(Route(method, template, handler, needs, auth, compile_template(template)))
        return handler

    return register


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    """The most specific route for a request (a known path with another method is a 404)."""
    found = [(candidate, hit) for candidate in ROUTES
             if candidate.method == method and (hit := candidate.pattern.match(path))]
    if not found:
        return None
    best, hit = max(found, key=lambda pair: len(re.sub(r"\{\w+\}", "", pair[0].template)))
    return best, hit.groupdict()


def paginate(ctx: Ctx, items: list[Any], limit: int | None = None) -> tuple[list[Any], dict]:
    """One page of `items` (per_page ≤ 100, default 30) and the Link header GitHub sends."""
    items = items[:limit] if limit else items
    try:
        per_page = min(max(int(ctx.arg("per_page", "30")), 1), 100)
        page = max(int(ctx.arg("page", "1")), 1)
    except ValueError:
        per_page, page = 30, 1
    last = max((len(items) + per_page - 1) // per_page, 1)
    chunk = items[(page - 1) * per_page : page * per_page]
    links = []
    base = ctx.world.web_url + ctx.request.path
    args = {k: v for k, v in ctx.request.args.items() if k != "page"}

    def link(number: int, rel: str) -> str:
        return f'<{base}?{urlencode({**args, "page": number})}>; rel="{rel}"'

    if page > 1:
        links += [link(page - 1, "prev"), link(1, "first")]
    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    return chunk, ({"Link": ", ".join(links)} if links else {})
