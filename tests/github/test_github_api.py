"""The GitHub port against the double: one request per call, primitives out, retries, readable errors,
and the requests and rate-limit waits it counts."""

from __future__ import annotations

import json
import socket
import threading

import pytest

from bot.errors import GitHubError
from bot.github.client import GitHubApi, RequestCounts, app_slug
from bot.github.records import CheckOutput, CommentInfo, PullInfo, ReviewComment

REPO = "octo/widgets"
LINES = "".join(f"line {i}\n" for i in range(1, 11))


@pytest.fixture
def scene(github):
    """A repository with one open PR, and a port holding an installation token for it."""
    github.create_repo("octo", "widgets", files={"a.py": LINES, "README.md": "# widgets\n"})
    token = github.installation_token(github.install("octo"))
    pull = github.open_pull_request("octo", "widgets", head="feature",
                                    files={"a.py": LINES.replace("line 3", "LINE 3")})
    api = GitHubApi(github.api_url, token, seconds_between_requests=0, seconds_between_writes=0)
    github.reset_requests()
    yield api, pull, token
    api.close()


def test_get_pull_is_one_request_and_returns_primitives(github, scene):
    api, pull, _ = scene
    info = api.get_pull(REPO, pull["number"])
    assert info == PullInfo(
        number=pull["number"], state="open", html_url=pull["html_url"], title=pull["title"], body="",
        head_sha=pull["head"]["sha"], head_ref="feature", head_repo=REPO, head_owner_type="User",
        base_ref="main", draft=False, maintainer_can_modify=False,
    )
    assert github.requests == [("GET", f"/repos/{REPO}/pulls/{pull['number']}", 200)]


def test_companion_pull_life_cycle_costs_one_request_per_step(github, scene):
    api, pull, _ = scene
    github.push_commit("octo", "widgets", "docbot/pr-1", {"docs/a.py_docs.md": "# a\n"}, start_point="feature")
    assert api.find_open_pull(REPO, "octo:docbot/pr-1", "feature") is None
    made = api.create_pull(REPO, title="docs", body="pages", head="docbot/pr-1", base="feature")
    assert (made.head_ref, made.base_ref, made.body) == ("docbot/pr-1", "feature", "pages")
    assert api.find_open_pull(REPO, "octo:docbot/pr-1", "feature") == made
    api.edit_pull(REPO, made.number, body="new pages")
    api.edit_pull(REPO, made.number, state="closed")
    assert api.find_open_pull(REPO, "octo:docbot/pr-1", "feature") is None
    assert api.delete_branch(REPO, "docbot/pr-1") is True
    assert api.delete_branch(REPO, "docbot/pr-1") is False  # already gone: GitHub's 422
    assert github.branch_sha("octo", "widgets", "docbot/pr-1") is None
    assert [(m, s) for m, _, s in github.requests] == [
        ("GET", 200), ("POST", 201), ("GET", 200), ("PATCH", 200), ("PATCH", 200), ("GET", 200),
        ("DELETE", 204), ("DELETE", 422),
    ]


def test_comments_reactions_and_permissions(github, scene):
    api, pull, _ = scene
    github.add_comment("octo", "widgets", pull["number"], "<!-- docbot:summary --> forged", user="mallory")
    made = api.create_issue_comment(REPO, pull["number"], "<!-- docbot:summary --> mine")
    api.edit_issue_comment(REPO, made.id, "<!-- docbot:summary --> edited")
    listed = api.list_issue_comments(REPO, pull["number"])
    assert [(c.author, c.body) for c in listed] == [
        ("mallory", "<!-- docbot:summary --> forged"),
        (github.bot_login, "<!-- docbot:summary --> edited"),
    ]
    assert isinstance(listed[1], CommentInfo) and listed[1].id == made.id
    api.add_reaction(REPO, made.id, "eyes")
    assert github.reactions(made.id) == ["eyes"]
    github.set_permission("octo", "widgets", "alice", "write")
    assert api.collaborator_permission(REPO, "alice") == "write"
    assert api.collaborator_permission(REPO, "stranger") == "none"
    assert github.count() == 6


def test_check_run_create_list_update(github, scene):
    api, pull, _ = scene
    head = pull["head"]["sha"]
    run = api.create_check_run(REPO, "docbot", head, status="in_progress")
    assert (run.name, run.status, run.app_slug) == ("docbot", "in_progress", github.app_slug)
    assert api.list_check_runs(REPO, head, "docbot") == [run]
    assert api.list_check_runs(REPO, head, "other") == []
    api.update_check_run(REPO, run.id, status="completed", conclusion="action_required",
                         output=CheckOutput("2 pages", "- `docs/a.py_docs.md`"), details_url=pull["html_url"])
    [shown] = github.check_runs
    assert (shown["conclusion"], shown["output"]["title"], shown["details_url"]) == (
        "action_required", "2 pages", pull["html_url"])
    assert github.count() == 4


def test_review_with_suggestions_is_one_request(github, scene):
    api, pull, _ = scene
    comment = ReviewComment("a.py", "```suggestion\nline three\n```", line=3)
    review_id = api.create_review(REPO, pull["number"], commit_id=pull["head"]["sha"], body="docs", comments=[comment])
    assert [r["id"] for r in github.reviews] == [review_id]
    assert [c["line"] for c in github.review_comments] == [3]
    assert github.count() == 1


