"""`/docs` slash commands in PR comments: parsing, who may run them, and the replies (pure)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token

EYES, ROCKET, CONFUSED = "eyes", "rocket", "confused"
REPLY_MARKER = "<!-- docbot:reply -->"
MAX_COMMANDS = 10
COMMANDS: dict[str, str] = {
    "help": "show this help",
    "regenerate": "regenerate the docs of this PR now",
    "suggest": "offer the docs as review suggestions where GitHub allows it",
    "branch": "put the docs on the companion branch `docbot/pr-<n>`",
    "commit": "push one docs commit onto the PR branch (when pushing there is allowed)",
    "skip": "leave this PR alone (check run neutral) until `/docs resume`",
    "resume": "undo `/docs skip`",
}
TRUSTED = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
WRITE_PERMISSIONS = frozenset({"write", "maintain", "admin"})
_COMMAND_LINE = re.compile(r"/docs(?:\s+(\S+))?(?:\s+(.*))?", re.IGNORECASE)
_LINK_MARKS = {"link_open": "[", "link_close": "]"}
_SHOWN_WORD = 40  # an unknown word is echoed back, so keep a pasted essay out of the reply

Outcome = Literal["done", "not_allowed", "unknown", "nothing_to_do", "refused", "failed", "over_limit"]
# Check-run buttons: identifier -> (label <= 20, description <= 40, the command a click runs).
CHECK_ACTIONS: dict[str, tuple[str, str, str]] = {
    "regenerate": ("Regenerate", "Regenerate this pull request's docs", "regenerate"),
    "open_docs_pr": ("Open docs PR", "Put the docs on a companion branch + PR", "branch"),
}


@dataclass(frozen=True)
class Command:
    """One `/docs <word> [args]` line of a comment."""

    name: str  # lower-cased word; "" for a bare `/docs`
    args: str = ""
    known: bool = True
    suggestion: str | None = None  # the closest valid command when unknown
    over_limit: bool = False  # beyond the first MAX_COMMANDS of the comment: not run


@dataclass(frozen=True)
class CommandResult:
    """What became of one command, for its reaction and the reply."""

    command: Command
    outcome: Outcome
    detail: str = ""  # e.g. why there was nothing to do


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


_MD = _markdown()

HELP_TEXT = "\n".join([
    "**docbot** keeps this repository's docs mirror in step with each pull request.",
    "",
    "| command | does |",
    "| --- | --- |",
    *(f"| `/docs {name}` | {what} |" for name, what in COMMANDS.items()),
    "",
    "| mode (`.github/docbot.yml`) | where the regenerated docs go |",
    "| --- | --- |",
    "| `auto` | review suggestions where the doc is in the diff, the rest on the companion branch |",
    "| `suggestions` | review suggestions; what cannot be suggested goes to the companion branch |",
    "| `branch` | the companion branch `docbot/pr-<n>` (and a docs PR into this branch) |",
    "| `commit` | one commit on this PR's branch (same repository, or a user's fork that allows edits) |",
    "| `off` | nothing |",
    "",
    "One command per line; anyone may ask for help, the others need write access to the repository.",
])


def parse_commands(body: str) -> list[Command]:
    """The commands of a comment, outside code, quotes and HTML; those past MAX_COMMANDS flagged over_limit."""
    commands = []
    for line in _prose_lines(_MD.parse(body or "")):
        match = _COMMAND_LINE.fullmatch(line.strip())
        if match:
            commands.append(_command(match[1] or "", (match[2] or "").strip(), len(commands) >= MAX_COMMANDS))
    return commands


def _command(word: str, args: str, over_limit: bool) -> Command:
    name = word.lower()
    if name in COMMANDS:
        return Command(name, args, over_limit=over_limit)
    close = difflib.get_close_matches(name, COMMANDS, n=1)
    return Command(name, args, known=False, suggestion=close[0] if close else None, over_limit=over_limit)


def _prose_lines(tokens: Sequence[Token]) -> Iterator[str]:
    """Lines of paragraphs outside block quotes; code, HTML, headings and tables are no paragraphs."""
    quotes = 0
    for before, token in zip([None, *tokens], tokens, strict=False):
        if token.type in ("blockquote_open", "blockquote_close"):
            quotes += token.nesting
        elif token.type == "inline" and quotes == 0 and before is not None and before.type == "paragraph_open":
            yield from _inline_text(token.children or []).split("\n")


def _inline_text(children: Iterable[Token]) -> str:
    """The inline source as typed: code spans and markup keep their marks, so `` `/docs x` `` is no command."""
    parts = []
    for child in children:
        if child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "code_inline":
            parts.append(child.markup + child.content + child.markup)
        elif child.type == "html_inline":
            # A comment spanning lines hides them all: keep it on the line where it starts.
            parts.append(child.content.replace("\n", " "))
        elif child.type == "text":
            parts.append(child.content)
        elif child.type == "image":
            parts.append("![]")
        elif child.nesting:
            parts.append(_LINK_MARKS.get(child.type, child.markup))
    return "".join(parts)


def needs_permission_lookup(association: str | None, command: Command | str | None = None) -> bool:
    """Whether the association alone cannot decide, so the job must ask the API for the user's permission."""
    if command is not None and (_name(command) == "help" or isinstance(command, Command) and not command.known):
        return False
    return (association or "").upper() not in TRUSTED


