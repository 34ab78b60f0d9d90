"""The built wheel carries the templates, not only an editable install."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_templates_and_the_console_script(tmp_path: Path):
    source = tmp_path / "src"  # a copy, so the build leaves nothing in the work tree
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "*.egg-info", ".pytest_cache", "__pycache__", ".docbot", "tests", "bench"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp_path), str(source)],
        check=True, capture_output=True, cwd=tmp_path,
    )
    wheel = next(tmp_path.glob("docbot-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {p.name for p in (ROOT / "templates").glob("*.j2")}
    assert templates and {f"docbot_templates/{t}" for t in templates} <= names
    assert "docbot_templates/README.md" in names
    assert {"bot/cli.py", "analyzers/model.py"} <= names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "docbot = bot.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
