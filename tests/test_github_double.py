"""The GitHub double answers like GitHub: auth, refusals, real diffs, git over HTTP, webhooks."""

from __future__ import annotations

import base64
import gzip
import json
import time

import github as pygithub
import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from github_double import GitHubDouble, sign
from github_double.gitcli import git
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
    comment = github.add_comment("octo", "widgets", pr["number"], "/docs help")
    _, body = github.webhook_payload("issue_comment", "created", comment)
    assert json.loads(body)["issue"]["pull_request"]["url"] == pr["url"]


def test_events_are_delivered_signed_to_a_server(github, api, pr):
    received = []

    def receiver(environ, start_response):
        request = Request(environ)
        received.append((dict(request.headers), request.get_data()))
        return Response("", status=202)(environ, start_response)

    server = make_server("127.0.0.1", 0, receiver, threaded=True)
    import threading

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
