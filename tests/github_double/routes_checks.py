"""Routes of check runs."""

from __future__ import annotations

from typing import Any

from .errors import invalid_request, not_found, validation_failed
from .model import CheckRun
from .render_objects import check_run_json
from .router import Ctx, paginate, route

CONCLUSIONS = ("action_required", "cancelled", "failure", "neutral", "success", "skipped",
               "timed_out")
TEXT_LIMIT = 65535
MAX_ACTIONS = 3


def check_fields(ctx: Ctx) -> None:
    """Rules beyond the schema (and the schema's own limits, for endpoints lacking them)."""
    conclusion = ctx.field("conclusion")
    if conclusion is not None and conclusion not in CONCLUSIONS:
        raise invalid_request(f"For 'properties/conclusion', \"{conclusion}\" is not a member "
                              f"of {list(CONCLUSIONS)}.")
    completing = ctx.field("status") == "completed" or ctx.field("completed_at") is not None
    if completing and conclusion is None:
        raise invalid_request("\"conclusion\" wasn't supplied.")
    output = ctx.field("output") or {}
    for key in ("summary", "text"):
        if len(output.get(key) or "") > TEXT_LIMIT:
            raise invalid_request(f"For 'properties/{key}', is too long (maximum is "
                                  f"{TEXT_LIMIT} characters).")
    actions = ctx.field("actions") or []
    if len(actions) > MAX_ACTIONS:
        raise invalid_request("For 'properties/actions', is too long (maximum is 3 items).")
    for action in actions:
        if len(action.get("label", "")) > 20 or len(action.get("description", "")) > 40:
            raise invalid_request("For 'items', an action label is limited to 20 characters "
                                  "and a description to 40.")
        if not 1 <= len(action.get("identifier", "")) <= 20:
            raise invalid_request("For 'items', an action identifier is limited to 20 "
                                  "characters.")


def _apply(ctx: Ctx, run: CheckRun) -> None:
    now = ctx.world.now()
    for key in ("name", "details_url", "external_id"):
        if ctx.field(key) is not None:
            setattr(run, key, ctx.field(key))
    if ctx.field("status") is not None:
        run.status = ctx.field("status")
    if run.status == "in_progress" and run.started_at is None:
        run.started_at = now
    if ctx.field("conclusion") is not None:
        run.conclusion, run.status = ctx.field("conclusion"), "completed"
        run.completed_at = now
    if ctx.field("output") is not None:
        run.output = {**run.output, **ctx.field("output")}
    if ctx.field("actions") is not None:
        run.actions = ctx.field("actions")


@route("POST", "/repos/{owner}/{repo}/check-runs", needs=("checks:write",))
def create_check_run(ctx: Ctx):
    check_fields(ctx)
    head_sha = ctx.field("head_sha")
    if ctx.repo.git.resolve(head_sha) is None:
        raise validation_failed(message=f"No commit found for SHA: {head_sha}")
    run = CheckRun(ctx.world.next_id(), ctx.repo, ctx.field("name"), head_sha, "queued", None,
                   ctx.world.now(), None, {}, [], None, None)
    _apply(ctx, run)
    ctx.world.check_runs[run.id] = run
    return 201, check_run_json(ctx.world, run)


def _run(ctx: Ctx) -> CheckRun:
    run = ctx.world.check_runs.get(ctx.int_param("check_run_id"))
    if run is None or run.repo is not ctx.repo:
        raise not_found()
    return run


@route("PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}", needs=("checks:write",))
def update_check_run(ctx: Ctx):
    run = _run(ctx)
    check_fields(ctx)
    _apply(ctx, run)
    return 200, check_run_json(ctx.world, run)


@route("GET", "/repos/{owner}/{repo}/check-runs/{check_run_id}", needs=("checks:read",))
def get_check_run(ctx: Ctx):
    return 200, check_run_json(ctx.world, _run(ctx))


@route("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs", needs=("checks:read",))
def list_check_runs(ctx: Ctx):
    sha = ctx.repo.git.resolve(ctx.params["ref"])
    runs = [r for r in ctx.world.check_runs.values() if r.repo is ctx.repo and r.head_sha == sha]
    for key in ("check_name", "status"):
        wanted = ctx.arg(key)
        if wanted:
            runs = [r for r in runs if getattr(r, key.removeprefix("check_")) == wanted]
    page, headers = paginate(ctx, runs)
    body: dict[str, Any] = {"total_count": len(runs),
                            "check_runs": [check_run_json(ctx.world, r) for r in page]}
    return 200, body, headers
