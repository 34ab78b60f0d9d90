"""The one module that talks to git: diffs, listings, blob reads and companion-branch commits."""

from __future__ import annotations

import hashlib
import os
import tempfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import git
from gitdb import GitDB

from bot.engine.changes import Change
from bot.errors import GitError, InputError
from bot.repo.git_output import file_blobs, listing_paths, parse_name_status
from bot.repo.tree_objects import TreeEntry, rewrite_tree

# `ls-files --stage -z` and `ls-tree -r -z` records: "<mode> <two fields>\t<path>\0"


EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # the tree of no files, before a first commit


class GitRepo:
    """A local git repository, addressed through the git command line (GitPython)."""

    def __init__(self, path: str | os.PathLike[str]):
        try:
            self._repo = git.Repo(path, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise InputError(f"not a git repository: {path}") from None
        if self._repo.bare:
            raise InputError(f"{path} is a bare repository; docbot needs a work tree")
        self.root = Path(self._repo.working_tree_dir).resolve()
        self._git = self._repo.git
        self._untracked: list[str] | None = None

    def _run(self, *args: str, **kwargs) -> str:
        try:
            return self._git.execute(["git", *args], strip_newline_in_stdout=False, **kwargs)
        except git.GitCommandError as exc:
            detail = (exc.stderr or "").strip().splitlines()
            raise GitError(f"git {args[0]} failed: {detail[-1] if detail else exc.status}") from None

    def rev_parse(self, rev: str) -> str:
        """The commit sha a revision names; InputError when it does not exist."""
        try:
            return self._run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}").strip()
        except GitError:
            raise InputError(f"unknown revision: {rev}") from None

    def merge_base(self, a: str, b: str) -> str:
        return self._run("merge-base", self.rev_parse(a), self.rev_parse(b)).strip()

    def has_commits(self) -> bool:
        try:
            self._run("rev-parse", "--verify", "--quiet", "HEAD")
            return True
        except GitError:
            return False

    def changes(self, base: str, head: str | None = None) -> list[Change]:
        """Paths changed from `base` to `head` (a commit) or to the work tree, untracked files included."""
        args = ["diff", "--name-status", "-z", "-M", "--no-ext-diff", "--no-textconv", self.rev_parse(base)]
        if head is not None:
            args.append(self.rev_parse(head))
        result = parse_name_status(self._run(*args, "--"))
        if head is None:
            result += [Change("A", p) for p in self.untracked_files()]
        return sorted(result, key=lambda c: (c.path, c.status))

    def staged_changes(self) -> list[Change]:
        """Paths the index changes from HEAD (from nothing before the first commit): what a commit would hold."""
        base = self.rev_parse("HEAD") if self.has_commits() else EMPTY_TREE
        out = self._run("diff", "--cached", "--name-status", "-z", "-M", "--no-ext-diff", "--no-textconv", base, "--")
        return sorted(parse_name_status(out), key=lambda c: (c.path, c.status))

    def diff(self, old: str, new: str, paths: Iterable[str] = ()) -> str:
        """A patch `git apply` takes (of these paths only, when given); a cache fetches missing blobs."""
        return self._run("--literal-pathspecs", "diff", "--no-color", "--no-ext-diff", "--no-renames",
                         "--no-textconv", old, new, "--", *paths)

    def listing(
        self, rev: str | None = None, prune: Callable[[list[str]], list[str]] | None = None
    ) -> tuple[list[str], set[str]]:
        """Files git tracks (in the index, or at `rev`) and which of them are symbolic links (mode 120000).

        `prune` takes paths out (the mirror's own pages, several for every source) before anyone
        else has to look at them.
        """
        if rev is None:
            out = self._run("ls-files", "-z", "--stage")  # "<mode> <sha> <stage>\t<path>"
        else:
            out = self._run("ls-tree", "-r", "-z", "--full-tree", self.rev_parse(rev))  # "<mode> <type> <sha>\t<path>"
        paths, links = listing_paths(out)
        return (prune(paths) if prune else paths), links

    def index_state(self) -> tuple[str, Callable[[], dict[str, str]], set[str]]:
        """A digest of the whole index listing; its regular files with their blob ids (parsed when asked;
        links and submodules left out); the paths the work tree changed since (modified, deleted)."""
        out = self._run("ls-files", "-z", "--stage")
        changed = {p for p in self._run("ls-files", "-z", "--modified").split("\0") if p}
        return hashlib.sha1(out.encode("utf-8", "surrogateescape")).hexdigest(), lambda: file_blobs(out), changed

    def tracked_files(self, rev: str | None = None) -> list[str]:
        """Every file git tracks, in the index (work tree) or at a revision."""
        return sorted(self.listing(rev)[0])

    def worktree_files(
        self, gone: set[str] | None = None, prune: Callable[[list[str]], list[str]] | None = None
    ) -> tuple[list[str], set[str]]:
        """Files as the work tree has them (tracked minus deleted, plus untracked), and the symbolic links.

        `gone`: deletions the caller already knows from a diff against the work tree, which
        saves git a second pass over every tracked file.
        """
        tracked, links = self.listing(prune=prune)
        if gone is None:
            gone = {p for p in self._run("ls-files", "-z", "--deleted").split("\0") if p}
        return sorted((set(tracked) - gone) | set(self.untracked_files())), links

    def untracked_files(self) -> list[str]:
        """Files git does not track and does not ignore; the walk is done once per GitRepo."""
        if self._untracked is None:
            out = self._run("ls-files", "-z", "--others", "--exclude-standard")
            self._untracked = [p for p in out.split("\0") if p]
        return self._untracked

    def project_name(self) -> str:
        """The name a run uses when the config names none: the `origin` remote's repository name (what the App
        sees), else the folder's, so that pages are the same in every clone."""
        try:
            url = self._run("config", "--get", "remote.origin.url").strip().rstrip("/")
        except GitError:
            url = ""
        name = url.rpartition("/")[2].rpartition(":")[2].removesuffix(".git") if url else ""
        return name or self.root.name

    @property
    def git_dir(self) -> Path:
        return Path(self._repo.git_dir)

    def modes(self, rev: str, paths: Iterable[str]) -> dict[str, str]:
        """The mode (`100644`, `120000`, ...) of each of `paths` at `rev`; paths absent there are left out."""
        paths = sorted(paths)
        if not paths:
            return {}
        out = self._run("--literal-pathspecs", "ls-tree", "-z", "--full-tree", self.rev_parse(rev), "--", *paths)
        found = {}
        for entry in out.split("\0"):
            meta, _, path = entry.partition("\t")
            if path:
                found[path] = meta.split(" ", 1)[0]
        return found

    def read_blob(self, rev: str, path: str) -> bytes | None:
        """The bytes of `path` at `rev`, or None when it is absent there."""
        try:
            _, kind, _, stream = self._git.stream_object_data(f"{rev}:{path}")
        except (git.GitCommandError, ValueError):
            return None
        data = stream.read()
        return data if kind == b"blob" or kind == "blob" else None

    def build_tree(self, parent: str, writes: Mapping[str, bytes], deletes: Iterable[str]) -> str:
        """The tree of `parent` with these files written and deleted: only the trees on their paths are
        rewritten (cost follows the change, not the repository), and no other blob is read."""
        blobs = {path: self.store_blob(data) for path, data in writes.items()}
        return rewrite_tree(self.tree_of(parent), blobs, deletes, self._read_object, self._write_object)

    def store_blob(self, data: bytes) -> str:
        """Write `data` into the object database as a blob and return its sha."""
        return self._write_object("blob", data)

    def _read_object(self, oid: str) -> bytes:
        return self._repo.odb.stream(bytes.fromhex(oid)).read()

    def _write_object(self, kind: str, data: bytes) -> str:
        """Store a loose object the way git does (zlib of `<kind> <size>\\0<data>`, named by its sha1).

        Written here rather than through GitPython's streaming writer, which takes three times as
        long for the root's sub.md (megabytes in a large repository).
        """
        raw = b"%s %d\0%s" % (kind.encode(), len(data), data)
        oid = hashlib.sha1(raw).hexdigest()
        folder = os.path.join(self._repo.common_dir, "objects", oid[:2])
        target = os.path.join(folder, oid[2:])
        if not os.path.exists(target):
            os.makedirs(folder, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=folder, prefix="tmp_obj_")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(zlib.compress(raw, 1))
                os.chmod(tmp, 0o444)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return oid

    def commit_tree(self, tree: str, parent: str, message: str) -> str:
        return self._run("commit-tree", tree, "-p", self.rev_parse(parent), "-m", message).strip()

    def tree_of(self, rev: str) -> str:
        return self._run("rev-parse", f"{self.rev_parse(rev)}^{{tree}}").strip()

    def parents_of(self, rev: str) -> list[str]:
        return self._run("rev-list", "--parents", "-n", "1", self.rev_parse(rev)).split()[1:]

    def branch_sha(self, branch: str) -> str | None:
        try:
            return self._run("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}").strip() or None
        except GitError:
            return None

    def set_branch(self, branch: str, sha: str) -> None:
        self._run("check-ref-format", "--branch", branch)
        self._run("update-ref", f"refs/heads/{branch}", sha)

    def delete_branch(self, branch: str) -> None:
        if self.branch_sha(branch):
            self._run("update-ref", "-d", f"refs/heads/{branch}")


