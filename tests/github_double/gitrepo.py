"""A real bare git repository driven with git plumbing (no porcelain, no working tree)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

ZERO_SHA = "0" * 40

PRE_RECEIVE_HOOK = r"""#!/bin/sh
# Installed by the GitHub double: refuses what GitHub refuses on push.
zero=0000000000000000000000000000000000000000
status=0
while read old new ref; do
  if [ -n "$DOUBLE_ALLOWED_REFS" ] && [ "$DOUBLE_ALLOWED_REFS" != "*" ]; then
    case " $DOUBLE_ALLOWED_REFS " in
      *" $ref "*) ;;
      *) echo "Permission to push to $ref denied." >&2; status=1; continue ;;
    esac
  fi
  [ "$new" = "$zero" ] && continue
  [ "$DOUBLE_WORKFLOWS" = "1" ] && continue
  if [ "$old" = "$zero" ]; then
    wf=$(git log --format= --name-only -m "$new" --not --all -- .github/workflows | head -n1)
  else
    wf=$(git diff --name-only "$old" "$new" -- .github/workflows | head -n1)
  fi
  if [ -n "$wf" ]; then
    echo "refusing to allow a GitHub App to create or update workflow \`$wf\` without \`workflows\` permission" >&2
    status=1
  fi
done
exit $status
"""


class GitError(RuntimeError):
    """A git command failed."""


@dataclass(frozen=True)
class TreeEntry:
    mode: str
    type: str
    sha: str
    size: int | None
    path: str


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    tree: str
    parents: tuple[str, ...]
    author: tuple[str, str, str]  # name, email, git date "<epoch> <tz>"
    committer: tuple[str, str, str]
    message: str


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    date: str | None = None  # anything `git` accepts; None = now


class GitRepo:
    """One bare repository on disk."""

    def __init__(self, path: Path | str):
        self.path = Path(path)

    @classmethod
    def init_bare(cls, path: Path, default_branch: str) -> GitRepo:
        subprocess.run(
            ["git", "init", "--bare", "-q", "-b", default_branch, str(path)],
            check=True,
            capture_output=True,
        )
        repo = cls(path)
        repo.configure()
        return repo

    @classmethod
    def clone_bare(cls, source: GitRepo, path: Path) -> GitRepo:
        subprocess.run(
            ["git", "clone", "--bare", "-q", str(source.path), str(path)],
            check=True,
            capture_output=True,
        )
        repo = cls(path)
        repo.configure()
        return repo

    def configure(self) -> None:
        for key, value in (
            ("uploadpack.allowFilter", "true"),
            ("uploadpack.allowAnySHA1InWant", "true"),
            ("http.receivepack", "true"),
            ("gc.auto", "0"),
        ):
            self.run("config", key, value)
        hook = self.path / "hooks" / "pre-receive"
        hook.write_text(PRE_RECEIVE_HOOK)
        hook.chmod(0o755)

    def run(
        self, *args: str, input: bytes | None = None, env: dict[str, str] | None = None
    ) -> bytes:
        full_env = {**os.environ, "GIT_DIR": str(self.path), **(env or {})}
        proc = subprocess.run(
            ["git", *args], input=input, env=full_env, capture_output=True, check=False
        )
        if proc.returncode != 0:
            raise GitError(f"git {' '.join(args)}: {proc.stderr.decode(errors='replace')}")
        return proc.stdout

    def text(self, *args: str, **kw) -> str:
        return self.run(*args, **kw).decode().strip()

    # --- objects and refs -------------------------------------------------

    def resolve(self, rev: str, kind: str = "commit") -> str | None:
        """The sha `rev` names (peeled to `kind`), or None."""
        try:
            return self.text("rev-parse", "--verify", "-q", f"{rev}^{{{kind}}}")
        except GitError:
            return None

    def object_type(self, sha: str) -> str | None:
        try:
            return self.text("cat-file", "-t", sha)
        except GitError:
            return None

    def branch_sha(self, branch: str) -> str | None:
        return self.resolve(f"refs/heads/{branch}")

    def refs(self, prefix: str = "refs/") -> dict[str, str]:
        out = self.text("for-each-ref", "--format=%(refname) %(objectname)", prefix)
        return dict(line.split(" ", 1) for line in out.splitlines() if line)

    def update_ref(self, ref: str, new: str, old: str | None = None) -> None:
        self.run("update-ref", ref, new, *([old] if old else []))

    def delete_ref(self, ref: str) -> None:
        self.run("update-ref", "-d", ref)

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        try:
            self.run("merge-base", "--is-ancestor", ancestor, descendant)
        except GitError:
            return False
        return True

    def merge_base(self, a: str, b: str) -> str | None:
        try:
            return self.text("merge-base", a, b) or None
        except GitError:
            return None

    def count_commits(self, since: str | None, until: str) -> int:
        rng = f"{since}..{until}" if since else until
        return int(self.text("rev-list", "--count", rng))

    def fetch_ref(self, source: GitRepo, src_ref: str, dst_ref: str) -> None:
        self.run("fetch", "-q", "--no-tags", str(source.path), f"+{src_ref}:{dst_ref}")

    def hash_blobs(self, contents: list[bytes]) -> list[str]:
        """Write many blobs with one `git fast-import` (one pack instead of N processes)."""
        if not contents:
            return []
        stream = b"".join(b"blob\nmark :%d\ndata %d\n%s\n" % (i + 1, len(data), data)
                          for i, data in enumerate(contents))
        with tempfile.TemporaryDirectory() as tmp:
            marks = Path(tmp, "marks")
            self.run("fast-import", "--quiet", f"--export-marks={marks}", input=stream)
            shas = dict(line.split() for line in marks.read_text().splitlines())
        return [shas[f":{i + 1}"] for i in range(len(contents))]

    def read_blob(self, sha: str) -> bytes:
        return self.run("cat-file", "blob", sha)

    def blob_at(self, rev: str, path: str) -> str | None:
        """The blob at `path` in `rev` (no peeling: "^{}" would join the path)."""
        try:
            sha = self.text("rev-parse", "--verify", "-q", f"{rev}:{path}")
        except GitError:
            return None
        return sha if self.object_type(sha) == "blob" else None

    def ls_tree(self, treeish: str, recursive: bool = False, path: str = "") -> list[TreeEntry]:
        args = ["ls-tree", "-z", "-l", *(["-r"] if recursive else []), treeish]
        out = self.run(*args, *(["--", path] if path else []))
        entries = []
        for record in out.decode().split("\0"):
            if record:
                meta, name = record.split("\t", 1)
                mode, kind, sha, size = meta.split()
                entries.append(TreeEntry(mode, kind, sha, None if size == "-" else int(size), name))
        return entries

    def commit_info(self, sha: str) -> CommitInfo:
        raw = self.run("cat-file", "commit", sha).decode(errors="replace")
        header, _, message = raw.partition("\n\n")
        fields: dict[str, list[str]] = {}
        for line in header.splitlines():
            key, _, value = line.partition(" ")
            fields.setdefault(key, []).append(value)
        return CommitInfo(
            sha=sha,
            tree=fields["tree"][0],
            parents=tuple(fields.get("parent", [])),
            author=_parse_person(fields["author"][0]),
            committer=_parse_person(fields["committer"][0]),
            message=message,
        )

    def commit_tree(
        self, tree: str, parents: list[str], message: str, author: Person, committer: Person
    ) -> str:
        env = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_COMMITTER_NAME": committer.name,
            "GIT_COMMITTER_EMAIL": committer.email,
        }
        if author.date:
            env["GIT_AUTHOR_DATE"] = author.date
        if committer.date:
            env["GIT_COMMITTER_DATE"] = committer.date
        args = ["commit-tree", tree, *[a for p in parents for a in ("-p", p)], "-F", "-"]
        return self.text(*args, input=message.encode(), env=env)


def _parse_person(value: str) -> tuple[str, str, str]:
    name, _, rest = value.partition(" <")
    email, _, date = rest.partition("> ")
    return name, email, date
