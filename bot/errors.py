"""One exception tree for docbot; messages never carry secrets, keys or tokens."""


class DocbotError(Exception):
    """Base of every error docbot raises on purpose."""


class ConfigError(DocbotError):
    """Bad settings (environment) or a bad repository config file."""


class InputError(DocbotError):
    """Bad command-line input: a path, a revision, an option."""


class WebhookError(DocbotError):
    """A webhook delivery that cannot be trusted or understood."""


class GitError(DocbotError):
    """A git operation failed."""


class GitHubError(DocbotError):
    """The GitHub API refused or failed a request; `status` is the HTTP status when there was one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