def test_the_app_slug_is_read_with_the_jwt(github):
    assert app_slug(github.api_url, github.app_jwt()) == github.app_slug


def test_server_errors_are_retried_for_reads_and_edits(github, scene):
    api, pull, _ = scene
    fault = github.fail_next("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", status=502, times=2)
    assert api.get_pull(REPO, pull["number"]).number == pull["number"]
    assert len(fault.failed_at) == 2 and fault.retried_at is not None
    assert github.count("GET") == 3
    edit = github.fail_next("PATCH", "/repos/{owner}/{repo}/pulls/{pull_number}", status=503)
    api.edit_pull(REPO, pull["number"], body="edited")
    assert edit.retried_at is not None and github.pulls[0]["body"] == "edited"


def test_a_post_is_not_repeated_after_a_server_error(github, scene):
    api, pull, _ = scene
    github.fail_next("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", status=502)
    with pytest.raises(GitHubError, match="HTTP 502") as caught:
        api.create_issue_comment(REPO, pull["number"], "hello")
    assert caught.value.status == 502
    assert github.count("POST") == 1  # GitHub may have stored it: a retry could post it twice


@pytest.mark.parametrize("limit", [{"status": 403, "retry_after": 1}, {"status": 429, "retry_after": 1},
                                   {"status": 403, "kind": "primary", "reset_in": 1}],
                         ids=["secondary-403", "secondary-429", "primary-403"])
def test_rate_limits_are_waited_out_even_on_posts_and_counted(github, scene, limit):
    api, pull, _ = scene
    fault = github.fail_next("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", **limit)
    api.create_issue_comment(REPO, pull["number"], "hello")
    assert fault.waited is not None and fault.waited >= 1.0
    assert [c["body"] for c in github.comments] == ["hello"]
    assert (api.counts.requests, api.counts.rate_limit_waits) == (2, 1)
    assert 1.0 <= api.counts.rate_limit_seconds <= fault.waited  # the client's wait lies within GitHub's gap


def test_every_request_is_counted_retries_and_pages_too(github, scene):
    api, pull, _ = scene
    github.fail_next("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", status=502)
    api.get_pull(REPO, pull["number"])
    assert api.counts == RequestCounts(requests=2)
    for n in range(101):
        github.add_comment("octo", "widgets", pull["number"], f"comment {n}")
    assert len(api.list_issue_comments(REPO, pull["number"])) == 101
    assert api.counts == RequestCounts(requests=4) and github.count() == 4


def test_a_request_that_got_no_answer_is_counted_with_its_retry():
    """A GET whose connection dropped before any answer is sent again at once: two requests."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(10)
        serving = threading.Thread(target=drop_then_answer, args=(server, {"default_branch": "trunk"}))
        serving.start()
        api = GitHubApi(f"http://127.0.0.1:{server.getsockname()[1]}", "a-token", 0, 0)
        try:
            assert api.default_branch(REPO) == "trunk"
        finally:
            api.close()
            serving.join()
    assert api.counts == RequestCounts(requests=2)


def drop_then_answer(server: socket.socket, answer: dict) -> None:
    """Read a request and close the connection unanswered; then answer the next request with `answer`."""
    body = json.dumps(answer).encode()
    head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    for reply in (b"", head.encode() + b"Connection: close\r\n\r\n" + body):
        conn, _ = server.accept()
        with conn:
            received = b""
            while b"\r\n\r\n" not in received:
                received += conn.recv(4096) or b"\r\n\r\n"
            conn.sendall(reply)


def test_errors_are_readable_and_never_carry_the_token(github, scene):
    api, _, token = scene
    with pytest.raises(GitHubError) as missing:
        api.get_pull(REPO, 999)
    assert str(missing.value) == "reading octo/widgets#999: HTTP 404 Not Found"
    github.expire_token(token)
    with pytest.raises(GitHubError) as expired:
        api.list_issue_comments(REPO, 1)
    assert "HTTP 401 Bad credentials" in str(expired.value)
    assert token not in str(expired.value) and token not in repr(api)


def test_settings_of_the_port_come_from_the_environment():
    from bot.app.settings import Settings, git_url_for
    from bot.errors import ConfigError

    assert git_url_for("https://api.github.com") == "https://github.com"
    assert git_url_for("https://ghe.example.com/api/v3") == "https://ghe.example.com"
    env = {"GITHUB_API_URL": "https://ghe.example.com/api/v3/", "DOCBOT_SECONDS_BETWEEN_WRITES": "0"}
    settings = Settings.from_env(env)
    assert (settings.git_url, settings.seconds_between_requests, settings.seconds_between_writes) == (
        "https://ghe.example.com", 0.25, 0.0)
    assert Settings.from_env({"DOCBOT_GIT_URL": "http://127.0.0.1:9/"}).git_url == "http://127.0.0.1:9"
    with pytest.raises(ConfigError, match="DOCBOT_SECONDS_BETWEEN_REQUESTS"):
        Settings.from_env({"DOCBOT_SECONDS_BETWEEN_REQUESTS": "soon"})
