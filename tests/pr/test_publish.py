"""The texts docbot publishes stay under GitHub's limits, cut with a note."""

from bot.engine.planner import FileReport, Plan
from bot.pr.check_run import CHECK_LIMIT, cap_check_text
from bot.pr.companion import companion_body


def test_check_run_text_is_cut_on_a_line_with_a_note():
    text = "\n".join(f"- `docs/src/module_{i}.py_docs.md`" for i in range(5000))
    capped = cap_check_text(text)
    assert len(text) > CHECK_LIMIT >= len(capped)
    assert capped.endswith("limit.*") and "\n- `docs/src/module_" in capped
    assert cap_check_text("short") == "short"


def test_companion_body_lists_pages_and_stays_stable_and_small():
    writes = {f"docs/pkg/mod_{i}.py_docs.md": "x" for i in range(5000)}
    plan = Plan(writes=writes, deletes={"docs/old.py_docs.md"}, files=[FileReport("pkg/mod_0.py", "modified")])
    body = companion_body(7, "feature", plan)
    assert len(body) <= 65_536
    assert body.startswith("<!-- docbot:companion -->\nRegenerated documentation for #7: 1 changed file(s)")
    assert "- `docs/pkg/mod_0.py_docs.md` written" in body and "more page(s)" in body
    assert body == companion_body(7, "feature", plan)
