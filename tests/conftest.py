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


# --- docbot App end to end (owner: tests/test_app_e2e.py, harness in tests/apphost.py) -------
@pytest.fixture
def docbot_app(github, tmp_path):
    """The real webhook server and SQLite queue of docbot, wired to the `github` double."""
    from apphost import RunningApp

    app = RunningApp(github, tmp_path / "docbot")
    yield app
    app.stop()


# --- end of docbot App end to end ------------------------------------------------------------
