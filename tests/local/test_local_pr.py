"""`docbot pr`: the PR job on a local repository; companion branch, summary, idempotence."""

from __future__ import annotations

import json
import marshal
import os
from pathlib import Path

import pytest
from gitrepo import Repo

from bot.cli import main

BASE_FILES = {
    "app/core.py": '"""Core."""\n\n\ndef run():\n    """Run it."""\n',
    "app/old.py": '"""Old."""\n\nLEGACY = 1\n',
    "app/moved.py": '"""Moved."""\n\n\ndef go():\n    pass\n',
}


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = Repo.init(tmp_path / "proj", BASE_FILES)
    assert main(["generate", "--repo", str(repo.path), "--all"]) == 0
    repo.commit("docs")
    repo.git("switch", "-q", "-c", "feature")
    repo.write({"app/core.py": '"""Core."""\n\n\ndef run_fast():\n    """Run it fast."""\n', "app/new.py": "NEW = 1\n"})
    repo.git("rm", "-q", "app/old.py")
    repo.move("app/moved.py", "lib/moved.py")
    repo.commit("feature work")
    return repo


def pr(repo: Repo, *extra: str) -> int:
    return main(["pr", "--repo", str(repo.path), "--base", "main", "--head", "feature", "--json", *extra])


def test_pr_commits_docs_on_the_companion_branch_only(repo: Repo, capsys):
    head_before = repo.head("feature")
    assert pr(repo) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["branch"] == "docbot/feature" and result["created"] is True
    assert repo.head("feature") == head_before
    assert repo.git("rev-list", "--parents", "-n", "1", "docbot/feature").split()[1:] == [head_before]
    changed = set(repo.git("diff", "--name-only", "--no-renames", "feature", "docbot/feature").split())
    assert changed == set(result["written"]) | set(result["deleted"])
    assert "docs/app/core.py_docs.md" in changed and "docs/app/old.py_kw.md" in changed
    assert "docs/lib/moved.py_docs.md" in changed and "docs/app/moved.py_docs.md" in changed
    assert "Docbot-Generated: true" in repo.git("log", "-1", "--format=%B", "docbot/feature")
    core = next(f for f in result["files"] if f["path"] == "app/core.py")
    assert core["added"] == {"Functions": ["run_fast"]} and core["removed"] == {"Functions": ["run"]}
    assert "<!-- docbot:summary -->" in result["summary"] and "`run_fast`" in result["summary"]


def test_second_run_adds_no_commit(repo: Repo, capsys):
    assert pr(repo) == 0
    first = json.loads(capsys.readouterr().out)["commit"]
    assert pr(repo) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["commit"] == first and second["created"] is False


def test_docs_current_means_no_companion_branch(repo: Repo, capsys):
    assert pr(repo) == 0
    capsys.readouterr()
    repo.git("merge", "-q", "--ff-only", "docbot/feature")
    assert pr(repo) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["commit"] is None and result["written"] == [] and result["deleted"] == []
    assert "docbot/feature" not in repo.git("branch", "--list", "docbot/*")


def test_pr_text_output_names_the_branch(repo: Repo, capsys):
    assert main(["pr", "--repo", str(repo.path), "--base", "main", "--head", "feature"]) == 0
    out = capsys.readouterr().out
    assert "companion branch docbot/feature" in out
    assert "documentation to update" in out


# ---- sources remembered between runs (bot/listcache.py) ----


