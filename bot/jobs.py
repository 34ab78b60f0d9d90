"""Placeholder for the job orchestrator (PR sync, slash command, check action)."""

from bot.events import Job
from bot.settings import Settings


def run(job: Job, settings: Settings) -> str:
    """Run one job and return a one-line outcome.

    TODO(lead): replace with the orchestrator that sequences auth, API, git, docset and
    publishing for each job kind. It must stay idempotent: the worker may run a job twice
    (a re-enqueue after a crash, or a retry after an exception).
    """
    return "not implemented yet"
