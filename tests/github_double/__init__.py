"""A local GitHub for tests: REST API, App auth, git smart HTTP and webhooks on 127.0.0.1."""

from .double import GitHubDouble
from .webhooks import sign

__all__ = ["GitHubDouble", "sign"]
