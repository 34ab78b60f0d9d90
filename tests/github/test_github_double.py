"""The GitHub double answers like GitHub: auth, refusals, real diffs, git over HTTP, webhooks."""

from __future__ import annotations

import base64
import gzip
import json
import re
import threading
import time
from datetime import datetime

import github as pygithub
import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from github_double import GitHubDouble, sign
from github_double.gitcli import git
from github_double.router import match
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

LINES = "".join(f"line {i}\n" for i in range(1, 21))
CHANGED = LINES.replace("line 3\n", "LINE 3\n").replace("line 15\n", "LINE 15\n")
SUGGEST = "```suggestion\nline three\n```"
COMMENTS = "/repos/{owner}/{repo}/issues/{issue_number}/comments"


class Api:
    """`requests` against the double with one installation token."""

    def __init__(self, double: GitHubDouble, token: str):
        self.double, self.token = double, token

    def call(self, method: str, path: str, token: str | None = None, **kw) -> requests.Response:
        headers = {"Authorization": f"token {token or self.token}", **kw.pop("headers", {})}
        return requests.request(method, self.double.api_url + path, headers=headers,
                                timeout=10, **kw)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, json=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.call("PATCH", path, json=body, **kw)


@pytest.fixture
def api(github) -> Api:
    github.create_repo("octo", "widgets", files={
        "a.py": LINES, "b.py": "b = 1\n", "old.py": "old = 1\n",
        ".github/docbot.yml": "mode: auto\n", ".github/workflows/ci.yml": "on: push\n"})
    return Api(github, github.installation_token(github.install("octo")))


@pytest.fixture
def pr(github, api) -> dict:
    return github.open_pull_request("octo", "widgets", head="feature", files={
        "a.py": CHANGED, "new.py": "n = 1\n"}, deleted=["b.py"], renamed={"old.py": "moved.py"})


# --- webhooks ---------------------------------------------------------------------------------

def test_signature_matches_githubs_published_vector():
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert sign("It's a Secret to Everybody", b"Hello, World!") == expected


def test_webhook_payload_is_the_real_fixture_filled_and_signed(github, pr):
    headers, body = github.webhook_payload("pull_request", "opened", pr)
    payload = json.loads(body)
    assert headers["X-Hub-Signature-256"] == sign(github.webhook_secret, body)
    assert headers["X-GitHub-Event"] == "pull_request"
    assert headers["User-Agent"].startswith("GitHub-Hookshot/")
    assert payload["pull_request"]["head"]["sha"] == pr["head"]["sha"]
    assert payload["repository"]["full_name"] == "octo/widgets"
    assert payload["installation"]["id"] in github.world.installations
    assert payload["sender"]["login"] == "octo"
    again, _ = github.webhook_payload("pull_request", "opened", pr,
                                      delivery_id=headers["X-GitHub-Delivery"])
    assert again["X-GitHub-Delivery"] == headers["X-GitHub-Delivery"]
    github.set_draft("octo", "widgets", pr["number"], True)
    assert github.events[-1].action == "converted_to_draft"
    comment = github.add_comment("octo", "widgets", pr["number"], "/docs help")
    _, body = github.webhook_payload("issue_comment", "created", comment)
    assert json.loads(body)["issue"]["pull_request"]["url"] == pr["url"]
    installation = next(iter(github.world.installations))
    _, body = github.webhook_payload("installation", "created", installation)
    assert [r["full_name"] for r in json.loads(body)["repositories"]] == ["octo/widgets"]


