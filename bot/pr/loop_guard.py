"""Whether a `synchronize` came from docbot's own push, so the job updates the check run and commits nothing (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.local.pr import TRAILER

_KEY, _VALUE = (part.strip() for part in TRAILER.split(":", 1))
# git compares trailer keys case-insensitively and allows spaces before the colon.
_TRAILER_LINE = re.compile(rf"{re.escape(_KEY)}\s*:\s*{re.escape(_VALUE)}\s*", re.IGNORECASE)


@dataclass(frozen=True)
class LoopVerdict:
    """Whether the push was docbot's own, and why in words."""

    own_push: bool
    reason: str

    @property
    def may_commit(self) -> bool:
        """A push of ours must never cause another commit: only the check run is updated."""
        return not self.own_push


def bot_login(app_slug: str) -> str:
    """The login GitHub gives an App's bot account."""
    return f"{app_slug}[bot]"


def has_docbot_trailer(message: str | None) -> bool:
    """Whether the commit message's trailer block (its last paragraph) says `Docbot-Generated: true`."""
    paragraphs = [p for p in re.split(r"\n[ \t]*\n", (message or "").replace("\r\n", "\n").strip()) if p.strip()]
    # A subject line alone is no trailer block, and a trailer quoted in the body is not ours.
    if len(paragraphs) < 2:
        return False
    return any(_TRAILER_LINE.fullmatch(line.strip()) for line in paragraphs[-1].split("\n"))


def check_push(sender_login: str, sender_type: str, head_commit_message: str | None, app_slug: str) -> LoopVerdict:
    """Own push: the sender is the App's bot account, or the head commit carries docbot's trailer."""
    if sender_type == "Bot" and sender_login.lower() == bot_login(app_slug).lower():
        return LoopVerdict(True, f"pushed by {sender_login}")
    if has_docbot_trailer(head_commit_message):
        return LoopVerdict(True, f"the head commit is docbot's ({TRAILER})")
    return LoopVerdict(False, f"pushed by {sender_login}, and the head commit is not docbot's")
