"""JSON shapes of pull requests, issue comments, reactions, reviews and check runs."""

from __future__ import annotations

from typing import Any

from .diffs import FileDiff, pull_diff
from .model import CheckRun, IssueComment, PullRequest, Reaction, Review, ReviewComment, World, iso
from .render_core import app_json, node_id, repo_api, repo_json, user_json

REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")


def base_sha(pull: PullRequest) -> str:
    return pull.repo.git.branch_sha(pull.base_ref) or pull.head_sha


def pull_files(pull: PullRequest, commit: str | None = None) -> list[FileDiff]:
    return pull_diff(pull.repo.git, base_sha(pull), commit or pull.head_sha)


def _ts(value: float | None) -> str | None:
    return None if value is None else iso(value)


def _link(href: str) -> dict[str, str]:
    return {"href": href}


def pull_json(world: World, pull: PullRequest) -> dict[str, Any]:
    """pull-request."""
    data: dict[str, Any] = {
        **_pull_urls(world, pull), "id": pull.id, "node_id": node_id("PullRequest", pull.id),
        "number": pull.number, "state": pull.state, "locked": False, "title": pull.title,
        "user": user_json(world, pull.user), "body": pull.body, "labels": [],
        "milestone": None, "active_lock_reason": None,
        "created_at": iso(pull.created_at), "updated_at": iso(pull.updated_at),
        "closed_at": _ts(pull.closed_at), "merged_at": None, "merge_commit_sha": None,
        "assignee": None, "assignees": [], "requested_reviewers": [], "requested_teams": [],
        "head": _branch_json(world, pull, head=True),
        "base": _branch_json(world, pull, head=False),
        "author_association": world.association(pull.repo, pull.user),
        "auto_merge": None, "draft": pull.draft, "merged": pull.merged,
        "mergeable": True, "rebaseable": True, "mergeable_state": "clean", "merged_by": None,
        "comments": sum(1 for c in world.comments.values()
                        if c.repo is pull.repo and c.number == pull.number),
        "review_comments": sum(1 for c in world.review_comments.values()
                               if c.review.pull is pull),
        "maintainer_can_modify": pull.maintainer_can_modify,
        **_diff_stats(pull),
    }
    links = {"self": "url", "html": "html_url", "issue": "issue_url", "comments": "comments_url",
             "review_comments": "review_comments_url", "review_comment": "review_comment_url",
             "commits": "commits_url", "statuses": "statuses_url"}
    data["_links"] = {name: _link(data[key]) for name, key in links.items()}
    return data


def _pull_urls(world: World, pull: PullRequest) -> dict[str, str]:
    repo = repo_api(world, pull.repo)
    api, issue = f"{repo}/pulls/{pull.number}", f"{repo}/issues/{pull.number}"
    html = f"{world.web_url}/{pull.repo.full_name}/pull/{pull.number}"
    return {
        "url": api, "html_url": html, "diff_url": f"{html}.diff", "patch_url": f"{html}.patch",
        "issue_url": issue, "commits_url": f"{api}/commits",
        "review_comments_url": f"{api}/comments",
        "review_comment_url": f"{repo}/pulls/comments{{/number}}",
        "comments_url": f"{issue}/comments", "statuses_url": f"{repo}/statuses/{pull.head_sha}",
    }


def _diff_stats(pull: PullRequest) -> dict[str, int]:
    files = pull_files(pull)
    merge_base = pull.repo.git.merge_base(base_sha(pull), pull.head_sha)
    return {
        "commits": pull.repo.git.count_commits(merge_base, pull.head_sha),
        "additions": sum(f.additions for f in files),
        "deletions": sum(f.deletions for f in files),
        "changed_files": len(files),
    }


def _branch_json(world: World, pull: PullRequest, head: bool) -> dict[str, Any]:
    repo = pull.head_repo if head else pull.repo
    ref = pull.head_ref if head else pull.base_ref
    return {
        "label": f"{repo.owner.login}:{ref}",
        "ref": ref,
        "sha": pull.head_sha if head else base_sha(pull),
        "user": user_json(world, repo.owner),
        # A deleted fork leaves head.repo null (the schema patch in openapi.py allows it).
        "repo": None if repo.deleted else repo_json(world, repo),
    }


def pull_minimal_json(world: World, pull: PullRequest) -> dict[str, Any]:
    """pull-request-minimal, as listed in check_run.pull_requests."""
    def side(repo, ref, sha):
        return {"ref": ref, "sha": sha,
                "repo": {"id": repo.id, "url": repo_api(world, repo), "name": repo.name}}
    return {
        "id": pull.id, "number": pull.number,
        "url": f"{repo_api(world, pull.repo)}/pulls/{pull.number}",
        "head": side(pull.head_repo, pull.head_ref, pull.head_sha),
        "base": side(pull.repo, pull.base_ref, base_sha(pull)),
    }


def issue_json(world: World, pull: PullRequest) -> dict[str, Any]:
    """The issue side of a PR (the `issue` of issue_comment webhooks)."""
    data = pull_json(world, pull)
    keep = ("url", "html_url", "number", "state", "locked", "title", "user", "body", "labels",
            "milestone", "assignee", "assignees", "created_at", "updated_at", "closed_at",
            "author_association", "active_lock_reason", "draft", "comments")
    issue = {key: data[key] for key in keep}
    issue.update(
        url=data["issue_url"], id=pull.id, node_id=node_id("Issue", pull.id),
        repository_url=repo_api(world, pull.repo),
        labels_url=f"{data['issue_url']}/labels{{/name}}",
        comments_url=data["comments_url"], events_url=f"{data['issue_url']}/events",
        pull_request={"url": data["url"], "html_url": data["html_url"],
                      "diff_url": data["diff_url"], "patch_url": data["patch_url"],
                      "merged_at": None},
    )
    return issue


