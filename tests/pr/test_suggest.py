"""Review suggestions: placement inside hunks, fences, the comment limit, and GitHub's apply, byte for byte."""

from __future__ import annotations

import difflib
import random
import re

import pytest
import requests
from github_double.suggestions import apply_block, suggestion_block
from suggestion_oracle import apply_suggestions

from bot.engine.markdown import COMMENT_LIMIT, fence
from bot.engine.suggestions import (
    DELETED_FILE,
    LINE_ENDINGS,
    MARKER,
    NEW_FILE,
    NOT_IN_DIFF,
    OUTSIDE_HUNKS,
    OVER_LIMIT,
    TOO_LARGE,
    DocPage,
    Leftover,
    Suggestion,
    SuggestionPlan,
    hunks_from_patch,
    plan_page,
    plan_suggestions,
    suggestion_blocker,
    suggestion_body,
)
from bot.github.records import ReviewComment

FIVE = "a\nb\nc\nd\ne\n"
TEN = "".join(f"l{i}\n" for i in range(1, 11))
P = "docs/pkg/mod.py_docs.md"


def body(content: str, fence: str = "```") -> str:
    return f"{MARKER}\n{fence}suggestion\n{content}{fence}"


def one(line: int, content: str, start: int | None = None, fence: str = "```") -> Suggestion:
    return Suggestion(P, line, start, body(content, fence))


PLACED = [
    ("one line", FIVE, "a\nB\nc\nd\ne\n", [(1, 5)], [one(2, "B\n")]),
    ("two lines", FIVE, "a\nB\nC\nd\ne\n", [(1, 5)], [one(3, "B\nC\n", start=2)]),
    ("line becomes three", FIVE, "a\nb\nC1\nC2\nC3\nd\ne\n", [(1, 5)], [one(3, "C1\nC2\nC3\n")]),
    ("insert at start selects the first line", FIVE, "new\n" + FIVE, [(1, 5)], [one(1, "new\na\n")]),
    ("insert at end selects the last line", FIVE, FIVE + "z\n", [(1, 5)], [one(5, "e\nz\n")]),
    ("insert in the middle selects the line before", FIVE, "a\nb\nX\nc\nd\ne\n", [(1, 5)], [one(2, "b\nX\n")]),
    ("insert selects the line after when only it is in a hunk", FIVE, "a\nb\nX\nc\nd\ne\n", [(3, 5)],
     [one(3, "X\nc\n")]),
    ("delete one line: empty block", FIVE, "a\nc\nd\ne\n", [(1, 5)], [one(2, "")]),
    ("delete all", FIVE, "", [(1, 5)], [one(5, "", start=1)]),
    ("empty the page but one line", FIVE, "c\n", [(1, 5)], [one(5, "c\n", start=1)]),
    ("gap of two unchanged lines joins", FIVE, "A\nb\nc\nD\ne\n", [(1, 5)], [one(4, "A\nb\nc\nD\n", start=1)]),
    ("gap of three unchanged lines splits", TEN, TEN.replace("l2\n", "L2\n").replace("l6\n", "L6\n"), [(1, 10)],
     [one(2, "L2\n"), one(6, "L6\n")]),
    ("no join across hunks", FIVE, "a\nb\nC\nd\nE\n", [(1, 3), (5, 5)], [one(3, "C\n"), one(5, "E\n")]),
    ("only the hunk that holds the change matters", TEN, TEN.replace("l8\n", "L8\n"), [(2, 3), (7, 9)],
     [one(8, "L8\n")]),
    ("triple backticks: four-backtick fence", FIVE, "a\n```py\nx\n```\ne\n", [(1, 5)],
     [one(4, "```py\nx\n```\n", start=2, fence="````")]),
    ("quadruple backticks: five-backtick fence", FIVE, "a\nb\n````\nd\ne\n", [(1, 5)],
     [one(3, "````\n", fence="`````")]),
    ("inline backticks keep three", FIVE, "a\nb\nuse `x` or ``y``\nd\ne\n", [(1, 5)],
     [one(3, "use `x` or ``y``\n")]),
    ("CRLF lines elsewhere are fine", "a\r\nb\nc\nd\r\n", "a\r\nB\nc\nd\r\n", [(1, 4)], [one(2, "B\n")]),
    ("missing final newline on an untouched line", "a\nb\nc", "A\nb\nc", [(1, 3)], [one(1, "A\n")]),
    ("unchanged page: nothing", FIVE, FIVE, [], []),
]