def fresh_pr(repo: Repo, capsys) -> dict:
    """A run from scratch; its result carries the docs commit's tree (the commit itself carries a time)."""
    if "docbot/feature" in repo.git("branch"):
        repo.git("branch", "-q", "-D", "docbot/feature")  # so that every run computes the docs anew
    assert main(["pr", "--repo", str(repo.path), "--base", "main", "--head", "feature", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    return result | {"tree": repo.git("rev-parse", "docbot/feature^{tree}").strip()}


def cache_files(repo: Repo) -> list[Path]:
    return sorted((repo.path / ".git" / "docbot" / "listings").glob("*.marshal"))


def test_remembered_sources_give_the_same_docs(repo: Repo, capsys):
    fresh = fresh_pr(repo, capsys)
    assert len(cache_files(repo)) == 2  # the merge base's sources and the head's
    assert fresh_pr(repo, capsys)["tree"] == fresh["tree"]  # the head's remembered
    head_tree = repo.git("rev-parse", "feature^{tree}").strip()
    next(f for f in cache_files(repo) if f.name.startswith(head_tree)).unlink()
    patched = fresh_pr(repo, capsys)  # the base's remembered, patched with the diff
    assert patched["tree"] == fresh["tree"] and patched["written"] == fresh["written"]
    assert "docs/app/old.py_docs.md" in patched["deleted"] and "docs/lib/moved.py_docs.md" in patched["written"]


def test_an_unreadable_cache_is_a_miss(repo: Repo, capsys):
    fresh = fresh_pr(repo, capsys)
    for file in cache_files(repo):
        file.write_bytes(b"\x00not marshal")
    assert fresh_pr(repo, capsys)["tree"] == fresh["tree"]
    wrong_shape = cache_files(repo)[0]
    wrong_shape.write_bytes(marshal.dumps({"sources": [1, 2]}))
    assert fresh_pr(repo, capsys)["tree"] == fresh["tree"]


def test_a_source_that_becomes_a_link_leaves_the_docs_with_a_remembered_base(repo: Repo, capsys):
    fresh_pr(repo, capsys)  # remembers the merge base
    os.remove(repo.path / "app/new.py")
    os.symlink("core.py", repo.path / "app/new.py")
    repo.git("add", "-A")
    repo.commit("new.py is a link now")
    result = fresh_pr(repo, capsys)
    assert "docs/app/new.py_docs.md" not in result["written"]
    assert not any(f["path"] == "app/new.py" for f in result["files"])


def regenerated_then_edited(tmp_path: Path) -> Repo:
    """A branch that committed its regenerated docs, then changed the source again: its pages are in its diff."""
    repo = Repo.init(tmp_path / "sugg", {"pkg/calc.py": '"""Calc."""\n\n\ndef add(a, b):\n    return a + b\n'})
    assert main(["generate", "--repo", str(repo.path), "--all"]) == 0
    repo.commit("docs")
    repo.git("switch", "-q", "-c", "feature")
    two = '"""Calc."""\n\n\ndef add(a, b):\n    return a + b\n\n\ndef {}(a, b):\n    return a - b\n'
    repo.write({"pkg/calc.py": two.format("sub")})
    assert main(["generate", "--repo", str(repo.path)]) == 0
    repo.commit("sub, with its docs")
    repo.write({"pkg/calc.py": two.format("minus")})
    repo.commit("sub is now minus; docs not regenerated")
    return repo


def test_auto_mode_suggests_pages_in_the_branch_diff_and_applying_them_gives_the_regenerated_pages(tmp_path, capsys):
    from suggestion_oracle import apply_suggestions

    from bot.engine.suggestions import Suggestion

    repo = regenerated_then_edited(tmp_path)
    capsys.readouterr()
    assert pr(repo) == 0
    auto = json.loads(capsys.readouterr().out)
    assert pr(repo, "--mode", "branch") == 0
    every_page = json.loads(capsys.readouterr().out)
    suggested = {s["path"] for s in auto["suggestions"]}
    assert "docs/pkg/calc.py_docs.md" in suggested and every_page["suggestions"] == []
    for path in suggested:
        comments = [Suggestion(s["path"], s["line"], s["start_line"], s["body"])
                    for s in auto["suggestions"] if s["path"] == path]
        regenerated = repo.git("show", f"{every_page['commit']}:{path}")
        assert apply_suggestions(repo.git("show", f"feature:{path}"), comments) == regenerated
    assert set(auto["written"]) == set(every_page["written"])


def test_branch_mode_puts_every_page_on_the_companion_branch(tmp_path, capsys):
    repo = regenerated_then_edited(tmp_path)
    capsys.readouterr()
    assert main(["pr", "--repo", str(repo.path), "--base", "main", "--head", "feature", "--mode", "branch"]) == 0
    out = capsys.readouterr().out
    assert "suggestion(s) the App would post" not in out and "companion branch docbot/feature" in out
    changed = set(repo.git("diff", "--name-only", "feature", "docbot/feature").split())
    assert "docs/pkg/calc.py_docs.md" in changed


def test_auto_mode_leaves_suggested_pages_off_the_companion_branch(tmp_path, capsys):
    repo = regenerated_then_edited(tmp_path)
    capsys.readouterr()
    assert main(["pr", "--repo", str(repo.path), "--base", "main", "--head", "feature"]) == 0
    out = capsys.readouterr().out
    assert "suggestion(s) the App would post:" in out and "docs/pkg/calc.py_docs.md" in out
    if repo.git("branch", "--list", "docbot/feature").strip():
        changed = set(repo.git("diff", "--name-only", "feature", "docbot/feature").split())
        assert "docs/pkg/calc.py_docs.md" not in changed
