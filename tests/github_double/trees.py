"""Tree and commit building on a GitRepo through a temporary index (read-tree/update-index)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from .gitrepo import GitRepo, Person


@dataclass(frozen=True)
class TreeEdit:
    """Set `path` to (mode, sha) or, with sha None, remove it (a file or a whole folder)."""

    path: str
    mode: str = "100644"
    sha: str | None = None


def build_tree(repo: GitRepo, base_tree: str | None, edits: list[TreeEdit]) -> str:
    """Apply `edits` to `base_tree` (or to an empty tree) and write the result."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp, "index"))}
        if base_tree:
            repo.run("read-tree", base_tree, env=env)
        else:
            repo.run("read-tree", "--empty", env=env)
        staged = _staged_paths(repo, env)
        records = []
        for edit in edits:
            records += _index_records(repo, edit, staged)
        if records:
            repo.run("update-index", "-z", "--index-info", input=b"".join(records), env=env)
        return repo.text("write-tree", env=env)


def _staged_paths(repo: GitRepo, env: dict[str, str]) -> list[str]:
    out = repo.run("ls-files", "-z", env=env).decode()
    return [p for p in out.split("\0") if p]


def _index_records(repo: GitRepo, edit: TreeEdit, staged: list[str]) -> list[bytes]:
    """--index-info lines: mode 0 removes an entry; a tree is expanded into its blobs."""
    prefix = edit.path.rstrip("/") + "/"
    removals = [p for p in staged if p == edit.path or p.startswith(prefix)]
    records = [f"0 {'0' * 40}\t{p}\0".encode() for p in removals]
    if edit.sha is None:
        return records
    if edit.mode == "040000":
        for entry in repo.ls_tree(edit.sha, recursive=True):
            records.append(f"{entry.mode} {entry.sha}\t{prefix}{entry.path}\0".encode())
        return records
    records.append(f"{edit.mode} {edit.sha}\t{edit.path}\0".encode())
    return records


def file_edits(
    repo: GitRepo,
    parent: str | None,
    files: dict[str, bytes | str] | None = None,
    deleted: list[str] | tuple[str, ...] = (),
    renamed: dict[str, str] | None = None,
) -> list[TreeEdit]:
    """Edits for a commit that writes `files`, deletes `deleted` and moves `renamed` old→new."""
    files = dict(files or {})
    edits = [TreeEdit(path) for path in deleted]
    for old, new in (renamed or {}).items():
        found = repo.ls_tree(parent, path=old) if parent else []
        entry = found[0] if found else None
        if entry is None:
            raise ValueError(f"cannot rename {old}: not in {parent}")
        edits.append(TreeEdit(old))
        if new not in files:
            edits.append(TreeEdit(new, entry.mode, entry.sha))
    paths = list(files)
    blobs = [v.encode() if isinstance(v, str) else v for v in files.values()]
    for path, sha in zip(paths, repo.hash_blobs(blobs), strict=True):
        edits.append(TreeEdit(path, "100644", sha))
    return edits


def commit_edits(
    repo: GitRepo,
    branch: str,
    edits: list[TreeEdit],
    message: str,
    author: Person,
    start_point: str | None = None,
) -> str:
    """One commit on `branch` (created from `start_point` when missing); returns its sha."""
    old = repo.branch_sha(branch)
    parent = old or start_point
    base_tree = repo.resolve(parent, "tree") if parent else None
    tree = build_tree(repo, base_tree, edits)
    sha = repo.commit_tree(tree, [parent] if parent else [], message, author, author)
    repo.update_ref(f"refs/heads/{branch}", sha, old or "0" * 40)
    return sha
