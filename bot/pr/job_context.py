"""What one running job knows: the job, the settings, an authenticated API, the bot's identity."""

from __future__ import annotations

import base64
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from bot.app.events import Job
from bot.app.locks import file_lock
from bot.app.settings import Settings
from bot.errors import WebhookError
from bot.github.client import GitHubApi
from bot.repo.git import BareRepo

logger = logging.getLogger("bot.pr.runner")

COMPANION_PREFIX = "docbot/pr-"
CHECK_NAME = "docbot"
_REPO_NAME = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


def companion_branch(number: int) -> str:
    """The branch in the base repository that carries a PR's regenerated docs."""
    return f"{COMPANION_PREFIX}{number}"


@dataclass(frozen=True)
class JobContext:
    """One job's world (probot's context): the event's primitives, an API client, a logger, hooks."""

    job: Job
    settings: Settings
    api: GitHubApi
    token: str = field(repr=False)
    bot_login: str
    on_stage: Callable[[str], None] | None = None

    def __post_init__(self) -> None:
        if not _REPO_NAME.fullmatch(self.job.repo) or {".", ".."} & set(self.job.repo.split("/")):
            raise WebhookError(f"repository name {self.job.repo[:100]!r} is not owner/name")

    def aimed_at(self, **job_fields: object) -> JobContext:
        """The same job, aimed elsewhere (a command's job learns the PR's head from the API)."""
        return replace(self, job=replace(self.job, **job_fields))

    @property
    def repo(self) -> str:
        return self.job.repo

    @property
    def owner(self) -> str:
        return self.job.repo.split("/")[0]

    def stage(self, name: str) -> None:
        """Mark a point of the job: logged, and handed to the hook tests use to stop a worker there."""
        logger.debug("delivery %s: %s", self.job.delivery_id, name)
        if self.on_stage is not None:
            self.on_stage(name)

    def log(self, message: str, *args: object, level: int = logging.INFO) -> None:
        logger.log(level, "delivery %s: " + message, self.job.delivery_id, *args)

    @contextmanager
    def git_cache(self) -> Iterator[BareRepo]:
        """The repository's bare blobless cache, for this job alone while the block runs."""
        owner, name = self.repo.split("/")
        path = self.settings.git_cache_dir / owner / f"{name}.git"
        with file_lock(path.with_name(f"{name}.git.lock")):
            cache = BareRepo(path, git_env(self.settings.git_url, self.token, self.bot_login))
            try:
                cache.set_origin(f"{self.settings.git_url}/{self.repo}.git")
                yield cache
            finally:
                cache.close()


def git_env(git_url: str, token: str, login: str) -> dict[str, str]:
    """Auth header for the git host only, the bot as committer; in the environment, never in a file or argv."""
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    email = f"{login}@users.noreply.github.com"
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"http.{git_url}/.extraHeader",
        "GIT_CONFIG_VALUE_0": f"Authorization: Basic {basic}",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_AUTHOR_NAME": login,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": login,
        "GIT_COMMITTER_EMAIL": email,
    }
