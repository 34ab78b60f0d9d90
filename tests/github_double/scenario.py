"""Test-side helpers that set the scene: repositories, forks, PRs, pushes, comments."""

from __future__ import annotations

from typing import Any

from .gitrepo import GitRepo, Person
from .model import Account, PullRequest, Repo, ReviewComment, World
from .pulls import create_pull, emit, set_state, sync_heads
from .render_core import full_repo_json
from .render_objects import comment_json, pull_json
from .routes_issues import add_issue_comment
from .suggestions import apply_block, suggestion_block
from .trees import TreeEdit, commit_edits, file_edits

ROLES = ("admin", "maintain", "write", "triage", "read", "none")


def person(account: Account) -> Person:
    return Person(account.login, f"{account.id}+{account.login}@users.noreply.github.com")


class ScenarioMixin:
    """Mixed into GitHubDouble; everything runs in-process under the state lock."""

    world: World
    root: Any

    def create_repo(self, owner: str, name: str, files: dict[str, bytes | str] | None = None,
                    *, default_branch: str = "main", private: bool = True,
                    owner_type: str = "User", message: str = "Initial commit") -> dict:
        """A bare repository with one commit of `files` on `default_branch`."""
        with self.world.lock:
            account = self.world.account(owner, owner_type)
            path = self.root / "repos" / account.login / f"{name}.git"
            path.parent.mkdir(parents=True, exist_ok=True)
            git = GitRepo.init_bare(path, default_branch)
            repo = Repo(account, name, self.world.next_id(), git, default_branch, private,
                        created_at=self.world.now())
            self.world.repos[repo.full_name.lower()] = repo
            edits = file_edits(git, None, files or {"README.md": f"# {name}\n"})
            commit_edits(git, default_branch, edits, message, person(account))
            return full_repo_json(self.world, repo)

    def fork_repo(self, owner: str, name: str, fork_owner: str, *, owner_type: str = "User",
                  private: bool | None = None) -> dict:
        """A fork (a user's or an organisation's) of owner/name with all its branches;
        private like its parent unless said otherwise."""
        with self.world.lock:
            parent = self.world.repo(owner, name)
            account = self.world.account(fork_owner, owner_type)
            path = self.root / "repos" / account.login / f"{name}.git"
            path.parent.mkdir(parents=True, exist_ok=True)
            git = GitRepo.clone_bare(parent.git, path)
            private = parent.private if private is None else private
            repo = Repo(account, name, self.world.next_id(), git, parent.default_branch,
                        private, parent=parent, created_at=self.world.now())
            self.world.repos[repo.full_name.lower()] = repo
            return full_repo_json(self.world, repo)

    def delete_repo(self, owner: str, name: str) -> None:
        """Delete a repository (a deleted fork leaves its PRs with head.repo null)."""
        with self.world.lock:
            self.world.repo(owner, name).deleted = True

    def push_commit(self, owner: str, name: str, branch: str,
                    files: dict[str, bytes | str] | None = None, *,
                    deleted: list[str] | tuple[str, ...] = (),
                    renamed: dict[str, str] | None = None, message: str = "Update",
                    author: str | None = None, start_point: str | None = None) -> str:
        """One commit on `branch` (new branches start at `start_point` or the default branch);
        open PRs with that head move (synchronize, sender = `author`)."""
        with self.world.lock:
            repo = self.world.repo(owner, name)
            account = self.world.account(author or repo.owner.login)
            parent = repo.git.branch_sha(branch) or repo.git.resolve(
                start_point or repo.default_branch)
            edits = file_edits(repo.git, parent, files, deleted, renamed)
            sha = commit_edits(repo.git, branch, edits, message, person(account), parent)
            sync_heads(self.world, repo, account)
            return sha

    def create_branch(self, owner: str, name: str, branch: str, start_point: str | None = None,
                      ) -> str:
        """A branch at `start_point` (default: the default branch), without a new commit."""
        with self.world.lock:
            repo = self.world.repo(owner, name)
            sha = repo.git.resolve(start_point or repo.default_branch)
            repo.git.update_ref(f"refs/heads/{branch}", sha, "0" * 40)
            return sha

    def open_pull_request(self, owner: str, name: str, head: str, base: str | None = None,
                          files: dict[str, bytes | str] | None = None, *,
                          deleted: list[str] | tuple[str, ...] = (),
                          renamed: dict[str, str] | None = None, draft: bool = False,
                          title: str | None = None, body: str | None = "",
                          user: str | None = None, maintainer_can_modify: bool = False,
                          message: str | None = None) -> dict:
        """Commit the changes on `head` ("branch" or "forkowner:branch"), open the PR."""
        with self.world.lock:
            repo = self.world.repo(owner, name)
            fork_owner, _, branch = head.rpartition(":")
            head_repo = self.world.repo(fork_owner, name) if fork_owner else repo
            base = base or repo.default_branch
            account = self.world.account(user or head_repo.owner.login)
            if files or deleted or renamed:
                self.push_commit(head_repo.owner.login, name, branch, files, deleted=deleted,
                                 renamed=renamed, message=message or title or f"Change {branch}",
                                 author=account.login, start_point=repo.git.branch_sha(base))
            pull = create_pull(self.world, repo, head_repo, branch, base,
                               title=title or f"Update {branch}", body=body, user=account,
                               draft=draft, maintainer_can_modify=maintainer_can_modify)
            return pull_json(self.world, pull)

    def set_pull_state(self, owner: str, name: str, number: int, state: str) -> dict:
        with self.world.lock:
            pull = self.world.pull(self.world.repo(owner, name), number)
            set_state(self.world, pull, state, pull.user)
            return pull_json(self.world, pull)

    def set_draft(self, owner: str, name: str, number: int, draft: bool) -> dict:
        """Mark ready for review / convert to draft (GitHub does it in the UI or GraphQL)."""
        with self.world.lock:
            pull = self.world.pull(self.world.repo(owner, name), number)
            if pull.draft != draft:
                pull.draft = draft
                action = "converted_to_draft" if draft else "ready_for_review"
                emit(self.world, "pull_request", action, pull, pull.user)
            return pull_json(self.world, pull)

    def add_comment(self, owner: str, name: str, number: int, body: str, *,
                    user: str = "alice", association: str | None = None) -> dict:
        """A PR conversation comment written by `user` (association defaults from the repo)."""
        with self.world.lock:
            repo = self.world.repo(owner, name)
            account = self.world.account(user)
            association = association or self.world.association(repo, account)
            comment = add_issue_comment(self.world, repo, number, account, body, association,
                                        via_app=False)
            return comment_json(self.world, comment)

    def set_permission(self, owner: str, name: str, user: str, role: str) -> None:
        """A collaborator role: admin, maintain, write, triage, read or none."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        with self.world.lock:
            self.world.account(user)
            self.world.repo(owner, name).collaborators[user.lower()] = role

    def apply_suggestion(self, review_comment: dict | int, *, user: str | None = None) -> str:
        return self.apply_suggestions([review_comment], user=user)

    def apply_suggestions(self, review_comments: list[dict | int], *, user: str | None = None,
                          message: str | None = None) -> str:
        """Apply suggestion blocks as GitHub's batch apply does: one commit on the PR head."""
        with self.world.lock:
            comments = [self._review_comment(c) for c in review_comments]
            pull = comments[0].review.pull
            edits = _suggestion_edits(pull, comments)
            account = self.world.account(user or pull.user.login)
            title = message or ("Apply suggestions from code review" if len(comments) > 1
                                else f"Update {comments[0].path}")
            trailer = f"\n\nCo-authored-by: {comments[0].review.user.login} <" \
                      f"{person(comments[0].review.user).email}>\n"
            sha = commit_edits(pull.head_repo.git, pull.head_ref, edits, title + trailer,
                               person(account))
            for comment in comments:
                comment.applied = True
            sync_heads(self.world, pull.head_repo, account)
            return sha

    def _review_comment(self, ref: dict | int) -> ReviewComment:
        comment_id = ref["id"] if isinstance(ref, dict) else ref
        return self.world.review_comments[int(comment_id)]


def _suggestion_edits(pull: PullRequest, comments: list[ReviewComment]) -> list[TreeEdit]:
    """New blobs for every file the suggestions touch (applied bottom-up per file)."""
    git = pull.head_repo.git
    texts: dict[str, str] = {}
    for comment in sorted(comments, key=lambda c: -(c.line or 0)):
        block = suggestion_block(comment.body)
        if block is None or comment.outdated or comment.side != "RIGHT" or comment.applied:
            raise ValueError(f"review comment {comment.id} has no applicable suggestion")
        if comment.path not in texts:
            blob = git.blob_at(pull.head_sha, comment.path)
            texts[comment.path] = git.read_blob(blob).decode()
        first = comment.start_line or comment.line
        texts[comment.path] = apply_block(texts[comment.path], first, comment.line, block)
    paths = list(texts)
    shas = git.hash_blobs([texts[p].encode() for p in paths])
    return [TreeEdit(p, "100644", s) for p, s in zip(paths, shas, strict=True)]
