"""A change of `.github/docbot.yml` makes an incremental run write exactly what a full regeneration would:
the mirror moved, newly excluded files' pages removed, newly included files' pages added, text re-shaped."""

from __future__ import annotations

from pathlib import Path

from gitrepo import Repo

from bot.cli import main

FILES = {
    "pkg/core.py": '"""Core."""\n\n\ndef run():\n    """Run it."""\n',
    "pkg/util/text.py": '"""Text helpers."""\n\nWIDTH = 80\n',
    "tests/test_core.py": '"""Tests."""\n',
    "notes.lock": "pinned\n",
}
NEW_CONFIG = 'docs_dir: site/mirror\nproject_name: "Widgets"\nexclude: ["tests/**"]\ninclude: ["**", "notes.lock"]\n'


def mirror(repo: Repo, *folders: str) -> dict[str, bytes]:
    found = {}
    for folder in folders:
        found.update(repo.files(folder) if (repo.path / folder).exists() else {})
    return found


def fresh_full_mirror(repo: Repo, tmp_path: Path, ref: str = "HEAD", *options: str) -> dict[str, bytes]:
    """What `generate --all` gives on a clean checkout of `ref`, with the work tree's config file or `options`."""
    clone = Repo(tmp_path / "fresh" / repo.path.name)
    Repo(tmp_path).git("clone", "-q", str(repo.path), str(clone.path))
    clone.git("checkout", "-q", repo.git("rev-parse", ref).strip())
    config = repo.path / ".github/docbot.yml"
    if config.exists() and not options:
        (clone.path / ".github").mkdir(exist_ok=True)
        (clone.path / ".github/docbot.yml").write_bytes(config.read_bytes())
    for folder in ("docs", "site"):
        if (clone.path / folder).exists():
            clone.git("rm", "-rq", folder)
    assert main(["generate", "--repo", str(clone.path), "--all", *options]) == 0
    return mirror(clone, "docs", "site")


def test_generate_follows_a_config_change_as_a_full_run_does(tmp_path, capsys):
    repo = Repo.init(tmp_path / "proj", FILES)
    assert main(["generate", "--repo", str(repo.path), "--all"]) == 0
    repo.commit("docs")
    repo.write({".github/docbot.yml": NEW_CONFIG})
    assert main(["generate", "--repo", str(repo.path)]) == 0
    after = mirror(repo, "docs", "site")
    assert not any(p.startswith("docs/") for p in after)  # the old folder held only docbot's pages
    assert "site/mirror/notes.lock_docs.md" in after and "site/mirror/tests/test_core.py_docs.md" not in after
    assert after == fresh_full_mirror(repo, tmp_path)
    assert main(["check", "--repo", str(repo.path)]) == 0


def test_a_moved_mirror_keeps_hand_written_files_of_the_old_folder(tmp_path, capsys):
    repo = Repo.init(tmp_path / "proj", FILES)
    assert main(["generate", "--repo", str(repo.path), "--all"]) == 0
    repo.write({"docs/guide.md": "# My guide\n"})
    repo.commit("docs and a guide")
    repo.write({".github/docbot.yml": "docs_dir: mirror\n"})
    assert main(["generate", "--repo", str(repo.path)]) == 0
    assert (repo.path / "docs/guide.md").read_text() == "# My guide\n"
    assert "mirror/docs/guide.md_docs.md" in mirror(repo, "mirror")


def test_pr_follows_a_config_change_of_the_base_branch(tmp_path, capsys):
    repo = Repo.init(tmp_path / "proj", FILES)
    assert main(["generate", "--repo", str(repo.path), "--all"]) == 0
    repo.commit("docs")
    repo.git("switch", "-q", "-c", "feature")
    repo.write({"pkg/extra.py": '"""Extra."""\n'})
    repo.commit("extra")
    repo.git("switch", "-q", "main")
    repo.write({".github/docbot.yml": 'project_name: "Widgets"\nexclude: ["tests/**"]\n'})
    repo.commit("settings")
    assert main(["pr", "--repo", str(repo.path), "--base", "main", "--head", "feature"]) == 0
    repo.git("switch", "-q", "docbot/feature")
    # The base branch's settings, as the App reads them from the default branch.
    expected = fresh_full_mirror(repo, tmp_path, "feature", "--project-name", "Widgets", "--exclude", "tests/**")
    assert mirror(repo, "docs") == expected
