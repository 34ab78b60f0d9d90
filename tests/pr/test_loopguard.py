"""The loop guard: docbot's own pushes cause no further commit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitrepo import Repo

from bot.pr.loop_guard import LoopVerdict, bot_account, check_push
from bot.repo.docs_commit import TRAILER, has_docbot_trailer

SYNC = Path(__file__).parents[1] / "fixtures/webhooks/pull_request/synchronize.payload.json"
OURS = f"docs: regenerate the mirror for 2 changed file(s)\n\n{TRAILER}\nDocbot-Head: {'a' * 40}\n"

MESSAGES = [
    ("docbot's own message", OURS, True),
    ("cherry-picked with -x", OURS.rstrip("\n") + "\n(cherry picked from commit " + "b" * 40 + ")\n", True),
    ("signed off after", OURS + "Signed-off-by: Dev <dev@example.com>\n", True),
    ("CRLF", OURS.replace("\n", "\r\n"), True),
    ("key case and spacing", "docs\n\ndocbot-generated : true", True),
    ("subject only", TRAILER, False),
    ("quoted in the body, not the trailer block", f"fix\n\n{TRAILER}\n\nSigned-off-by: Dev <d@e.com>", False),
    ("other value", "docs\n\nDocbot-Generated: false", False),
    ("inside a sentence", "docs\n\nsee Docbot-Generated: true here", False),
    ("a person's commit", "Fix the parser\n\nLonger text.\n", False),
    ("empty", "", False),
    ("unknown", None, False),
]


@pytest.mark.parametrize(("message", "ours"), [c[1:] for c in MESSAGES], ids=[c[0] for c in MESSAGES])
def test_trailer(message, ours):
    assert has_docbot_trailer(message) is ours


PUSHES = [
    ("the App's bot", ("docbot[bot]", "Bot", "Fix\n"), LoopVerdict(True, "pushed by docbot[bot]")),
    ("login case", ("DocBot[bot]", "Bot", None), LoopVerdict(True, "pushed by DocBot[bot]")),
    ("another App", ("dependabot[bot]", "Bot", "Bump x\n"),
     LoopVerdict(False, "pushed by dependabot[bot], and the head commit is not docbot's")),
    ("a user pushing docbot's commit (the fork's cherry-pick)", ("octocat", "User", OURS),
     LoopVerdict(True, "the head commit is docbot's (Docbot-Generated: true)")),
    ("a user's own commit", ("octocat", "User", "Fix\n"),
     LoopVerdict(False, "pushed by octocat, and the head commit is not docbot's")),
    ("a user named like the bot is no bot", ("docbot[bot]", "User", "Fix\n"),
     LoopVerdict(False, "pushed by docbot[bot], and the head commit is not docbot's")),
]


@pytest.mark.parametrize(("push", "verdict"), [c[1:] for c in PUSHES], ids=[c[0] for c in PUSHES])
def test_check_push(push, verdict):
    assert check_push(*push, app_slug="docbot") == verdict


def test_real_synchronize_payloads():
    payload = json.loads(SYNC.read_text())
    sender = payload["sender"]
    assert not check_push(sender["login"], sender["type"], "Update README\n", "docbot").own_push
    assert check_push(bot_account("docbot"), "Bot", None, "docbot").own_push


def test_a_commit_message_as_git_stores_it(tmp_path):
    repo = Repo.init(tmp_path / "r", {"a.txt": "a\n"})
    repo.write({"docs/a.txt_docs.md": "# a\n"})
    repo.commit(OURS)
    assert has_docbot_trailer(repo.git("log", "-1", "--format=%B"))