def test_events_are_delivered_signed_to_a_server(github, api, pr):
    received = []

    def receiver(environ, start_response):
        request = Request(environ)
        received.append((dict(request.headers), request.get_data()))
        return Response("", status=202)(environ, start_response)

    server = make_server("127.0.0.1", 0, receiver, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        api.post("/repos/octo/widgets/issues/1/comments", {"body": "hi"})
        answers = github.deliver_events(f"http://127.0.0.1:{server.server_port}/webhook")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert [a.status_code for a in answers] == [202, 202]
    (_, opened), (headers, created) = received
    assert json.loads(opened)["action"] == "opened"
    assert json.loads(created)["sender"] == {**json.loads(created)["sender"],
                                             "login": github.bot_login, "type": "Bot"}
    assert headers["X-Hub-Signature-256"] == sign(github.webhook_secret, created)
    assert github.events == []


# --- authentication ---------------------------------------------------------------------------

def test_app_jwt_is_exchanged_for_an_installation_token(github, api):
    installation = next(iter(github.world.installations))
    jwt_header = {"Authorization": f"Bearer {github.app_jwt()}"}
    answer = requests.post(f"{github.api_url}/app/installations/{installation}/access_tokens",
                           headers=jwt_header, timeout=10)
    assert answer.status_code == 201
    token = answer.json()
    assert token["token"].startswith("ghs_") and token["repository_selection"] == "all"
    assert token["permissions"]["contents"] == "write"
    expires = datetime.fromisoformat(token["expires_at"].replace("Z", "+00:00")).timestamp()
    assert 3590 < expires - time.time() <= 3600
    assert api.get("/repos/octo/widgets", token=token["token"]).json()["default_branch"] == "main"
    app = requests.get(f"{github.api_url}/app", headers=jwt_header, timeout=10).json()
    assert (app["slug"], app["id"]) == ("docbot-test", github.app_id)


def _other_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


@pytest.mark.parametrize("case", ["expired", "too long", "issued in the future", "wrong issuer",
                                  "wrong key", "garbage"])
def test_bad_app_jwts_are_refused(github, api, case):
    now = int(time.time())
    claims = {"iat": now - 60, "exp": now + 500, "iss": str(github.app_id)}
    claims.update({"expired": {"iat": now - 700, "exp": now - 100},
                   "too long": {"exp": now + 900},
                   "issued in the future": {"iat": now + 300, "exp": now + 800},
                   "wrong issuer": {"iss": "1"}}.get(case, {}))
    key = _other_key() if case == "wrong key" else github.private_key_pem
    token = "a.b.c" if case == "garbage" else jwt.encode(claims, key, algorithm="RS256")
    answer = requests.post(f"{github.api_url}/app/installations/1/access_tokens",
                           headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert answer.status_code == 401


def test_tokens_and_permissions_are_enforced(github, api):
    github.create_repo("octo", "secret")
    github.create_repo("someone", "else")
    narrow = github.install("someone", ["else"], {"metadata": "read", "issues": "read"})
    expired = github.installation_token(narrow)
    github.expire_token(expired)
    github.token_lifetime = 60
    short = github.world.tokens[github.installation_token(narrow)]
    assert 55 < short.expires_at - time.time() <= 60
    assert requests.get(f"{github.api_url}/repos/octo/widgets", timeout=10).status_code == 401
    assert api.get("/repos/octo/widgets", token="ghs_nope").json()["message"] == "Bad credentials"
    assert api.get("/repos/someone/else", token=expired).status_code == 401
    assert api.get("/repos/someone/else").status_code == 404
    read_only = github.installation_token(narrow)
    refused = api.post("/repos/someone/else/check-runs", {"name": "x", "head_sha": "0" * 40},
                       token=read_only)
    assert (refused.status_code, refused.json()["message"]) == (
        403, "Resource not accessible by integration")
    installation = next(iter(github.world.installations))
    contents_read = github.installation_token(installation, {"contents": "read"})
    assert api.post("/repos/octo/widgets/git/blobs", {"content": "x"},
                    token=contents_read).status_code == 403
    with pytest.raises(Exception, match="not granted"):
        github.installation_token(narrow, {"contents": "write"})


def test_responses_carry_githubs_headers(api):
    first = api.get("/repos/octo/widgets")
    second = api.get("/repos/octo/widgets")
    assert first.headers["content-type"] == "application/json; charset=utf-8"
    assert first.headers["x-github-request-id"] != second.headers["x-github-request-id"]
    assert int(first.headers["x-ratelimit-limit"]) == 5000
    assert int(second.headers["x-ratelimit-remaining"]) == int(
        first.headers["x-ratelimit-remaining"]) - 1
    assert int(second.headers["x-ratelimit-reset"]) > time.time()


def test_unknown_routes_and_malformed_json(api, pr):
    missing = api.get("/repos/octo/widgets/no/such/thing")
    assert missing.status_code == 404 and missing.json()["message"] == "Not Found"
    broken = api.call("POST", "/repos/octo/widgets/issues/1/comments", data=b"{nope")
    assert (broken.status_code, broken.json()["message"]) == (400, "Problems parsing JSON")
    unsupplied = api.post("/repos/octo/widgets/issues/1/comments", {})
    assert unsupplied.status_code == 422
    assert unsupplied.json()["message"] == "Invalid request.\n\n\"body\" wasn't supplied."


# --- pull requests ----------------------------------------------------------------------------

def test_pull_request_object_reflects_the_real_branches(github, api, pr):
    got = api.get("/repos/octo/widgets/pulls/1").json()
    assert (got["number"], got["state"], got["draft"], got["merged"]) == (1, "open", False, False)
    assert got["head"]["ref"] == "feature"
    assert got["head"]["sha"] == github.branch_sha("octo", "widgets", "feature")
    assert got["base"]["sha"] == github.branch_sha("octo", "widgets", "main")
    assert got["head"]["repo"]["full_name"] == got["base"]["repo"]["full_name"] == "octo/widgets"
    assert (got["changed_files"], got["additions"], got["deletions"]) == (4, 3, 3)
    assert got["user"]["login"] == "octo" and got["maintainer_can_modify"] is False


def test_pull_files_come_from_the_merge_base_diff(api, pr):
    files = {f["filename"]: f for f in api.get("/repos/octo/widgets/pulls/1/files").json()}
    statuses = {name: f["status"] for name, f in files.items()}
    assert statuses == {"a.py": "modified", "new.py": "added", "b.py": "removed",
                        "moved.py": "renamed"}
    assert files["moved.py"]["previous_filename"] == "old.py"
    assert files["a.py"]["patch"].count("\n@@ ") == 1  # two hunks
    assert files["a.py"]["patch"].startswith("@@ -1,6 +1,6 @@")
    assert (files["a.py"]["additions"], files["a.py"]["changes"]) == (2, 4)


def test_pull_files_are_paginated_and_capped(github, api):
    many = {f"src/f{i:04}.py": f"x = {i}\n" for i in range(3005)}
    github.open_pull_request("octo", "widgets", head="big", files=many)
    first = api.get("/repos/octo/widgets/pulls/1/files")
    assert len(first.json()) == 30
    assert 'rel="next"' in first.headers["Link"] and "page=100>; rel=\"last\"" in first.headers["Link"]
    last = api.get("/repos/octo/widgets/pulls/1/files", params={"per_page": 100, "page": 30})
    assert len(last.json()) == 100 and 'rel="next"' not in last.headers["Link"]
    beyond = api.get("/repos/octo/widgets/pulls/1/files", params={"per_page": 100, "page": 31})
    assert beyond.json() == []


def test_pull_list_filters_like_github(github, api, pr):
    github.open_pull_request("octo", "widgets", head="other", files={"c.py": "c\n"})
    github.set_pull_state("octo", "widgets", 2, "closed")

    def numbers(**params):
        return [p["number"] for p in api.get("/repos/octo/widgets/pulls", params=params).json()]

    assert numbers() == [1]
    assert numbers(state="all") == [2, 1]
    assert numbers(state="all", head="octo:other") == [2]
    assert numbers(head="feature") == [1]  # without "owner:" GitHub ignores the filter
    assert numbers(state="all", base="nope") == []


def test_pull_request_creation_refusals(github, api, pr):
    def create(**body):
        return api.post("/repos/octo/widgets/pulls", {"title": "Docs", "base": "main", **body})

    assert create(head="mallory:feature").json()["errors"][0]["field"] == "head"
    assert create(head="nope").json()["errors"][0]["field"] == "head"
    assert create(head="feature", base="nope").json()["errors"][0]["field"] == "base"
    github.push_commit("octo", "widgets", "docbot/feature", {"docs/a.md": "# a\n"})
    made = create(head="docbot/feature")
    assert made.status_code == 201 and made.json()["user"]["login"] == github.bot_login
    again = create(head="octo:docbot/feature")
    assert again.status_code == 422
    assert again.json()["errors"][0]["message"] == (
        "A pull request already exists for octo:docbot/feature.")
    github.create_branch("octo", "widgets", "empty")
    assert "No commits between" in create(head="empty").json()["errors"][0]["message"]
    closed = api.patch(f"/repos/octo/widgets/pulls/{made.json()['number']}", {"state": "closed"})
    assert closed.json()["state"] == "closed"
    assert create(head="docbot/feature").status_code == 201


# --- reviews ----------------------------------------------------------------------------------

def _review(api, head_sha, *comments, body="docs"):
    return api.post("/repos/octo/widgets/pulls/1/reviews", {
        "commit_id": head_sha, "event": "COMMENT", "body": body, "comments": list(comments)})


def test_review_comments_inside_hunks_are_stored(github, api, pr):
    multi = {"path": "a.py", "line": 4, "side": "RIGHT", "start_line": 2, "start_side": "RIGHT",
             "body": "```suggestion\nline 2\nline three\nline 4\n```"}
    answer = _review(api, pr["head"]["sha"], multi, {"path": "new.py", "line": 1, "body": "hi"})
    assert answer.status_code == 200 and answer.json()["state"] == "COMMENTED"
    stored = api.get("/repos/octo/widgets/pulls/1/comments").json()
    assert [(c["path"], c["start_line"], c["line"]) for c in stored] == [
        ("a.py", 2, 4), ("new.py", None, 1)]
    assert stored[0]["diff_hunk"].startswith("@@ -1,6 +1,6 @@")
    assert api.get("/repos/octo/widgets/pulls/1/reviews").json()[0]["id"] == answer.json()["id"]


@pytest.mark.parametrize("comment, message", [
    ({"path": "c.py", "line": 1}, "Path could not be resolved"),
    ({"path": "a.py", "line": 10}, "line must be part of the diff"),
    ({"path": "a.py", "line": 15, "start_line": 4}, "part of the same hunk"),
    ({"path": "a.py", "line": 4, "start_line": 4}, "must precede the end line"),
    ({"path": "a.py", "line": 30, "side": "LEFT"}, "line must be part of the diff"),
    ({"path": "a.py"}, "Line could not be resolved"),
])
def test_one_bad_comment_rejects_the_whole_review(github, api, pr, comment, message):
    good = {"path": "a.py", "line": 3, "body": SUGGEST}
    answer = _review(api, pr["head"]["sha"], good, {"body": "x", **comment})
    assert answer.status_code == 422 and answer.json()["message"] == "Unprocessable Entity"
    assert message in answer.json()["errors"][0]
    assert github.reviews == [] and github.review_comments == []


def test_long_review_body_is_refused(api, pr):
    assert _review(api, pr["head"]["sha"], body="x" * 65537).status_code == 422


def test_apply_suggestion_commits_and_outdates(github, api, pr):
    _review(api, pr["head"]["sha"], {"path": "a.py", "line": 3, "body": SUGGEST},
            {"path": "new.py", "line": 1, "body": "note"})
    on_a, on_new = github.review_comments
    sha = github.apply_suggestion(on_a, user="octo")
    assert github.read_file("octo", "widgets", "feature", "a.py").decode().splitlines()[2] == (
        "line three")
    assert github.pulls[0]["head"]["sha"] == sha
    assert [c["line"] for c in api.get("/repos/octo/widgets/pulls/1/comments").json()] == [
        None, 1]
    assert github.events[-1].action == "synchronize"
    github.push_commit("octo", "widgets", "feature", {"new.py": "n = 2\n"})
    assert all(c["line"] is None for c in github.review_comments)
    with pytest.raises(ValueError, match="no applicable suggestion"):
        github.apply_suggestion(on_new)


# --- conversation comments, reactions ---------------------------------------------------------

def test_issue_comments_by_the_bot_and_by_people(github, api, pr):
    made = api.post("/repos/octo/widgets/issues/1/comments", {"body": "<!-- docbot -->"})
    assert made.status_code == 201
    bot = made.json()
    assert (bot["user"]["login"], bot["user"]["type"]) == ("docbot-test[bot]", "Bot")
    assert bot["performed_via_github_app"]["slug"] == "docbot-test"
    alice = github.add_comment("octo", "widgets", 1, "/docs regenerate", user="alice",
                               association="COLLABORATOR")
    listed = api.get("/repos/octo/widgets/issues/1/comments").json()
    assert [(c["id"], c["author_association"]) for c in listed] == [
        (bot["id"], "NONE"), (alice["id"], "COLLABORATOR")]
    edited = api.patch(f"/repos/octo/widgets/issues/comments/{bot['id']}", {"body": "v2"})
    assert edited.json()["body"] == "v2"
    assert api.call("DELETE", f"/repos/octo/widgets/issues/comments/{bot['id']}").status_code \
        == 204
    assert api.get(f"/repos/octo/widgets/issues/comments/{bot['id']}").status_code == 404
    too_long = api.post("/repos/octo/widgets/issues/1/comments", {"body": "x" * 65537})
    assert too_long.status_code == 422
    assert "too long" in too_long.json()["errors"][0]["message"]
    assert api.post("/repos/octo/widgets/issues/1/comments", {"body": "x" * 65536}).ok
    assert api.post("/repos/octo/widgets/issues/99/comments", {"body": "x"}).status_code == 404


def test_issue_comments_are_paginated(github, api, pr):
    for i in range(35):
        github.add_comment("octo", "widgets", 1, f"c{i}")
    first = api.get("/repos/octo/widgets/issues/1/comments")
    assert len(first.json()) == 30 and 'rel="next"' in first.headers["Link"]
    second = api.get("/repos/octo/widgets/issues/1/comments", params={"page": 2})
    assert [c["body"] for c in second.json()] == [f"c{i}" for i in range(30, 35)]


def test_reactions(github, api, pr):
    comment = github.add_comment("octo", "widgets", 1, "/docs help", user="alice")
    path = f"/repos/octo/widgets/issues/comments/{comment['id']}/reactions"
    first = api.post(path, {"content": "eyes"})
    again = api.post(path, {"content": "eyes"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert api.post(path, {"content": "thumbsup"}).status_code == 422
    assert [r["content"] for r in api.get(path).json()] == ["eyes"]
    assert github.reactions(comment["id"]) == ["eyes"]


# --- check runs -------------------------------------------------------------------------------

def test_check_run_lifecycle(github, api, pr):
    sha = pr["head"]["sha"]
    made = api.post("/repos/octo/widgets/check-runs",
                    {"name": "docbot", "head_sha": sha, "status": "in_progress"})
    assert made.status_code == 201 and made.json()["status"] == "in_progress"
    done = api.patch(f"/repos/octo/widgets/check-runs/{made.json()['id']}", {
        "conclusion": "success", "output": {"title": "Docs", "summary": "3 pages"},
        "actions": [{"label": "Regenerate", "description": "Rebuild docs", "identifier": "re"}]})
    assert (done.json()["status"], done.json()["conclusion"]) == ("completed", "success")
    listed = api.get(f"/repos/octo/widgets/commits/{sha}/check-runs").json()
    assert listed["total_count"] == 1
    assert [p["number"] for p in listed["check_runs"][0]["pull_requests"]] == [1]
    assert github.check_runs[0]["output"]["summary"] == "3 pages"
    _, body = github.webhook_payload("check_run", "requested_action", done.json(),
                                     identifier="re", sender="alice")
    clicked = json.loads(body)
    assert clicked["requested_action"] == {"identifier": "re"}
    assert (clicked["check_run"]["head_sha"], clicked["sender"]["login"]) == (sha, "alice")


ACTION = {"label": "Go", "description": "Do it", "identifier": "go"}


@pytest.mark.parametrize("extra", [
    {"conclusion": "bogus"},
    {"conclusion": "stale"},
    {"status": "completed"},
    {"output": {"title": "t", "summary": "s" * 65536}},
    {"output": {"title": "t", "summary": "s", "text": "t" * 65536}},
    {"actions": [ACTION] * 4},
    {"actions": [{**ACTION, "label": "l" * 21}]},
    {"actions": [{**ACTION, "description": "d" * 41}]},
    {"head_sha": "f" * 40},
])
def test_check_run_refusals(api, pr, extra):
    body = {"name": "docbot", "head_sha": pr["head"]["sha"], **extra}
    assert api.post("/repos/octo/widgets/check-runs", body).status_code == 422


# --- contents, collaborators ------------------------------------------------------------------

def test_contents_and_collaborator_permission(github, api, pr):
    file = api.get("/repos/octo/widgets/contents/a.py").json()
    assert base64.b64decode(file["content"]).decode() == LINES and file["encoding"] == "base64"
    on_branch = api.get("/repos/octo/widgets/contents/a.py", params={"ref": "feature"}).json()
    assert base64.b64decode(on_branch["content"]).decode() == CHANGED
    assert api.get("/repos/octo/widgets/contents/nope.py").status_code == 404
    folder = api.get("/repos/octo/widgets/contents/.github").json()
    assert sorted(item["path"] for item in folder) == [".github/docbot.yml", ".github/workflows"]
    github.set_permission("octo", "widgets", "alice", "write")
    github.set_permission("octo", "widgets", "carol", "triage")

    def permission(user):
        answer = api.get(f"/repos/octo/widgets/collaborators/{user}/permission")
        return answer.json()["permission"] if answer.ok else answer.status_code

    assert [permission(u) for u in ("octo", "alice", "carol", "nobody")] == [
        "admin", "write", "read", 404]


# --- git database -----------------------------------------------------------------------------

def test_git_database_builds_one_commit(github, api, pr):
    main = github.branch_sha("octo", "widgets", "main")
    blob = api.post("/repos/octo/widgets/git/blobs",
                    {"content": base64.b64encode(b"# A\n").decode(), "encoding": "base64"})
    tree = api.post("/repos/octo/widgets/git/trees", {"base_tree": main, "tree": [
        {"path": "docs/a.md", "mode": "100644", "type": "blob", "sha": blob.json()["sha"]},
        {"path": "docs/b.md", "mode": "100644", "type": "blob", "content": "# B\n"},
        {"path": "b.py", "mode": "100644", "type": "blob", "sha": None}]})
    assert tree.status_code == 201
    commit = api.post("/repos/octo/widgets/git/commits",
                      {"message": "docs", "tree": tree.json()["sha"], "parents": [main]}).json()
    assert commit["author"]["name"] == github.bot_login
    ref = api.post("/repos/octo/widgets/git/refs",
                   {"ref": "refs/heads/docbot/x", "sha": commit["sha"]})
    assert ref.status_code == 201
    assert github.read_file("octo", "widgets", "docbot/x", "docs/b.md") == b"# B\n"
    assert github.read_file("octo", "widgets", "docbot/x", "b.py") is None
    path = "/repos/octo/widgets/git/refs/heads/docbot/x"
    assert api.patch(path, {"sha": pr["head"]["sha"]}).json()["message"] == (
        "Update is not a fast forward")
    assert api.patch(path, {"sha": pr["head"]["sha"], "force": True}).status_code == 200
    assert api.get("/repos/octo/widgets/git/ref/heads/docbot/x").json()["object"]["sha"] == \
        pr["head"]["sha"]
    assert api.call("DELETE", path).status_code == 204
    assert api.get("/repos/octo/widgets/git/ref/heads/docbot/x").status_code == 404


def test_workflow_files_need_the_workflows_permission(github, api):
    entry = {"path": ".github/workflows/ci.yml", "mode": "100644", "type": "blob",
             "content": "on: pull_request\n"}
    assert api.post("/repos/octo/widgets/git/trees", {"tree": [entry]}).status_code == 404
    github.create_repo("wf", "repo")
    allowed = github.install("wf", permissions={"contents": "write", "workflows": "write"})
    token = github.installation_token(allowed)
    assert api.post("/repos/wf/repo/git/trees", {"tree": [entry]}, token=token).status_code == 201


# --- git over smart HTTP ----------------------------------------------------------------------

def test_clone_partial_clone_fetch_and_push(github, api, pr, tmp_path):
    url = github.git_url("octo", "widgets", api.token)
    git("clone", "-q", "--branch", "feature", url, str(tmp_path / "full"))
    assert (tmp_path / "full" / "a.py").read_text() == CHANGED
    git("clone", "-q", "--filter=blob:none", "--no-checkout", url, str(tmp_path / "partial"))
    objects = git("rev-list", "--objects", "--all", "--missing=print", cwd=tmp_path / "partial")
    assert any(line.startswith("?") for line in objects.stdout.splitlines())
    git("fetch", "-q", "origin", "pull/1/head", cwd=tmp_path / "partial")
    (tmp_path / "full" / "a.py").write_text(LINES)
    git("commit", "-qam", "revert a.py", cwd=tmp_path / "full")
    git("push", "-q", "origin", "feature", cwd=tmp_path / "full")
    pushed = git("rev-parse", "HEAD", cwd=tmp_path / "full").stdout.strip()
    assert github.pulls[0]["head"]["sha"] == pushed
    synchronize = github.events[-1]
    assert (synchronize.action, synchronize.payload["after"]) == ("synchronize", pushed)
    assert synchronize.payload["sender"]["login"] == github.bot_login


def test_git_refusals(github, api, tmp_path):
    info_refs = f"{github.url}/octo/widgets.git/info/refs?service=git-upload-pack"
    anonymous = requests.get(info_refs, timeout=10)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"] == 'Basic realm="GitHub"'
    assert requests.get(info_refs, auth=("x-access-token", "ghs_bad"), timeout=10).status_code \
        == 401
    github.create_repo("other", "repo")
    assert git("clone", github.git_url("other", "repo", api.token), str(tmp_path / "o"),
               check=False).returncode != 0
    read_only = github.installation_token(next(iter(github.world.installations)),
                                          {"contents": "read"})
    work = tmp_path / "w"
    git("clone", "-q", github.git_url("octo", "widgets", read_only), str(work))
    (work / "a.py").write_text("changed\n")
    git("commit", "-qam", "change", cwd=work)
    denied = git("push", "origin", "main", cwd=work, check=False)
    assert denied.returncode != 0 and "403" in denied.stderr
    git("remote", "set-url", "origin", github.git_url("octo", "widgets", api.token), cwd=work)
    (work / ".github" / "workflows" / "ci.yml").write_text("on: pull_request\n")
    git("commit", "-qam", "touch ci", cwd=work)
    refused = git("push", "origin", "HEAD:refs/heads/ci", cwd=work, check=False)
    assert refused.returncode != 0 and "without `workflows` permission" in refused.stderr


def test_gzipped_upload_pack_request(github, api):
    main = github.branch_sha("octo", "widgets", "main")
    want = f"want {main}\n"
    body = f"{len(want) + 4:04x}{want}00000009done\n".encode()
    answer = requests.post(f"{github.url}/octo/widgets.git/git-upload-pack",
                           data=gzip.compress(body), auth=("x-access-token", api.token),
                           headers={"Content-Type": "application/x-git-upload-pack-request",
                                    "Content-Encoding": "gzip"}, timeout=10)
    assert answer.status_code == 200 and b"PACK" in answer.content


# --- forks ------------------------------------------------------------------------------------

def test_pull_requests_from_forks(github, api, tmp_path):
    github.fork_repo("octo", "widgets", "alice")
    github.fork_repo("octo", "widgets", "acme", owner_type="Organization", private=False)
    user_pr = github.open_pull_request("octo", "widgets", head="alice:fix", user="alice",
                                       files={"a.py": CHANGED}, maintainer_can_modify=True)
    org_pr = github.open_pull_request("octo", "widgets", head="acme:fix", user="acme-dev",
                                      files={"b.py": "b = 2\n"}, maintainer_can_modify=True)
    assert user_pr["head"]["repo"]["full_name"] == "alice/widgets"
    assert user_pr["head"]["label"] == "alice:fix" and user_pr["maintainer_can_modify"]
    files = api.get(f"/repos/octo/widgets/pulls/{user_pr['number']}/files").json()
    assert [f["filename"] for f in files] == ["a.py"]
    assert api.post("/repos/octo/widgets/pulls", {"title": "x", "head": "alice:fix",
                                                  "base": "main"}).status_code == 422
    run = api.post("/repos/octo/widgets/check-runs",
                   {"name": "docbot", "head_sha": user_pr["head"]["sha"]}).json()
    assert run["pull_requests"] == []
    for owner, allowed in (("alice", True), ("acme", False)):
        work = tmp_path / owner
        git("clone", "-q", "-b", "fix", github.git_url(owner, "widgets", api.token), str(work))
        (work / "docs.md").write_text("docs\n")
        git("add", "docs.md", cwd=work)
        git("commit", "-qm", "docs", cwd=work)
        assert (git("push", "-q", "origin", "fix", cwd=work, check=False).returncode == 0) \
            is allowed
    assert git("push", "origin", "fix:other", cwd=tmp_path / "alice", check=False).returncode
    github.delete_repo("alice", "widgets")
    gone = api.get(f"/repos/octo/widgets/pulls/{user_pr['number']}").json()
    assert gone["head"]["repo"] is None and org_pr["head"]["repo"]["owner"]["type"] == \
        "Organization"


# --- fault injection, request counts, schema checks --------------------------------------------

def test_server_errors_then_success(github, api):
    fault = github.fail_next("GET", "/repos/{owner}/{repo}", status=502, times=2)
    statuses = [api.get("/repos/octo/widgets").status_code for _ in range(3)]
    assert statuses == [502, 502, 200]
    assert len(fault.failed_at) == 2 and fault.waited >= 0


@pytest.mark.parametrize("status", [403, 429])
def test_secondary_rate_limit_with_retry_after(github, api, pr, status):
    fault = github.fail_next("POST", COMMENTS, status=status, retry_after=7)
    refused = api.post("/repos/octo/widgets/issues/1/comments", {"body": "x"})
    assert refused.status_code == status and refused.headers["Retry-After"] == "7"
    assert "secondary rate limit" in refused.json()["message"]
    assert api.post("/repos/octo/widgets/issues/1/comments", {"body": "x"}).status_code == 201
    assert fault.retried_at >= fault.failed_at[0]
    assert len(github.comments) == 1


def test_primary_rate_limit_and_globs(github, api, pr):
    github.fail_next(None, "*/check-runs", status=403, kind="primary", reset_in=30)
    refused = api.post("/repos/octo/widgets/check-runs",
                       {"name": "x", "head_sha": pr["head"]["sha"]})
    assert refused.status_code == 403 and refused.headers["x-ratelimit-remaining"] == "0"
    assert 0 < int(refused.headers["x-ratelimit-reset"]) - time.time() <= 31


def test_requests_are_counted_per_route(github, api, pr):
    github.reset_requests()
    installation = next(iter(github.world.installations))
    requests.post(f"{github.api_url}/app/installations/{installation}/access_tokens",
                  headers={"Authorization": f"Bearer {github.app_jwt()}"}, timeout=10)
    api.get("/repos/octo/widgets/pulls/1")
    api.get("/repos/octo/widgets/pulls/1")
    api.post("/repos/octo/widgets/issues/1/comments", {"body": "x"})
    assert github.count("GET", "/repos/{owner}/{repo}/pulls/{pull_number}") == 2
    assert github.count() == 3 and github.count(kind="token") == 1
    assert github.count("POST", "*/comments") == 1
    assert github.request_counts()[("GET", "/repos/{owner}/{repo}/pulls/{pull_number}")] == 2
    assert github.requests[-1] == ("POST", "/repos/octo/widgets/issues/1/comments", 201)


def test_every_described_operation_is_served(github):
    for template, operations in github.checker.paths.items():
        path = re.sub(r"\{\w+\}", "1", template)
        for method in operations:
            if method != "parameters":
                assert match(method.upper(), path)[0].template == template


def test_client_schema_errors_are_422_and_double_errors_are_recorded(github, api, pr):
    bad_event = api.post("/repos/octo/widgets/pulls/1/reviews", {"event": "LGTM"})
    assert bad_event.status_code == 422
    assert bad_event.json()["message"].startswith("Invalid request.")
    github.checker.check_response("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", 200,
                                  {"number": "one"})
    assert github.schema_errors
    with pytest.raises(AssertionError, match="off-schema"):
        github.assert_no_schema_errors()
    github.checker.errors.clear()


# --- PyGithub ---------------------------------------------------------------------------------

def test_pygithub_is_satisfied_with_the_shapes(github, api, pr):
    installation = next(iter(github.world.installations))
    integration = pygithub.GithubIntegration(
        auth=pygithub.Auth.AppAuth(github.app_id, github.private_key_pem),
        base_url=github.api_url, seconds_between_requests=None, seconds_between_writes=None)
    gh = integration.get_github_for_installation(installation)
    repo = gh.get_repo("octo/widgets")
    pull = repo.get_pull(1)
    assert pull.head.sha == pr["head"]["sha"] and pull.head.repo.full_name == "octo/widgets"
    assert sorted(f.filename for f in pull.get_files()) == ["a.py", "b.py", "moved.py", "new.py"]
    review = pull.create_review(commit=repo.get_commit(pull.head.sha), body="docs",
                                event="COMMENT", comments=[
                                    {"path": "a.py", "line": 3, "side": "RIGHT", "body": SUGGEST}])
    assert review.state == "COMMENTED"
    run = repo.create_check_run(name="docbot", head_sha=pull.head.sha, status="completed",
                                conclusion="success", output={"title": "Docs", "summary": "ok"})
    assert run.conclusion == "success"
    pull.create_issue_comment("<!-- docbot:summary -->\nhello")
    (comment,) = pull.get_issue_comments()
    assert (comment.user.login, comment.user.type) == (github.bot_login, "Bot")
    comment.edit("updated")
    comment.create_reaction("rocket")
    assert repo.get_contents(".github/docbot.yml", ref="main").decoded_content == b"mode: auto\n"
    assert repo.get_collaborator_permission("octo") == "admin"
    main = repo.get_git_ref("heads/main")
    blob = repo.create_git_blob("# docs\n", "utf-8")
    tree = repo.create_git_tree([pygithub.InputGitTreeElement("docs/a.md", "100644", "blob",
                                                              sha=blob.sha)],
                                base_tree=repo.get_git_tree(main.object.sha))
    commit = repo.create_git_commit("docs", tree, [repo.get_git_commit(main.object.sha)])
    repo.create_git_ref("refs/heads/docbot/feature", commit.sha)
    docs_pr = repo.create_pull(base="main", head="docbot/feature", title="Docs", body="...")
    assert docs_pr.user.login == github.bot_login
    assert [p.number for p in repo.get_pulls(head="octo:docbot/feature")] == [docs_pr.number]


def test_ghes_style_api_prefix(tmp_path):
    with GitHubDouble.start(tmp_path, api_prefix="/api/v3") as double:
        double.create_repo("octo", "widgets")
        token = double.installation_token(double.install("octo"))
        gh = pygithub.Github(auth=pygithub.Auth.Token(token), base_url=double.api_url,
                             retry=None, seconds_between_requests=None,
                             seconds_between_writes=None)
        assert gh.get_repo("octo/widgets").url.startswith(f"{double.url}/api/v3/")
        assert requests.get(f"{double.url}/repos/octo/widgets", timeout=10).status_code == 404
        double.assert_no_schema_errors()