class BareRepo(GitRepo):
    """A bare blobless cache of a remote repository; `env` (auth header, committer) never reaches a file."""

    def __init__(self, path: str | os.PathLike[str], env: Mapping[str, str] | None = None):
        path = Path(path)
        try:
            self._repo = git.Repo.init(path, bare=True, mkdir=True) if not (path / "HEAD").exists() else git.Repo(path)
        except (git.GitCommandError, git.InvalidGitRepositoryError, OSError) as exc:
            raise GitError(f"cannot open the git cache {path}: {type(exc).__name__}") from None
        self.root = path.resolve()
        self._git = self._repo.git
        self._git.update_environment(**dict(env or {}))
        self._commits: set[str] = set()  # ids known to name commits here: no git process to check them

    def rev_parse(self, rev: str) -> str:
        if rev not in self._commits:
            self._commits.add(rev := super().rev_parse(rev))
        return rev

    def refs(self, *patterns: str) -> dict[str, str]:
        """Local refs matching these patterns, with their commit ids, from one git process."""
        out = self._run("for-each-ref", "--format=%(refname) %(objectname)", *patterns)
        found = dict(line.split(" ") for line in out.splitlines())
        self._commits.update(found.values())
        return found

    def _header(self, rev: str) -> list[str]:
        return self._read_object(self.rev_parse(rev)).split(b"\n\n", 1)[0].decode().splitlines()

    def commit_message(self, rev: str) -> str:  # read from the commit object: no git process
        return self._read_object(self.rev_parse(rev)).partition(b"\n\n")[2].decode(errors="replace")


    def tree_of(self, rev: str) -> str:  # read from the commit object: no git process
        return self._header(rev)[0].removeprefix("tree ")

    def parents_of(self, rev: str) -> list[str]:
        return [line.removeprefix("parent ") for line in self._header(rev) if line.startswith("parent ")]

    def close(self) -> None:  # stops the cat-file processes GitPython keeps
        self._repo.close()

    def set_origin(self, url: str) -> None:
        """Point `origin` at url (no credentials in it) as the promisor of the blobs we skip."""
        with self._repo.config_writer() as config:
            for key, value in (("url", url), ("promisor", "true"), ("partialclonefilter", "blob:none")):
                config.set_value('remote "origin"', key, value)

    def fetch(self, refspecs: Iterable[str]) -> None:
        """One blobless fetch of exactly these refspecs from origin."""
        self._run("fetch", "--quiet", "--filter=blob:none", "--no-tags", "--no-write-fetch-head",
                  "--prune", "--recurse-submodules=no", "origin", *refspecs)

    def fetch_objects(self, oids: Iterable[str]) -> int:
        """Fetch those of these objects that are missing, in one round trip; returns how many."""
        store = GitDB(str(self.root / "objects"))  # reads the object store: git itself would fetch
        wanted = sorted({o for o in oids if not store.has_object(bytes.fromhex(o))})
        if wanted:
            with tempfile.TemporaryFile() as stdin:
                stdin.write("".join(o + "\n" for o in wanted).encode())
                stdin.seek(0)  # what git's own lazy fetch runs, for many objects at once instead of one
                self._run("-c", "fetch.negotiationAlgorithm=noop", "fetch", "--quiet", "--no-tags",
                          "--no-write-fetch-head", "--filter=blob:none", "--stdin", "origin", istream=stdin)
        return len(wanted)

    def tree_entries(self, rev: str) -> dict[str, TreeEntry]:
        """Every file at a commit with its mode and blob id, from one ls-tree (no blob read)."""
        records = self._run("ls-tree", "-r", "-z", "--full-tree", self.rev_parse(rev)).split("\0")
        parts = (record.partition("\t") for record in records)
        return {path: TreeEntry(meta[:6], meta[meta.rindex(" ") + 1 :]) for meta, _, path in parts if path}

    def tree_delta(self, base: str, head: str) -> dict[str, TreeEntry | None]:
        """Files that differ between two commits (a rename is a delete and an add): entry at head or None."""
        fields = self._run("diff-tree", "-r", "-z", "--no-renames", base, head).split("\0")
        metas = zip((meta.split() for meta in fields[0::2]), fields[1::2], strict=False)  # a trailing "" is left over
        return {path: None if m[1] == "000000" else TreeEntry(m[1], m[3]) for m, path in metas}

    def read_object(self, oid: str) -> bytes:
        """The content of a blob (fetched from origin by git when it is still missing)."""
        return self._git.get_object_data(oid)[3]

    def push(self, src: str | None, ref: str, expected: str | None, url: str = "origin") -> None:
        """Set (src) or delete (None) a ref of origin (or of `url`), only if it still is `expected` (None: absent)."""
        lease = f"--force-with-lease={ref}:{expected or ''}"
        self._run("push", "--quiet", "--no-verify", lease, url, f"{src or ''}:{ref}")

