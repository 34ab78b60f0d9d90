"""app.yml: the events match what the router handles, and permissions stay least-privilege."""

from pathlib import Path

import pytest
import yaml

from bot.app.events import HANDLED_EVENTS

MANIFEST = Path(__file__).resolve().parents[2] / "app.yml"
ALWAYS_SENT = {"installation", "installation_repositories", "ping"}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


def test_default_events_are_the_handled_events_github_does_not_always_send(manifest):
    assert sorted(manifest["default_events"]) == sorted(HANDLED_EVENTS - ALWAYS_SENT)


def test_permissions_are_least_privilege_and_never_workflows(manifest):
    assert manifest["default_permissions"] == {
        "pull_requests": "write",
        "issues": "write",
        "checks": "write",
        "contents": "write",
        "metadata": "read",
    }
    assert "workflows" not in MANIFEST.read_text(encoding="utf-8").split("default_permissions:")[1]


def test_every_permission_line_says_why():
    text = MANIFEST.read_text(encoding="utf-8")
    block = text.split("default_permissions:\n", 1)[1].splitlines()
    lines = [line for line in block if line.startswith("  ") and ":" in line]
    assert len(lines) == 5
    assert all("  # " in line for line in lines)


def test_manifest_has_the_probot_keys_and_is_private(manifest):
    assert set(manifest) == {
        "name",
        "description",
        "url",
        "hook_attributes",
        "redirect_url",
        "public",
        "default_events",
        "default_permissions",
    }
    assert manifest["public"] is False
    assert manifest["hook_attributes"]["url"].endswith("/webhook")
