"""Fixtures of the command line's tests (owner: tests/local/)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cli_only_venv(tmp_path_factory) -> Path:
    """A fresh virtual environment with the project's wheel installed, nothing else asked for."""
    root = tmp_path_factory.mktemp("wheel")
    source = root / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "*.egg-info", ".pytest_cache", "__pycache__", ".docbot", "tests", "bench"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(root), str(source)], check=True, capture_output=True, cwd=root)
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    wheel = next(root.glob("docbot_mirror-*.whl"))
    subprocess.run([venv / "bin/python", "-m", "pip", "install", "--quiet", str(wheel)], check=True,
                   capture_output=True)
    return venv


@pytest.fixture(scope="session")
def action_checkout(tmp_path_factory) -> Path:
    """This project as a runner checks an action out (pip builds in it, so not in this work tree)."""
    checkout = tmp_path_factory.mktemp("action") / "docbot"
    shutil.copytree(ROOT, checkout, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "*.egg-info", ".pytest_cache", "__pycache__", ".docbot", "tests", "bench"))
    return checkout
