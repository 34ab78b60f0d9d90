"""Shared pytest fixtures. Each block is owned by the module it serves; keep them apart."""

from __future__ import annotations

import pytest

# --- GitHub double (owner: tests/github_double/) ---------------------------------------------
from github_double import GitHubDouble


@pytest.fixture
def github(tmp_path):
    """A started GitHub double; the test fails if the double sent an off-schema response."""
    double = GitHubDouble.start(tmp_path / "github")
    yield double
    double.stop()
    double.assert_no_schema_errors()


# --- end of GitHub double --------------------------------------------------------------------