@pytest.mark.parametrize(("old", "new", "hunks", "expected"), [c[1:] for c in PLACED], ids=[c[0] for c in PLACED])
def test_pages_that_suggestions_carry(old, new, hunks, expected):
    assert plan_page(DocPage(P, old, new, hunks)) == expected
    assert apply_suggestions(old, expected) == new


REFUSED = [
    ("not in the PR diff", FIVE, "a\nB\nc\nd\ne\n", [], Leftover(P, NOT_IN_DIFF)),
    ("new page", None, FIVE, [(1, 5)], Leftover(P, NEW_FILE)),
    ("deleted page", FIVE, None, [(1, 5)], Leftover(P, DELETED_FILE)),
    ("change outside the hunks", TEN, TEN.replace("l5\n", "L5\n"), [(1, 3)],
     Leftover(P, OUTSIDE_HUNKS, "line 5 of the head page; the whole page goes to the branch so it stays consistent")),
    ("one change in, one out: the whole page", TEN, TEN.replace("l2\n", "L2\n").replace("l9\n", "L9\n"), [(1, 4)],
     Leftover(P, OUTSIDE_HUNKS, "line 9 of the head page; the whole page goes to the branch so it stays consistent")),
    ("range straddles two hunks", FIVE, "a\nB\nC\nD\ne\n", [(1, 2), (4, 5)],
     Leftover(P, OUTSIDE_HUNKS, "lines 2-4 of the head page; the whole page goes to the branch so it stays "
              "consistent")),
    ("insertion between two lines outside hunks", TEN, TEN.replace("l5\n", "l5\nX\n"), [(1, 2), (9, 10)],
     Leftover(P, OUTSIDE_HUNKS, "line 5 of the head page; the whole page goes to the branch so it stays consistent")),
    ("CRLF in the changed line", "a\r\nb\r\n", "a\r\nB\r\n", [(1, 2)], Leftover(P, LINE_ENDINGS, "line 2")),
    ("CRLF to LF", "a\r\nb\r\n", "a\nb\n", [(1, 2)], Leftover(P, LINE_ENDINGS, "lines 1-2")),
    ("final newline added", "a\nb", "a\nb\n", [(1, 2)], Leftover(P, LINE_ENDINGS, "line 2")),
    ("final newline removed", "a\nb\n", "a\nb", [(1, 2)], Leftover(P, LINE_ENDINGS, "line 2")),
    ("last line without newline changed", "a\nb", "a\nB", [(1, 2)], Leftover(P, LINE_ENDINGS, "line 2")),
    ("block over the body limit", FIVE, "a\n" + "x" * COMMENT_LIMIT + "\nc\nd\ne\n", [(1, 5)],
     Leftover(P, TOO_LARGE, "line 2")),
]


