"""Pull request life cycle shared by the REST routes and the test-side helpers."""

from __future__ import annotations

from .errors import check_body_length, custom_error, invalid_field
from .model import Account, Event, PullRequest, Repo, World
from .webhooks import build_payload


def emit(world: World, event: str, action: str, obj, sender: Account, **extra) -> None:
    """Queue the webhook GitHub would send (delivered by GitHubDouble.deliver_events)."""
    payload = build_payload(world, event, action, obj, sender=sender, **extra)
    world.events.append(Event(event, action, payload))


def check_openable(world: World, repo: Repo, head_repo: Repo, head_ref: str,
                   base_ref: str) -> str:
    """The head sha of a PR that may be opened, else GitHub's 422."""
    base_sha = repo.git.branch_sha(base_ref)
    if base_sha is None:
        raise invalid_field("PullRequest", "base")
    head_sha = head_repo.git.branch_sha(head_ref)
    if head_sha is None:
        raise invalid_field("PullRequest", "head")
    label = f"{head_repo.owner.login}:{head_ref}"
    for pull in world.pulls:
        same = pull.head_repo is head_repo and pull.head_ref == head_ref
        if pull.repo is repo and pull.state == "open" and same and pull.base_ref == base_ref:
            raise custom_error("PullRequest", f"A pull request already exists for {label}.")
    _import_head(repo, head_repo, head_ref)
    if repo.git.is_ancestor(head_sha, base_sha):
        raise custom_error("PullRequest", f"No commits between {base_ref} and {label}")
    return head_sha


def create_pull(world: World, repo: Repo, head_repo: Repo, head_ref: str, base_ref: str, *,
                title: str, body: str | None, user: Account, draft: bool = False,
                maintainer_can_modify: bool = False) -> PullRequest:
    check_body_length("PullRequest", body)
    head_sha = check_openable(world, repo, head_repo, head_ref, base_ref)
    now = world.now()
    pull = PullRequest(
        repo=repo, number=repo.next_number, id=world.next_id(), head_repo=head_repo,
        head_ref=head_ref, head_sha=head_sha, base_ref=base_ref, title=title, body=body,
        user=user, created_at=now, updated_at=now, draft=draft,
        maintainer_can_modify=maintainer_can_modify and head_repo is not repo,
    )
    repo.next_number += 1
    _publish_head(pull)
    world.pulls.append(pull)
    emit(world, "pull_request", "opened", pull, user)
    return pull


def _import_head(repo: Repo, head_repo: Repo, head_ref: str) -> None:
    """Copy a fork's commits into the base repository (GitHub shares storage in a network)."""
    if head_repo is not repo:
        repo.git.fetch_ref(head_repo.git, f"refs/heads/{head_ref}", "refs/double/incoming")
        repo.git.delete_ref("refs/double/incoming")


def _publish_head(pull: PullRequest) -> None:
    """refs/pull/<n>/head in the base repository, as GitHub keeps it."""
    pull.repo.git.update_ref(f"refs/pull/{pull.number}/head", pull.head_sha)


def sync_heads(world: World, pushed: Repo, pusher: Account) -> None:
    """After a push to `pushed`, move the heads of its open PRs (synchronize)."""
    for pull in world.pull_by_head(pushed):
        new = pushed.git.branch_sha(pull.head_ref)
        if new is not None and new != pull.head_sha:
            _import_head(pull.repo, pushed, pull.head_ref)
            move_head(world, pull, new, pusher)


def move_head(world: World, pull: PullRequest, new: str, pusher: Account) -> None:
    before = pull.head_sha
    pull.head_sha = new
    pull.updated_at = world.now()
    _publish_head(pull)
    mark_outdated(world, pull)
    emit(world, "pull_request", "synchronize", pull, pusher, before=before, after=new)


def mark_outdated(world: World, pull: PullRequest) -> None:
    """A review comment goes outdated when its file changed since the comment's commit."""
    git = pull.repo.git
    for comment in world.review_comments.values():
        if comment.review.pull is not pull or comment.outdated:
            continue
        if git.blob_at(comment.commit_id, comment.path) == git.blob_at(pull.head_sha,
                                                                        comment.path):
            comment.commit_id = pull.head_sha
        else:
            comment.outdated = True


def set_state(world: World, pull: PullRequest, state: str, sender: Account) -> None:
    """Close or reopen (reopening follows the rules of opening)."""
    if state == pull.state:
        return
    if state == "open":
        check_openable(world, pull.repo, pull.head_repo, pull.head_ref, pull.base_ref)
    pull.state = state
    pull.updated_at = world.now()
    pull.closed_at = pull.updated_at if state == "closed" else None
    emit(world, "pull_request", "closed" if state == "closed" else "reopened", pull, sender)
