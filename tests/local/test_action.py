"""The GitHub Action (`action.yml`): its steps run as a runner runs them, with the `GITHUB_*` environment
a runner sets: the mirror checked into the step summary, or regenerated with `fix: true`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from gitrepo import Repo

from bot.cli import main


def run_action(checkout: Path, workspace: Path, venv: Path, tmp_path: Path, fix: str = "false") -> tuple[int, str]:
    """Every step of the composite action, `${{ }}` expressions resolved as the runner resolves them."""
    action = yaml.safe_load((checkout / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    summary = tmp_path / "step_summary.md"
    summary.write_text("")
    env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}", "GITHUB_ACTIONS": "true", "CI": "true",
           "GITHUB_WORKSPACE": str(workspace), "GITHUB_STEP_SUMMARY": str(summary),
           "GITHUB_ACTION_PATH": str(checkout), "GITHUB_REPOSITORY": "octo/widgets", "RUNNER_TEMP": str(tmp_path)}
    inputs = {name: spec.get("default", "") for name, spec in action["inputs"].items()} | {"fix": fix}
    for step in action["runs"]["steps"]:
        def resolve(text: str) -> str:
            text = text.replace("${{ github.action_path }}", str(checkout))
            for name, value in inputs.items():
                text = text.replace(f"${{{{ inputs.{name} }}}}", value)
            return text

        step_env = env | {k: resolve(str(v)) for k, v in step.get("env", {}).items()}
        cwd = workspace / resolve(step.get("working-directory", "."))
        done = subprocess.run([step["shell"], "-e", "-c", resolve(step["run"])], cwd=cwd, env=step_env,
                              capture_output=True, text=True)
        if done.returncode:
            return done.returncode, summary.read_text()
    return 0, summary.read_text()


@pytest.fixture
def workspace(tmp_path) -> Repo:
    repo = Repo.init(tmp_path / "workspace", {"pkg/core.py": '"""Core."""\n\n\ndef run():\n    pass\n'})
    assert main(["generate", "--repo", str(repo.path), "--all"]) == 0
    repo.commit("docs")
    return repo


def test_a_current_mirror_passes_and_says_so(workspace, cli_only_venv, action_checkout, tmp_path):
    code, summary = run_action(action_checkout, workspace.path, cli_only_venv, tmp_path)
    assert code == 0 and "the documentation mirror is current" in summary


def test_a_stale_mirror_fails_naming_the_pages_then_fix_regenerates_them(workspace, cli_only_venv, action_checkout,
                                                                        tmp_path):
    workspace.write({"pkg/core.py": '"""Core."""\n\n\ndef run_fast():\n    pass\n'})
    workspace.commit("faster, docs not regenerated")
    code, summary = run_action(action_checkout, workspace.path, cli_only_venv, tmp_path)
    assert code == 1
    assert "| `docs/pkg/core.py_docs.md` | its source changed |" in summary
    code, summary = run_action(action_checkout, workspace.path, cli_only_venv, tmp_path, fix="true")
    assert code == 0 and "page(s) regenerated" in summary and "`docs/pkg/core.py_docs.md`" in summary
    assert "docs/pkg/core.py_docs.md" in workspace.git("status", "--porcelain")  # left for a commit step
    assert main(["check", "--repo", str(workspace.path)]) == 0
