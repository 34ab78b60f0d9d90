"""The built wheel carries the templates, and installed in a fresh virtual environment it gives the
command line with only the command line's dependencies."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from gitrepo import Repo

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
    wheel = next(tmp_path.glob("docbot_mirror-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {p.name for p in (ROOT / "templates").glob("*.j2")}
    assert templates and {f"docbot_templates/{t}" for t in templates} <= names
    assert "docbot_templates/README.md" in names
    assert {"bot/cli.py", "analyzers/model.py"} <= names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "docbot = bot.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_the_wheel_installs_the_cli_without_the_apps_dependencies(cli_only_venv, tmp_path):
    python = cli_only_venv / "bin/python"
    installed = subprocess.run([python, "-m", "pip", "list", "--format=freeze"], capture_output=True, text=True,
                               check=True).stdout.lower()
    assert "docbot-mirror==" in installed
    assert not {"flask", "pygithub", "huey", "gunicorn", "redis"} & {line.split("==")[0] for line in installed.split()}
    docbot = str(cli_only_venv / "bin/docbot")
    version = subprocess.run([docbot, "--version"], capture_output=True, text=True, check=True).stdout
    assert re.fullmatch(r"docbot \d+\.\d+\.\d+\n", version)
    repo = Repo.init(tmp_path / "proj", {"pkg/core.py": '"""Core."""\n'})
    done = subprocess.run([docbot, "generate", "--all"], cwd=repo.path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (repo.path / "docs/pkg/core.py_docs.md").is_file()
    assert subprocess.run([docbot, "check"], cwd=repo.path, capture_output=True).returncode == 0
    serve = subprocess.run([docbot, "serve"], cwd=repo.path, capture_output=True, text=True)
    assert serve.returncode == 2 and "pip install 'docbot-mirror[app]'" in serve.stderr
    assert "Traceback" not in serve.stderr
