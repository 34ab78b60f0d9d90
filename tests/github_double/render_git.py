"""JSON shapes of git objects, file contents and PR file entries."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

from .diffs import FileDiff
from .gitrepo import CommitInfo, TreeEntry
from .model import Repo, World
from .render_core import node_id, repo_api


def git_date(value: str) -> str:
    """'<epoch> +hhmm' (git's raw date) as ISO 8601 in that offset."""
    epoch, _, tz = value.partition(" ")
    sign = -1 if tz.startswith("-") else 1
    offset = timedelta(hours=int(tz[1:3] or 0), minutes=int(tz[3:5] or 0)) * sign
    moment = datetime.fromtimestamp(int(epoch), UTC).astimezone(timezone(offset))
    return moment.isoformat().replace("+00:00", "Z")


def person_json(person: tuple[str, str, str]) -> dict[str, str]:
    return {"name": person[0], "email": person[1], "date": git_date(person[2])}


def git_commit_json(world: World, repo: Repo, info: CommitInfo) -> dict[str, Any]:
    """git-commit."""
    api = f"{repo_api(world, repo)}/git"
    html = f"{world.web_url}/{repo.full_name}/commit"
    return {
        "sha": info.sha, "node_id": node_id("Commit", info.sha),
        "url": f"{api}/commits/{info.sha}", "html_url": f"{html}/{info.sha}",
        "author": person_json(info.author), "committer": person_json(info.committer),
        "tree": {"sha": info.tree, "url": f"{api}/trees/{info.tree}"},
        "message": info.message.removesuffix("\n"),
        "parents": [{"sha": p, "url": f"{api}/commits/{p}", "html_url": f"{html}/{p}"}
                    for p in info.parents],
        "verification": {"verified": False, "reason": "unsigned", "signature": None,
                         "payload": None, "verified_at": None},
    }


def commit_json(world: World, repo: Repo, info: CommitInfo) -> dict[str, Any]:
    """commit (GET /repos/{owner}/{repo}/commits/{ref}), without the `files` list."""
    api = repo_api(world, repo)
    git = git_commit_json(world, repo, info)
    return {
        "sha": info.sha, "node_id": git["node_id"], "url": f"{api}/commits/{info.sha}",
        "html_url": git["html_url"], "comments_url": f"{api}/commits/{info.sha}/comments",
        "commit": {key: git[key] for key in ("author", "committer", "message", "tree",
                                             "url", "verification")}
        | {"comment_count": 0},
        "author": None, "committer": None,
        "parents": [{"sha": p["sha"], "url": f"{api}/commits/{p['sha']}",
                     "html_url": p["html_url"]} for p in git["parents"]],
    }


def git_ref_json(world: World, repo: Repo, ref: str, sha: str) -> dict[str, Any]:
    """git-ref."""
    api = f"{repo_api(world, repo)}/git"
    kind = repo.git.object_type(sha) or "commit"
    return {
        "ref": ref, "node_id": node_id("Ref", f"{repo.id}:{ref}"),
        "url": f"{api}/{quote(ref)}",
        "object": {"type": kind, "sha": sha, "url": f"{api}/{kind}s/{sha}"},
    }


def git_tree_json(world: World, repo: Repo, sha: str, entries: list[TreeEntry]) -> dict[str, Any]:
    """git-tree."""
    api = f"{repo_api(world, repo)}/git"
    items = []
    for entry in entries:
        item: dict[str, Any] = {"path": entry.path, "mode": entry.mode, "type": entry.type,
                                "sha": entry.sha, "url": f"{api}/{entry.type}s/{entry.sha}"}
        if entry.size is not None:
            item["size"] = entry.size
        items.append(item)
    return {"sha": sha, "url": f"{api}/trees/{sha}", "tree": items, "truncated": False}


def blob_json(world: World, repo: Repo, sha: str) -> dict[str, Any]:
    """short-blob."""
    return {"url": f"{repo_api(world, repo)}/git/blobs/{sha}", "sha": sha}


def encode_content(data: bytes) -> str:
    """Base64 wrapped at 60 characters, as the contents API sends it."""
    text = base64.b64encode(data).decode()
    return "".join(text[i : i + 60] + "\n" for i in range(0, len(text), 60))


def content_json(world: World, repo: Repo, ref: str, entry: TreeEntry,
                 data: bytes | None = None) -> dict[str, Any]:
    """content-file (with `data`) or one entry of content-directory (without)."""
    api = f"{repo_api(world, repo)}/contents/{quote(entry.path)}?ref={quote(ref)}"
    kind = {"blob": "file", "tree": "dir", "commit": "submodule"}[entry.type]
    html = f"{world.web_url}/{repo.full_name}/{'tree' if kind == 'dir' else 'blob'}"
    html = f"{html}/{ref}/{entry.path}"
    git_url = f"{repo_api(world, repo)}/git/{entry.type}s/{entry.sha}"
    raw = f"{world.web_url}/{repo.full_name}/raw/{ref}/{entry.path}"
    item: dict[str, Any] = {
        "type": kind, "size": entry.size or 0, "name": entry.path.rsplit("/", 1)[-1],
        "path": entry.path, "sha": entry.sha, "url": api, "git_url": git_url,
        "html_url": html, "download_url": raw if kind == "file" else None,
        "_links": {"self": api, "git": git_url, "html": html},
    }
    if data is not None:
        item.update(content=encode_content(data), encoding="base64")
    return item


def diff_entry_json(world: World, repo: Repo, head_sha: str, diff: FileDiff) -> dict[str, Any]:
    """diff-entry."""
    web = f"{world.web_url}/{repo.full_name}"
    path = quote(diff.filename)
    data: dict[str, Any] = {
        "sha": diff.sha, "filename": diff.filename, "status": diff.status,
        "additions": diff.additions, "deletions": diff.deletions,
        "changes": diff.additions + diff.deletions,
        "blob_url": f"{web}/blob/{head_sha}/{path}", "raw_url": f"{web}/raw/{head_sha}/{path}",
        "contents_url": f"{repo_api(world, repo)}/contents/{path}?ref={head_sha}",
    }
    if diff.patch is not None:
        data["patch"] = diff.patch
    if diff.previous_filename:
        data["previous_filename"] = diff.previous_filename
    return data
