"""The WSGI application: routing, auth, JSON parsing, OpenAPI checks, headers, request log."""

from __future__ import annotations

import json
import secrets
import traceback
from typing import Any, NamedTuple

from werkzeug.wrappers import Request, Response

from . import smart_http
from .auth import Identity, check_repo_access, identify, require_app
from .errors import ApiError, error, invalid_request, not_found
from .faults import FaultPlan
from .model import World
from .openapi import OpenApiChecker
from .router import Ctx, Route, match

RATE_LIMITS = {"anonymous": 60}
DEFAULT_RATE_LIMIT = 5000
TOKEN_ROUTE = "/app/installations/{installation_id}/access_tokens"


class RequestRecord(NamedTuple):
    method: str
    path: str
    status: int
    route: str  # the route template, "" when nothing matched
    kind: str  # api | token | git
    at: float


class DoubleApp:
    def __init__(self, world: World, checker: OpenApiChecker, faults: FaultPlan,
                 api_prefix: str = ""):
        self.world = world
        self.checker = checker
        self.faults = faults
        self.api_prefix = api_prefix
        self.log: list[RequestRecord] = []

    def __call__(self, environ, start_response):
        request = Request(environ)
        arrived = self.world.now()
        if smart_http.is_git_path(request.path):
            response, template = smart_http.serve(self.world, self.faults, request)
            kind = "git"
        else:
            response, template = self.serve_api(request, arrived)
            kind = "token" if template == TOKEN_ROUTE else "api"
        response.headers["x-github-request-id"] = _request_id()
        self.log.append(RequestRecord(request.method, request.full_path.rstrip("?"),
                                      response.status_code, template, kind, arrived))
        return response(environ, start_response)

    def serve_api(self, request: Request, arrived: float) -> tuple[Response, str]:
        path = request.path
        found = None
        if path.startswith(self.api_prefix):
            found = match(request.method, path[len(self.api_prefix):] or "/")
        if found is None:
            return self.json_response(not_found().status, not_found().body, {}, None), ""
        route, params = found
        fault = self.faults.consult(request.method, route.template, path, arrived)
        if fault is not None:
            status, headers, body = fault.answer(arrived)
            response = self.json_response(status, json.loads(body), headers, None)
            return response, route.template
        identity = Identity("anonymous")
        try:
            identity = identify(self.world, request.headers.get("Authorization"))
            status, body, headers = self.dispatch(request, route, params, identity)
        except ApiError as exc:
            status, body, headers = exc.status, exc.body, exc.headers
        except Exception as exc:  # a bug in the double: answer 500 and fail the test
            self.checker.errors.append(f"{request.method} {path} crashed the double:\n"
                                       + "".join(traceback.format_exception(exc)))
            status, body, headers = 500, {"message": f"double crashed: {exc!r}"}, {}
        self.checker.check_response(request.method, route.template, status, body)
        return self.json_response(status, body, headers, identity), route.template

    def dispatch(self, request: Request, route: Route, params: dict[str, str],
                 identity: Identity) -> tuple[int, Any, dict[str, str]]:
        with self.world.lock:
            ctx = Ctx(self.world, request, params, identity)
            if route.auth == "repo":
                ctx.repo = self.world.repo(params["owner"], params["repo"])
                check_repo_access(identity, ctx.repo, route.needs)
            elif route.auth == "app":
                require_app(identity)
            ctx.body = parse_body(request)
            problem = self.checker.request_error(request.method, route.template, ctx.body)
            if problem is not None:
                raise invalid_request(problem)
            reply = route.handler(ctx)
        status, body = reply[0], reply[1]
        headers = reply[2] if len(reply) > 2 else {}
        return status, body, headers

    def json_response(self, status: int, body: Any, headers: dict[str, str],
                      identity: Identity | None) -> Response:
        text = "" if status == 204 else json.dumps(body)
        response = Response(text, status=status, content_type="application/json; charset=utf-8")
        response.headers.update(self.rate_headers(identity or Identity("anonymous")))
        response.headers["x-github-media-type"] = "github.v3; format=json"
        response.headers["x-github-api-version-selected"] = "2022-11-28"
        for key, value in headers.items():
            response.headers[key] = value
        return response

    def rate_headers(self, identity: Identity) -> dict[str, str]:
        key = identity.rate_key
        limit = RATE_LIMITS.get(key, DEFAULT_RATE_LIMIT)
        now = self.world.now()
        used, reset = self.world.rate_used.get(key, (0, now + 3600))
        if reset <= now:
            used, reset = 0, now + 3600
        used += 1
        self.world.rate_used[key] = (used, reset)
        return {
            "x-ratelimit-limit": str(limit),
            "x-ratelimit-remaining": str(max(limit - used, 0)),
            "x-ratelimit-reset": str(int(reset)),
            "x-ratelimit-used": str(used),
            "x-ratelimit-resource": "core",
        }


def parse_body(request: Request) -> Any:
    """The JSON body (400 "Problems parsing JSON" when malformed); {} for an empty write."""
    raw = request.get_data()
    if not raw.strip():
        return {} if request.method in ("POST", "PATCH", "PUT") else None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise error(400, "Problems parsing JSON") from exc


def _request_id() -> str:
    return ":".join(secrets.token_hex(n).upper() for n in (2, 3, 4, 4, 4))