def comment_json(world: World, comment: IssueComment) -> dict[str, Any]:
    """issue-comment."""
    api = f"{repo_api(world, comment.repo)}/issues"
    html = f"{world.web_url}/{comment.repo.full_name}/pull/{comment.number}"
    return {
        "id": comment.id, "node_id": node_id("IssueComment", comment.id),
        "url": f"{api}/comments/{comment.id}", "body": comment.body,
        "html_url": f"{html}#issuecomment-{comment.id}",
        "user": user_json(world, comment.user),
        "created_at": iso(comment.created_at), "updated_at": iso(comment.updated_at),
        "issue_url": f"{api}/{comment.number}",
        "author_association": comment.author_association,
        "performed_via_github_app": app_json(world, world.app) if comment.via_app else None,
        "reactions": _rollup(world, comment),
    }


def _rollup(world: World, comment: IssueComment) -> dict[str, Any]:
    mine = [r.content for r in world.reactions if r.comment_id == comment.id]
    counts: dict[str, Any] = {name: mine.count(name) for name in REACTIONS}
    url = f"{repo_api(world, comment.repo)}/issues/comments/{comment.id}/reactions"
    return {"url": url, "total_count": len(mine), **counts}


def reaction_json(world: World, reaction: Reaction) -> dict[str, Any]:
    return {
        "id": reaction.id, "node_id": node_id("Reaction", reaction.id),
        "user": user_json(world, reaction.user), "content": reaction.content,
        "created_at": iso(reaction.created_at),
    }


def review_json(world: World, review: Review) -> dict[str, Any]:
    """pull-request-review."""
    pull_url = f"{repo_api(world, review.pull.repo)}/pulls/{review.pull.number}"
    html = (f"{world.web_url}/{review.pull.repo.full_name}/pull/{review.pull.number}"
            f"#pullrequestreview-{review.id}")
    data = {
        "id": review.id, "node_id": node_id("PullRequestReview", review.id),
        "user": user_json(world, review.user), "body": review.body, "state": review.state,
        "html_url": html, "pull_request_url": pull_url,
        "_links": {"html": _link(html), "pull_request": _link(pull_url)},
        "commit_id": review.commit_id, "author_association": review.author_association,
    }
    if review.submitted_at is not None:
        data["submitted_at"] = iso(review.submitted_at)
    return data


def review_comment_json(world: World, comment: ReviewComment) -> dict[str, Any]:
    """pull-request-review-comment (outdated comments lose line and position)."""
    pull = comment.review.pull
    api = f"{repo_api(world, pull.repo)}/pulls"
    html = f"{world.web_url}/{pull.repo.full_name}/pull/{pull.number}#discussion_r{comment.id}"
    current = not comment.outdated
    return {
        "id": comment.id, "node_id": node_id("PullRequestReviewComment", comment.id),
        "url": f"{api}/comments/{comment.id}", "pull_request_review_id": comment.review.id,
        "diff_hunk": comment.diff_hunk, "path": comment.path,
        "position": comment.position if current else None,
        "original_position": comment.position,
        "commit_id": comment.commit_id, "original_commit_id": comment.original_commit_id,
        "user": user_json(world, comment.review.user), "body": comment.body,
        "created_at": iso(comment.created_at), "updated_at": iso(comment.created_at),
        "html_url": html, "pull_request_url": f"{api}/{pull.number}",
        "author_association": comment.review.author_association,
        "_links": {"self": _link(f"{api}/comments/{comment.id}"), "html": _link(html),
                   "pull_request": _link(f"{api}/{pull.number}")},
        "start_line": comment.start_line if current else None,
        "original_start_line": comment.start_line, "start_side": comment.start_side,
        "line": comment.line if current else None, "original_line": comment.original_line,
        "side": comment.side, "subject_type": "line",
    }


def check_run_json(world: World, run: CheckRun) -> dict[str, Any]:
    """check-run; fork PRs are never listed in pull_requests (as on GitHub)."""
    url = f"{repo_api(world, run.repo)}/check-runs/{run.id}"
    pulls = [p for p in world.pulls
             if p.repo is run.repo and not p.is_fork and p.state == "open"
             and p.head_sha == run.head_sha]
    output = run.output
    return {
        "id": run.id, "node_id": node_id("CheckRun", run.id), "head_sha": run.head_sha,
        "external_id": run.external_id, "url": url,
        "html_url": f"{world.web_url}/{run.repo.full_name}/runs/{run.id}",
        "details_url": run.details_url, "status": run.status, "conclusion": run.conclusion,
        "started_at": _ts(run.started_at), "completed_at": _ts(run.completed_at),
        "output": {
            "title": output.get("title"), "summary": output.get("summary"),
            "text": output.get("text"), "annotations_count": len(output.get("annotations", [])),
            "annotations_url": f"{url}/annotations",
        },
        "name": run.name, "check_suite": {"id": run.id + 1},
        "app": app_json(world, world.app), "actions": run.actions,
        "pull_requests": [pull_minimal_json(world, p) for p in pulls],
    }