def may_run(command: Command | str, author_association: str | None, api_permission: str | None = None) -> bool:
    """Help (and the answer to an unknown word) for anyone; the rest for trusted associations or write access."""
    if isinstance(command, Command) and not command.known:
        return True
    if _name(command) == "help":
        return True
    if (author_association or "").upper() in TRUSTED:
        return True
    return (api_permission or "").lower() in WRITE_PERMISSIONS


def _name(command: Command | str) -> str:
    return command.name if isinstance(command, Command) else command.lower()


def reaction_for(result: CommandResult) -> str:
    """🚀 when the command did its work, 😕 otherwise."""
    return ROCKET if result.outcome == "done" else CONFUSED


def render_reply(results: Sequence[CommandResult]) -> str:
    """The reply to a comment's commands: help when asked, one line per 😕; "" when there is nothing to say."""
    lines = [_reply_line(r) for r in results if r.outcome not in ("done", "over_limit")]
    dropped = sum(1 for r in results if r.outcome == "over_limit")
    if dropped:
        lines.append(f"- {dropped} more command(s) ignored: docbot runs at most {MAX_COMMANDS} per comment.")
    if any(r.outcome == "unknown" for r in results):
        lines += ["", "Valid commands: " + ", ".join(f"`/docs {name}`" for name in COMMANDS) + "."]
    wants_help = any(r.command.name == "help" and r.outcome == "done" for r in results)
    sections = [HELP_TEXT] if wants_help else []
    if lines:
        sections.append("\n".join(lines))
    return "\n\n".join([REPLY_MARKER, *sections]) + "\n" if sections else ""


def _reply_line(result: CommandResult) -> str:
    shown = _code(f"/docs {result.command.name}".strip())
    detail = f" — {result.detail}" if result.detail else ""
    if result.outcome == "not_allowed":
        return f"- {shown}: only owners, members, collaborators and users with write access may run this."
    if result.outcome == "nothing_to_do":
        return f"- {shown}: nothing to do{detail}."
    if result.outcome in ("refused", "failed"):
        return f"- {shown}: {'not done' if result.outcome == 'refused' else 'failed'}{detail}."
    hint = f" Did you mean `/docs {result.command.suggestion}`?" if result.command.suggestion else ""
    return f"- {shown} is not a docbot command.{hint}"


def _code(text: str) -> str:
    """An inline code span that holds any text, cut to a readable length."""
    text = text if len(text) <= _SHOWN_WORD else text[: _SHOWN_WORD - 1] + "…"
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"
