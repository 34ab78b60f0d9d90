"""docbot: keeps a repository's documentation mirror in step with its code."""

__version__ = "0.2.0"
