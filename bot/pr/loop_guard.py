"""Whether a `synchronize` came from docbot's own push, so the job updates the check run and commits nothing (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.repo.docs_commit import TRAILER, has_docbot_trailer


@dataclass(frozen=True)
class LoopVerdict:
    """Whether the push was docbot's own, and why in words."""

    own_push: bool
    reason: str


def bot_account(app_slug: str) -> str:
    """The login GitHub gives an App's bot account."""
    return f"{app_slug}[bot]"


def check_push(sender_login: str, sender_type: str, head_commit_message: str | None, app_slug: str) -> LoopVerdict:
    """Own push: the sender is the App's bot account, or the head commit carries docbot's trailer."""
    if sender_type == "Bot" and sender_login.lower() == bot_account(app_slug).lower():
        return LoopVerdict(True, f"pushed by {sender_login}")
    if has_docbot_trailer(head_commit_message):
        return LoopVerdict(True, f"the head commit is docbot's ({TRAILER})")
    return LoopVerdict(False, f"pushed by {sender_login}, and the head commit is not docbot's")
