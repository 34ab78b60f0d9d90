"""Git smart HTTP: `git http-backend` run as CGI behind GitHub's token rules.

Clone/fetch need a token that can read the repository (public repositories also answer
anonymous reads); push needs contents:write, and writing .github/workflows/ also needs the
workflows permission (refused by the pre-receive hook in gitrepo.py). A fork's PR branch can
be pushed by the base repository's installation when the PR allows maintainer edits and the
fork is owned by a user, as on GitHub.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import threading
import zlib
from collections.abc import Iterator

from werkzeug.wrappers import Request, Response

from .auth import has_permission
from .errors import ApiError
from .faults import FaultPlan
from .model import Repo, World
from .pulls import sync_heads

GIT_PATH = re.compile(r"^/(?P<owner>[^/]+)/(?P<repo>[^/]+?)(?:\.git)?/"
                      r"(?P<rest>info/refs|git-upload-pack|git-receive-pack)$")
SERVICES = ("git-upload-pack", "git-receive-pack")


class GitRefusal(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message

    def response(self) -> Response:
        response = Response(self.message + "\n", status=self.status, content_type="text/plain")
        if self.status == 401:
            response.headers["WWW-Authenticate"] = 'Basic realm="GitHub"'
        return response


def is_git_path(path: str) -> bool:
    return GIT_PATH.match(path) is not None


def serve(world: World, faults: FaultPlan, request: Request) -> tuple[Response, str]:
    found = GIT_PATH.match(request.path)
    template = "/{owner}/{repo}.git/" + found["rest"]
    service = request.args.get("service") if found["rest"] == "info/refs" else found["rest"]
    fault = faults.consult(request.method, template, request.path, world.now())
    if fault is not None:
        status, headers, body = fault.answer(world.now())
        return Response(body, status=status, headers=headers), template
    try:
        if service not in SERVICES:
            raise GitRefusal(403, "Dumb HTTP is not served; use a smart git client.")
        with world.lock:
            repo = _repo(world, found["owner"], found["repo"])
            env = access_env(world, repo, request.headers.get("Authorization"), service)
    except GitRefusal as refusal:
        return refusal.response(), template
    return run_backend(world, repo, request, found["rest"], env), template


def _repo(world: World, owner: str, name: str) -> Repo:
    try:
        return world.repo(owner, name)
    except ApiError as exc:
        raise GitRefusal(404, "Repository not found.") from exc


def access_env(world: World, repo: Repo, authorization: str | None, service: str) -> dict:
    """Environment for the pre-receive hook, or a refusal (401 / 403 / 404)."""
    token = _token(world, authorization, anonymous_ok=not repo.private
                   and service == "git-upload-pack")
    if token is None:
        return {}
    covered = token.covers(repo)
    maintainer_refs = _maintainer_refs(world, repo, token)
    if service == "git-upload-pack":
        if covered or maintainer_refs or not repo.private:
            return {}
        raise GitRefusal(404, "Repository not found.")
    workflows = "1" if has_permission(token.permissions, ("workflows:write",)) else "0"
    if covered and has_permission(token.permissions, ("contents:write",)):
        return {"DOUBLE_ALLOWED_REFS": "*", "DOUBLE_WORKFLOWS": workflows}
    if maintainer_refs:
        return {"DOUBLE_ALLOWED_REFS": " ".join(maintainer_refs), "DOUBLE_WORKFLOWS": workflows}
    if covered or not repo.private:
        bot = world.app.bot.login
        raise GitRefusal(403, f"Permission to {repo.full_name}.git denied to {bot}.")
    raise GitRefusal(404, "Repository not found.")


def _maintainer_refs(world: World, fork: Repo, token) -> list[str]:
    """Branches of a user's fork that the base repository's App may push (maintainer edits)."""
    if fork.owner.type != "User" or not has_permission(token.permissions, ("contents:write",)):
        return []
    return [f"refs/heads/{p.head_ref}" for p in world.pull_by_head(fork)
            if p.is_fork and p.maintainer_can_modify and token.covers(p.repo)]


def _token(world: World, authorization: str | None, anonymous_ok: bool):
    scheme, _, credential = (authorization or "").partition(" ")
    if scheme.lower() != "basic":
        if anonymous_ok and not authorization:
            return None
        raise GitRefusal(401, "Authentication required.")
    password = base64.b64decode(credential + "===").decode(errors="replace").partition(":")[2]
    token = world.tokens.get(password)
    if token is None or token.expires_at <= world.now():
        raise GitRefusal(401, "Invalid username or token. Password authentication is not "
                              "supported for Git operations.")
    return token


def run_backend(world: World, repo: Repo, request: Request, rest: str, extra: dict) -> Response:
    gzipped = request.headers.get("Content-Encoding", "").lower() in ("gzip", "x-gzip")
    env = {
        **os.environ, **extra,
        "GIT_PROJECT_ROOT": str(repo.git.path.parent.parent),
        "GIT_HTTP_EXPORT_ALL": "1",
        "PATH_INFO": f"/{repo.git.path.parent.name}/{repo.git.path.name}/{rest}",
        "REMOTE_USER": "x-access-token", "REMOTE_ADDR": request.remote_addr or "127.0.0.1",
        "REQUEST_METHOD": request.method, "QUERY_STRING": request.query_string.decode(),
        "CONTENT_TYPE": request.headers.get("Content-Type", ""),
    }
    if request.content_length is not None and not gzipped:
        env["CONTENT_LENGTH"] = str(request.content_length)
    if "Git-Protocol" in request.headers:
        env["HTTP_GIT_PROTOCOL"] = request.headers["Git-Protocol"]
    proc = subprocess.Popen(["git", "http-backend"], env=env, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    feeder = threading.Thread(target=_feed, args=(request.stream, proc.stdin, gzipped))
    feeder.start()
    status, headers = _read_cgi_headers(proc.stdout)
    pushed = rest == "git-receive-pack"
    body = _stream(proc, feeder, world, repo if pushed else None)
    return Response(body, status=status, headers=headers, direct_passthrough=True)


def _feed(stream, stdin, gzipped: bool) -> None:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS) if gzipped else None
    try:
        while chunk := stream.read(65536):
            stdin.write(inflater.decompress(chunk) if inflater else chunk)
        if inflater:
            stdin.write(inflater.flush())
    except BrokenPipeError:
        pass
    finally:
        try:
            stdin.close()
        except BrokenPipeError:
            pass


def _read_cgi_headers(stdout) -> tuple[int, list[tuple[str, str]]]:
    status, headers = 200, []
    while line := stdout.readline():
        text = line.decode("latin-1").rstrip("\r\n")
        if not text:
            break
        name, _, value = text.partition(":")
        if name.lower() == "status":
            status = int(value.split()[0])
        else:
            headers.append((name, value.strip()))
    return status, headers


def _stream(proc, feeder, world: World, pushed_repo: Repo | None) -> Iterator[bytes]:
    try:
        while chunk := proc.stdout.read1(65536):
            yield chunk
        if pushed_repo is not None:
            with world.lock:
                sync_heads(world, pushed_repo, world.app.bot)
    finally:
        proc.stdout.close()
        proc.wait()
        feeder.join()
