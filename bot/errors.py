"""One exception tree for docbot; messages never carry secrets, keys or tokens."""


class DocbotError(Exception):
    """Base of every error docbot raises on purpose."""


class ConfigError(DocbotError):
    """Bad settings (environment) or a bad repository config file."""

    permanent = True  # a retry reads the same config


class InputError(DocbotError):
    """Bad command-line input: a path, a revision, an option."""


class WebhookError(DocbotError):
    """A webhook delivery that cannot be trusted or understood."""

    permanent = True  # a retry reads the same payload


class GitError(DocbotError):
    """A git operation failed."""


class GitHubError(DocbotError):
    """The GitHub API refused or failed a request; `status` is the HTTP status when there was one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class OwnershipError(InputError):
    """Files docbot did not write sit where its pages go: docbot never overwrites or deletes them."""

    permanent = True  # a retry finds the same files there

    def __init__(self, paths: list[str], docs_dir: str) -> None:
        shown = ", ".join(paths[:10]) + (f" and {len(paths) - 10} more" if len(paths) > 10 else "")
        super().__init__(
            f"{len(paths)} file(s) under {docs_dir}/ that docbot did not write sit where its pages go: {shown}. "
            "Nothing was written. Set docs_dir in .github/docbot.yml (or --docs-dir) to a folder of its own; "
            "`docbot init` writes a config with one that is free")
        self.paths = paths


class PermanentError(DocbotError):
    """A job failure that a retry cannot mend (bad config, malformed payload, time limit): the queue gives up at once.

    Other code marks its own errors permanent by subclassing this, or by setting `permanent = True` on them.
    """

    permanent = True


class JobTimedOut(PermanentError):
    """A job ran past DOCBOT_JOB_TIMEOUT and was stopped."""


def is_permanent(exc: BaseException) -> bool:
    """True for failures a retry cannot mend: PermanentError, or any error flagged `permanent = True`."""
    return getattr(exc, "permanent", False) is True
