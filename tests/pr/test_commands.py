"""`/docs` slash commands: what counts as a command, who may run it, and what docbot answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.pr.commands import (
    COMMANDS,
    CONFUSED,
    EYES,
    HELP_TEXT,
    MAX_COMMANDS,
    REPLY_MARKER,
    ROCKET,
    Command,
    CommandResult,
    may_run,
    needs_permission_lookup,
    parse_commands,
    reaction_for,
    render_reply,
)

FIXTURE = Path(__file__).parents[1] / "fixtures/webhooks/extra/all-contributors_app/issue_comment.created.json"
REGEN = Command("regenerate")

PARSED = [
    ("plain", "/docs regenerate", [REGEN]),
    ("case-insensitive", "/DOCS Regenerate", [REGEN]),
    ("surrounding prose and spaces", "Thanks!\n\n  /docs skip  \nsee you", [Command("skip")]),
    ("arguments kept", "/docs regenerate all of it", [Command("regenerate", "all of it")]),
    ("one per line", "/docs skip\n/docs resume", [Command("skip"), Command("resume")]),
    ("CRLF comment from the web UI", "hello\r\n/docs skip\r\n/docs resume\r\n", [Command("skip"), Command("resume")]),
    ("list item", "- /docs regenerate\n- /docs branch", [REGEN, Command("branch")]),
    ("after a closed fence", "```\n/docs skip\n```\n/docs help", [Command("help")]),
    ("backtick fence", "```\n/docs skip\n```", []),
    ("tilde fence", "~~~\n/docs skip\n~~~", []),
    ("long fence holding a short one", "````\n```\n/docs skip\n```\n````", []),
    ("shorter fence does not close", "~~~~\n/docs skip\n~~~\n/docs commit", []),
    ("unclosed fence runs to the end", "text\n\n```\n/docs skip", []),
    ("indented code", "text\n\n    /docs skip", []),
    ("inline code", "`/docs skip`", []),
    ("command word in code", "/docs `skip`", [Command("`skip`", known=False, suggestion="skip")]),
    ("block quote", "> /docs skip", []),
    ("nested block quote", "> > /docs skip\n> quoted", []),
    ("lazy line continues the quote, as GitHub renders it", "> earlier\n/docs skip", []),
    ("blank line ends the quote", "> /docs skip\n\n/docs resume", [Command("resume")]),
    ("HTML comment block", "<!-- /docs skip -->", []),
    ("HTML comment across lines", "<!--\n/docs skip\n-->", []),
    ("inline HTML comment across lines", "text <!--\n/docs skip\n--> end", []),
    ("HTML block", "<details>\n/docs skip\n</details>", []),
    ("paragraph inside details", "<details>\n\n/docs skip\n\n</details>", [Command("skip")]),
    ("not at the start of a line", "please /docs regenerate", []),
    ("word glued to /docs", "/docsregenerate", []),
    ("emphasis makes it prose", "**/docs skip**", []),
    ("link makes it prose", "[/docs skip](https://example.com)", []),
    ("table cell", "| /docs skip |\n| --- |\n| x |", []),
    ("heading", "# /docs skip", []),
    ("typo", "/docs regenrate", [Command("regenrate", known=False, suggestion="regenerate")]),
    ("unknown word", "/docs frobnicate", [Command("frobnicate", known=False)]),
    ("bare /docs", "/docs", [Command("", known=False)]),
    ("empty", "", []),
]


@pytest.mark.parametrize(("body", "expected"), [c[1:] for c in PARSED], ids=[c[0] for c in PARSED])
def test_parse_commands(body, expected):
    assert parse_commands(body) == expected


def test_at_most_ten_commands_run_per_comment():
    parsed = parse_commands("\n".join(["/docs regenerate"] * (MAX_COMMANDS + 2)))
    assert parsed == [REGEN] * MAX_COMMANDS + [Command("regenerate", over_limit=True)] * 2


def test_a_real_pr_comment_without_commands():
    payload = json.loads(FIXTURE.read_text())
    assert payload["issue"]["pull_request"]
    assert parse_commands(payload["comment"]["body"]) == []


def test_a_real_member_comment_with_a_command():
    comment = json.loads(FIXTURE.read_text())["comment"]
    parsed = parse_commands(comment["body"] + "\n\n/docs commit")
    assert parsed == [Command("commit")]
    association = comment["author_association"]
    assert (association, needs_permission_lookup(association), may_run(parsed[0], association)) == (
        "MEMBER", False, True)


PERMISSIONS = [
    ("help", "NONE", None, True),
    ("help", "FIRST_TIME_CONTRIBUTOR", None, True),
    ("regenerate", "OWNER", None, True),
    ("commit", "member", None, True),
    ("skip", "COLLABORATOR", None, True),
    ("regenerate", "CONTRIBUTOR", None, False),
    ("regenerate", "CONTRIBUTOR", "read", False),
    ("regenerate", "CONTRIBUTOR", "triage", False),
    ("regenerate", "NONE", "write", True),
    ("regenerate", "NONE", "maintain", True),
    ("regenerate", "MANNEQUIN", "admin", True),
    ("resume", None, None, False),
    (Command("regenrate", known=False, suggestion="regenerate"), "NONE", None, True),
]


@pytest.mark.parametrize(("command", "association", "permission", "allowed"), PERMISSIONS)
def test_may_run(command, association, permission, allowed):
    assert may_run(command, association, permission) is allowed


@pytest.mark.parametrize(("association", "command", "lookup"), [
    ("OWNER", None, False),
    ("MEMBER", "commit", False),
    ("COLLABORATOR", Command("skip"), False),
    ("CONTRIBUTOR", None, True),
    ("NONE", Command("regenerate"), True),
    (None, "commit", True),
    ("NONE", "help", False),
    ("NONE", Command("xyz", known=False), False),
])
def test_permission_lookup_only_when_the_association_does_not_decide(association, command, lookup):
    assert needs_permission_lookup(association, command) is lookup


def test_reactions():
    assert (EYES, ROCKET, CONFUSED) == ("eyes", "rocket", "confused")
    assert [reaction_for(CommandResult(REGEN, outcome)) for outcome in ("done", "not_allowed", "unknown")] == [
        ROCKET, CONFUSED, CONFUSED]


VALID = "Valid commands: " + ", ".join(f"`/docs {name}`" for name in COMMANDS) + "."
REPLIES = [
    ("all done: no reply", [CommandResult(REGEN, "done")], ""),
    ("help", [CommandResult(Command("help"), "done")], f"{REPLY_MARKER}\n\n{HELP_TEXT}\n"),
    ("not allowed", [CommandResult(Command("commit"), "not_allowed")],
     f"{REPLY_MARKER}\n\n- `/docs commit`: only owners, members, collaborators and users with write access may "
     "run this.\n"),
    ("typo", [CommandResult(Command("regenrate", known=False, suggestion="regenerate"), "unknown")],
     f"{REPLY_MARKER}\n\n- `/docs regenrate` is not a docbot command. Did you mean `/docs regenerate`?\n\n{VALID}\n"),
    ("nothing to do", [CommandResult(Command("resume"), "nothing_to_do", "this PR is not skipped"),
                       CommandResult(Command("skip"), "nothing_to_do")],
     f"{REPLY_MARKER}\n\n- `/docs resume`: nothing to do — this PR is not skipped.\n- `/docs skip`: nothing to do.\n"),
    ("over the limit", [CommandResult(REGEN, "done")] + [CommandResult(REGEN, "over_limit")] * 3,
     f"{REPLY_MARKER}\n\n- 3 more command(s) ignored: docbot runs at most 10 per comment.\n"),
    ("backticks and length of an echoed word", [CommandResult(Command("a`b" + "x" * 60, known=False), "unknown")],
     f"{REPLY_MARKER}\n\n- ``/docs a`b{'x' * 30}…`` is not a docbot command.\n\n{VALID}\n"),
]


@pytest.mark.parametrize(("results", "reply"), [c[1:] for c in REPLIES], ids=[c[0] for c in REPLIES])
def test_render_reply(results, reply):
    assert render_reply(results) == reply


def test_help_lists_every_command_and_mode_and_holds_no_command_itself():
    assert all(f"`/docs {name}`" in HELP_TEXT for name in COMMANDS)
    assert all(f"`{mode}`" in HELP_TEXT for mode in ("auto", "suggestions", "branch", "commit", "off"))
    # docbot's own reply must never read as a command (a bot's comments are dropped anyway).
    assert parse_commands(HELP_TEXT) == []