@pytest.mark.parametrize(("old", "new", "hunks", "expected"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_pages_that_go_to_the_branch(old, new, hunks, expected):
    page = DocPage(P, old, new, hunks)
    assert plan_page(page) == expected
    assert suggestion_blocker(page) == expected


def test_eligible_pages_have_no_blocker():
    page = DocPage(P, FIVE, "a\nB\nc\nd\ne\n", [(1, 5)])
    assert suggestion_blocker(page) is None


def _page(name: str, edits: int) -> DocPage:
    """A page with `edits` changes far enough apart to need one comment each."""
    old = "".join(f"{name}{i}\n" for i in range(10 * edits))
    new = "".join(f"{name}{i}{'!' if i % 10 == 0 else ''}\n" for i in range(10 * edits))
    return DocPage(name, old, new, [(1, 10 * edits)])


def test_whole_pages_fill_the_review_first_fit():
    pages = [_page("a", 2), _page("b", 2), DocPage("c", None, "x\n"), _page("d", 1)]
    plan = plan_suggestions(pages, limit=3)
    assert [(c.path, c.line) for c in plan.comments] == [("a", 1), ("a", 11), ("d", 1)]
    assert plan.leftovers == [Leftover("b", OVER_LIMIT, "needs 2 comment(s)"), Leftover("c", NEW_FILE)]


def test_thirty_comments_per_review_by_default():
    plan = plan_suggestions([_page(f"p{i}", 1) for i in range(31)])
    assert len(plan.comments) == 30
    assert plan.leftovers == [Leftover("p30", "over the 30-comment limit", "needs 1 comment(s)")]


def test_no_pages_no_review():
    assert plan_suggestions([]) == SuggestionPlan([], [])


@pytest.mark.parametrize(("comment", "entry"), [
    (Suggestion(P, 4, None, "b"), {"path": P, "body": "b", "line": 4, "side": "RIGHT"}),
    (Suggestion(P, 4, 2, "b"),
     {"path": P, "body": "b", "line": 4, "side": "RIGHT", "start_line": 2, "start_side": "RIGHT"}),
])
def test_comments_as_the_reviews_api_takes_them(comment, entry):
    assert ReviewComment(comment.path, comment.body, comment.line, comment.start_line).as_dict() == entry


@pytest.mark.parametrize(("leftover", "line"), [
    (Leftover(P, NEW_FILE), f"`{P}`: new file"),
    (Leftover(P, LINE_ENDINGS, "line 2"), f"`{P}`: CRLF or missing final newline in the changed lines (line 2)"),
])
def test_leftovers_describe_themselves_for_the_summary(leftover, line):
    assert leftover.describe() == line


@pytest.mark.parametrize(("text", "ticks"), [
    ("", "```"), ("plain\n", "```"), ("a ` b ``\n", "```"), ("```\n", "````"), ("x````y\n", "`````"),
    ("``````\n", "```````"),
])
def test_fence_is_longer_than_any_backtick_run(text, ticks):
    assert fence(text) == ticks


PATCHES = [
    ("missing patch (binary or too large)", None, []),
    ("empty", "", []),
    ("one hunk", "@@ -1,3 +1,4 @@\n a\n+b\n c\n d", [(1, 4)]),
    ("counts of one are omitted", "@@ -7 +8 @@\n-x\n+y", [(8, 8)]),
    ("function context after the header", "@@ -10,7 +12,9 @@ def run():\n", [(12, 20)]),
    ("pure deletion has no RIGHT lines", "@@ -5,2 +4,0 @@\n-a\n-b", []),
    ("new file", "@@ -0,0 +1,3 @@\n+a\n+b\n+c", [(1, 3)]),
    ("file emptied", "@@ -1,3 +0,0 @@\n-a\n-b\n-c", []),
    ("several hunks, no newline marker", "@@ -1,2 +1,2 @@\n-a\n+A\n b\n@@ -40,3 +40,4 @@\n x\n+y\n z\n w\n"
     "\\ No newline at end of file", [(1, 2), (40, 43)]),
    ("header-like text inside the hunk body", "@@ -1 +1 @@\n-@@ -9 +9 @@\n+ @@ -3,3 +3,3 @@", [(1, 1)]),
]


@pytest.mark.parametrize(("patch", "hunks"), [c[1:] for c in PATCHES], ids=[c[0] for c in PATCHES])
def test_hunks_from_patch(patch, hunks):
    assert hunks_from_patch(patch) == hunks


@pytest.mark.parametrize(("comments", "message"), [
    ([one(2, "x\n"), one(3, "y\n", start=2)], "overlaps"),
    ([one(6, "x\n")], "does not fit"),
    ([Suggestion(P, 2, 3, body("x\n"))], "does not fit"),
    ([one(2, "x\r\n")], "line endings"),
    ([Suggestion(P, 2, None, "just words")], "no closed suggestion block"),
    ([Suggestion(P, 2, None, "```suggestion\nx\n``")], "no closed suggestion block"),
])
def test_apply_refuses_what_github_would_not_do_knowably(comments, message):
    with pytest.raises(ValueError, match=message):
        apply_suggestions(FIVE, comments)


# --- property: applying every comment of a page gives the regenerated page, byte for byte -------

WORDS = ["alpha\n", "beta\n", "\n", "```\n", "````py\n", "x ` y\n", "``code``\n", "- item\n", "## Head\n",
         "crlf\r\n", "`````\n", "gamma\n", "delta\n"]


def _text(rng: random.Random, count: int, words: list[str]) -> str:
    lines = [rng.choice(words) for _ in range(count)]
    text = "".join(lines)
    return text[:-1] if text and rng.random() < 0.1 else text


def _edited(rng: random.Random, text: str, words: list[str] = WORDS) -> str:
    lines = text.split("\n")
    if rng.random() < 0.05:
        return ""
    for _ in range(rng.randint(1, 4)):
        where = rng.randint(0, len(lines))
        kind = rng.choice(["replace", "insert", "delete", "start", "end"])
        if kind == "start":
            lines.insert(0, rng.choice(words).rstrip("\n"))
        elif kind == "end":
            lines[-1:-1] = [rng.choice(words).rstrip("\n")]
        elif kind == "insert":
            lines[where:where] = [w.rstrip("\n") for w in rng.choices(words, k=rng.randint(1, 3))]
        elif lines and where < len(lines):
            lines[where:where + rng.randint(1, 3)] = [] if kind == "delete" else ["new " + str(rng.random())[:5]]
    return "\n".join(lines)


def _hunks(rng: random.Random, head: str) -> tuple[str, list[tuple[int, int]]]:
    """The head's hunks: the whole page, random ranges, or a real diff from an older base."""
    count = len(head.split("\n")) - (1 if head.endswith("\n") or not head else 0)
    kind = rng.choice(["whole", "random", "diff"])
    if kind == "whole":
        return kind, [(1, count)] if count else []
    if kind == "random":
        cuts = sorted(rng.sample(range(1, count + 2), k=min(count + 1, 2 * rng.randint(1, 3))))
        return kind, [(a, b - 1) for a, b in zip(cuts[::2], cuts[1::2], strict=False) if b > a]
    base = _edited(rng, head).splitlines(keepends=True)
    patch = "".join(difflib.unified_diff(base, head.splitlines(keepends=True), n=rng.randint(0, 3)))
    return kind, hunks_from_patch(patch)


def _case(seed: int) -> tuple[str, DocPage]:
    rng = random.Random(seed)
    # CRLF in a quarter of the cases: more would leave few cases that suggestions can carry.
    words = WORDS if rng.random() < 0.25 else [w for w in WORDS if "\r" not in w]
    old = _text(rng, rng.randint(1, 20), words)
    kind, hunks = _hunks(rng, old)
    return kind, DocPage(P, old, _edited(rng, old, words), hunks)


def _apply_like_the_double(old: str, comments: list[Suggestion]) -> str:
    for c in sorted(comments, key=lambda c: -c.line):
        old = apply_block(old, c.start_line or c.line, c.line, suggestion_block(c.body))
    return old


def _check(page: DocPage, comments: list[Suggestion]) -> None:
    for c in comments:
        first = c.start_line or c.line
        assert c.start_line is None or c.start_line < c.line
        assert any(a <= first and c.line <= b for a, b in page.hunks), (c, page.hunks)
        fence = re.match(r"`+", c.body.split("\n")[1])[0]
        content = c.body.split("\n", 2)[2].removesuffix(fence)
        assert len(fence) == max(3, 1 + max(map(len, re.findall("`+", content)), default=0))
    assert apply_suggestions(page.old, comments) == page.new
    assert _apply_like_the_double(page.old, comments) == page.new


@pytest.mark.parametrize("seed", range(600))
def test_applying_all_suggestions_gives_the_new_page(seed):
    kind, page = _case(seed)
    planned = plan_page(page)
    if isinstance(planned, Leftover):
        assert planned.reason in {NOT_IN_DIFF, OUTSIDE_HUNKS, LINE_ENDINGS}
        clean = "\r" not in page.old + page.new and all(t.endswith("\n") or not t for t in (page.old, page.new))
        # Complete: with every line in one hunk and plain endings, nothing may be refused.
        assert not (kind == "whole" and clean), planned
    else:
        _check(page, planned)


def test_the_generated_cases_cover_every_outcome():
    outcomes = {}
    for seed in range(600):
        planned = plan_page(_case(seed)[1])
        key = planned.reason if isinstance(planned, Leftover) else min(len(planned), 3)
        outcomes[key] = outcomes.get(key, 0) + 1
    assert set(outcomes) == {0, 1, 2, 3, NOT_IN_DIFF, OUTSIDE_HUNKS, LINE_ENDINGS}, outcomes
    assert sum(outcomes[n] for n in (1, 2, 3)) >= 200, outcomes


def test_suggestion_body_is_marker_then_block():
    assert suggestion_body("a\n") == f"{MARKER}\n```suggestion\na\n```"


# --- against the GitHub double: the API's own patch, review validation and batch apply ---------

BASE_PAGE = "".join(f"line {i}\n" for i in range(1, 41))
HEAD_PAGE = BASE_PAGE.replace("line 5\n", "line five\n").replace("line 30\n", "line thirty\n")
NEW_PAGE = HEAD_PAGE.replace("line 4\n", "```py\nx = 1\n```\n").replace("line five\n", "") \
    .replace("line 31\n", "line 31\nline 31b\n")


class DocPull:
    """A PR on the double that changes one doc page from BASE_PAGE to HEAD_PAGE, seen through the REST API."""

    def __init__(self, github, page: str):
        self.github, self.page = github, page
        github.create_repo("octo", "widgets", files={page: BASE_PAGE})
        self.headers = {"Authorization": f"token {github.installation_token(github.install('octo'))}"}
        self.pr = github.open_pull_request("octo", "widgets", head="feature", files={page: HEAD_PAGE})
        self.api = f"{github.api_url}/repos/octo/widgets/pulls/{self.pr['number']}"

    def get(self, what: str) -> list[dict]:
        return requests.get(f"{self.api}/{what}", headers=self.headers, timeout=10).json()

    def page_for(self, new: str) -> DocPage:
        """The page with the hunks taken from the `patch` of GET /pulls/{n}/files."""
        return DocPage(self.page, HEAD_PAGE, new, hunks_from_patch(self.get("files")[0]["patch"]))

    def review(self, comments: list[Suggestion]) -> int:
        review = {"commit_id": self.pr["head"]["sha"], "event": "COMMENT", "body": "docbot",
                  "comments": [ReviewComment(c.path, c.body, c.line, c.start_line).as_dict() for c in comments]}
        return requests.post(f"{self.api}/reviews", json=review, headers=self.headers, timeout=10).status_code


@pytest.mark.slow
def test_planned_review_is_accepted_and_applies_byte_for_byte(github):
    pull = DocPull(github, "docs/pkg/mod.py_docs.md")
    plan = plan_suggestions([pull.page_for(NEW_PAGE)])
    assert (len(plan.comments), plan.leftovers) == (2, [])
    assert pull.review(plan.comments) == 200
    github.apply_suggestions([c["id"] for c in pull.get("comments")])
    assert github.read_file("octo", "widgets", "feature", pull.page) == NEW_PAGE.encode()


@pytest.mark.slow
def test_a_comment_outside_the_hunks_is_what_github_refuses(github):
    pull = DocPull(github, "docs/a_docs.md")
    new = HEAD_PAGE.replace("line 18\n", "line eighteen\n")
    assert pull.review(plan_page(DocPage(pull.page, HEAD_PAGE, new, [(1, 40)]))) == 422
    assert plan_page(pull.page_for(new)) == Leftover(
        pull.page, OUTSIDE_HUNKS, "line 18 of the head page; the whole page goes to the branch so it stays consistent")
