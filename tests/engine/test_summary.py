"""The sticky summary comment."""

from __future__ import annotations

from bot.engine.markdown import COMMENT_LIMIT
from bot.engine.planner import FileReport
from bot.engine.summary import MARKER, Summary, render_summary


def test_summary_lists_keywords_by_kind_and_the_destination():
    report = FileReport("pkg/a.py", "modified", None, {"Functions": ("run_fast",)}, {"Functions": ("run",)})
    moved = FileReport("lib/b.py", "renamed", "pkg/b.py")
    text = render_summary(Summary([report, moved], ["docs/pkg/a.py_docs.md"], ["docs/pkg/b.py_docs.md"],
                                  "a" * 40, "Docs PR: #7"))
    assert text.startswith(MARKER + "\n")
    assert "Functions: `run_fast`" in text and "Functions: `run`" in text
    assert "renamed from `pkg/b.py`" in text and "Docs PR: #7" in text
    assert "`aaaaaaaaaaaa`" in text


def test_current_docs_say_so():
    assert "documentation is current" in render_summary(Summary([], [], []))


def test_huge_summaries_are_cut_with_a_note_under_the_limit():
    reports = [FileReport(f"pkg/file_{i}.py", "added", None, {"Functions": tuple(f"f{j}" for j in range(40))})
               for i in range(3000)]
    pages = [f"docs/pkg/file_{i}.py_docs.md" for i in range(3000)]
    text = render_summary(Summary(reports, pages, []))
    assert len(text) <= COMMENT_LIMIT
    assert "more file(s): cut to stay under" in text


def test_pipes_and_backticks_in_names_do_not_break_the_table():
    report = FileReport("a|b`c.py", "added", None, {"Functions": ("x|y",)})
    text = render_summary(Summary([report], ["docs/a|b`c.py_docs.md"], []))
    row = next(line for line in text.splitlines() if line.startswith("| ``"))
    assert row.count(" | ") == 3
