"""The Python analyzer's skim: function bodies blanked before parsing must never change an analysis."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from analyzers.findings import AnalysisDegraded
from analyzers.languages import spec_for
from analyzers.python_ast import analyze, analyze_unskimmed, expression_text
from analyzers.python_signals import risky_offsets
from analyzers.python_skim import skim

ROOT = Path(__file__).parents[2]
# Real Python files at hand: the pytorch fixtures and this project's own code.
REAL_SOURCES = sorted(
    str(path.relative_to(ROOT))
    for folder in ("tests/fixtures", "analyzers", "bot", "tests", "bench", "examples")
    for path in (ROOT / folder).rglob("*.py")
)

PLAIN = '''"""Module doc."""

import os


def load_all(paths, *, strict=False) -> list:
    """Read every path.

    More words.
    """
    found = []
    for path in paths:
        found.append(os.path.basename(path))
    return found


class Store:
    """A store."""

    LIMIT = 10

    @property
    def size(self):
        total = 0
        for item in self.items:
            total += item
        return total

    async def fetch(self,
                    key: str,
                    default=None) -> bytes:
        value = await self.backend.get(key)
        if value is None:
            return default
        return value
'''

TRICKY = {
    "def in a module docstring": '''"""Example:

def fake():
    x = 1
    y = 2
    return x + y
"""
FLAG = 1
''',
    # A triple quote in a comment evens the count: the skim takes the example for code.
    "def in a docstring after a quote in a comment": '''# Strings open with """.
"""Example:

def fake():
    x = 1
    y = 2
    return x + y
"""
# and close with """.
FLAG = 1
''',
    "def in a constant string": '''TEMPLATE = """
    def generated(self):
        a = 1
        b = 2
        return a
"""
''',
    "continuation at column 0": '''def f():
    a = 1
    b = 2
    c = (1 +
2)
    return c


def g():
    """Doc of g."""
    return 1
''',
    "string continued at column 0": """def f():
    a = 1
    b = 2
    text = '''
not code: def g():
'''
    return text
""",
    "backslash continuation": """def f():
    a = 1
    b = 2
    total = a + \\
b
    return total
""",
    "escaped quotes in a docstring": '''def f():
    """Say \\""" and go on.

    >>> f()
    """
    a = 1
    b = 2
    return a
''',
    "one-line functions": """def f(): return 1
def g(x): return {x:
    1}
class C:
    def m(self): pass
""",
    "black-style header": '''def f(
    a: int,
    b: str = ":",
) -> dict[str, int]:
    """Doc."""
    x = 1
    y = 2
    return {b: a}
''',
    "nested functions": '''def outer():
    def inner():
        a = 1
        b = 2
        return a
    class Local:
        def method(self):
            return 1
    return inner
''',
    "tabs": "class C:\n\tdef m(self):\n\t\ta = 1\n\t\tb = 2\n\t\treturn a\n",
    "comment and blank lines before the docstring": '''def f():

    # leading comment
    """Doc after a comment."""
    a = 1
    b = 2
    return a
''',
    "risky call in a body": """import pickle


def f(blob):
    a = 1
    b = 2
    return pickle.loads(blob)


def g():
    a = 1
    b = 2
    return a
""",
    "decorated module-level def with a risky decorator call": """@register(eval("1"))
def f():
    a = 1
    b = 2
    return a
""",
    "data table with elements at column 0": """table = [
    1,
    2,
3,
    4,
]
""",
    "data table in a docstring": '''"""Template:

spec = {
    'a': 1,
    'b': 2,
    'c': 3,
}
"""
''',
    "data table with a string at column 0": '''messages = {
    "a": """
text at column 0
""",
    "b": 2,
}
''',
    "function in a match statement": """match x:
    case 1:
        def f():
            a = 1
            b = 2
            return a
""",
}


def findings_both_ways(path: str, text: str):
    return analyze(path, text, spec_for(path)), analyze_unskimmed(path, text)


def test_plain_module_is_skimmed_and_keeps_its_line_numbers():
    skimmed = skim(PLAIN, risky_offsets(PLAIN))
    assert skimmed is not None
    assert len(skimmed.functions) == 3
    assert skimmed.text.count("\n") == PLAIN.count("\n")
    assert "found.append" not in skimmed.text and "await self.backend" not in skimmed.text
    assert '"""Read every path.' in skimmed.text  # docstrings stay
    skimmed_tree, full_tree = ast.parse(skimmed.text), ast.parse(PLAIN)
    assert [n.lineno for n in ast.walk(skimmed_tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)] == [
        n.lineno for n in ast.walk(full_tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    skimmed_result, full_result = findings_both_ways("store.py", PLAIN)
    assert skimmed_result == full_result
    assert [s.signature for s in full_result.symbols if s.kind == "method"] == [
        "def size(self)",
        "async def fetch(self, key: str, default=None) -> bytes",
    ]


@pytest.mark.parametrize("case", sorted(TRICKY))
def test_tricky_sources_analyze_as_a_full_parse_does(case):
    text = TRICKY[case]
    skimmed, full = findings_both_ways("tricky.py", text)
    assert skimmed == full


DATA = '''__all__ = [
    "decode",
    "encode",
    "table",
]
MAX_CODE = (
    0x10FFFF
    + 1
    - 1
)
decoding_table = (
    "\\x00"  # NULL
    "\\x01"
    "\\x02"
    "\\x03"
)
encoding_table = dict(  # built once
    a=1,
    b=2,
    c=3,
)
'''


def test_module_level_data_is_skimmed_but_exports_and_constants_are_kept():
    skimmed = skim(DATA, [])
    assert skimmed is not None
    assert skimmed.assignments == ((11, "decoding_table"), (17, "encoding_table"))
    assert "decoding_table = ...\n" in skimmed.text and '"decode"' in skimmed.text and "0x10FFFF" in skimmed.text
    assert skimmed.text.count("\n") == DATA.count("\n")
    result, full = findings_both_ways("codec.py", DATA)
    assert result == full
    assert [s.name for s in result.symbols] == ["MAX_CODE"]
    assert result.keywords["Exports"] == {"decode", "encode", "table"}


def test_a_def_after_an_odd_number_of_triple_quotes_is_left_alone():
    text = TRICKY["def in a module docstring"] + PLAIN.split('"""Module doc."""', 1)[1]
    skimmed = skim(text, risky_offsets(text))
    assert "x = 1\n    y = 2" in skimmed.text  # the example in the docstring is kept as written
    assert len(skimmed.functions) == 3  # the module's own functions are blanked
    tree = ast.parse(skimmed.text)
    functions = {n.lineno: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    assert not skimmed.unconfirmed(functions, tree)


def test_a_def_inside_a_string_is_not_confirmed():
    text = TRICKY["def in a docstring after a quote in a comment"]
    skimmed = skim(text, risky_offsets(text))
    assert skimmed is not None  # the line-based pass is fooled...
    tree = ast.parse(skimmed.text)
    functions = {n.lineno: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    assert skimmed.unconfirmed(functions, tree) == {4}  # ...and the check catches it
    second = skim(text, risky_offsets(text), spare={4})
    assert second is None  # nothing else to blank: the text is parsed as it is
    assert analyze("doc.py", text, spec_for("doc.py")).purpose == analyze_unskimmed("doc.py", text).purpose


def test_a_second_skim_spares_only_what_the_first_got_wrong():
    text = TRICKY["def in a docstring after a quote in a comment"] + PLAIN.split('"""Module doc."""', 1)[1]
    first = skim(text, risky_offsets(text))
    tree = ast.parse(first.text)
    functions = {n.lineno: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    wrong = first.unconfirmed(functions, tree)
    assert wrong == {4}
    second = skim(text, risky_offsets(text), spare=wrong)
    assert len(second.functions) == 3 and "x = 1\n    y = 2" in second.text
    tree = ast.parse(second.text)
    functions = {n.lineno: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
    assert not second.unconfirmed(functions, tree)
    assert findings_both_ways("mixed.py", text)[0] == findings_both_ways("mixed.py", text)[1]


def test_bodies_with_a_risky_call_are_parsed_whole():
    text = TRICKY["risky call in a body"]
    skimmed = skim(text, risky_offsets(text))
    assert skimmed is not None and "pickle.loads(blob)" in skimmed.text
    notes = {(n.category, n.line) for n in analyze("r.py", text, spec_for("r.py")).notes}
    assert ("security", 7) in notes
    decorated = TRICKY["decorated module-level def with a risky decorator call"]
    notes = {(n.category, n.line) for n in analyze("d.py", decorated, spec_for("d.py")).notes}
    assert ("security", 1) in notes


def test_a_syntax_error_in_a_blanked_body_is_not_seen_but_one_outside_is():
    """The skim documents what parses: the structure. The compiler, not the docs, reports body errors."""
    in_body = "def f():\n    a = 1\n    b = = 2\n    return a\n"
    assert [s.name for s in analyze("e.py", in_body, spec_for("e.py")).symbols] == ["f"]
    with pytest.raises(AnalysisDegraded, match="syntax error at line 3"):
        analyze_unskimmed("e.py", in_body)
    at_module_level = in_body + "x = = 1\n"  # the skimmed parse fails, the full one names the first error
    with pytest.raises(AnalysisDegraded, match="syntax error at line 3"):
        analyze("e.py", at_module_level, spec_for("e.py"))


def test_texts_with_carriage_returns_or_form_feeds_are_not_skimmed():
    assert skim(PLAIN.replace("\n", "\r\n"), []) is None
    assert skim(PLAIN.replace("\n\n\nclass", "\n\f\nclass"), []) is None


@pytest.mark.parametrize("path", REAL_SOURCES)
def test_real_sources_analyze_as_a_full_parse_does(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    skimmed, full = findings_both_ways(path, text)
    assert skimmed == full


EXPRESSIONS = [
    "x", "a.b.c", "None", "True", "42", "'text'", "u'text'", "'it\\'s'", '"quote\\"d"', "'tab\\there'", "1.5", "-1",
    "Optional[int]", "dict[str, list[int]]", "Callable[[int, str], None]", "Callable[[], T]", "int | None",
    "a | b | c", "a | (b | c)", "x[1:2]", "x[a,]", "x[()]", "(1, 2)", "[]", "[a, b]", "[*a]", "f(x)", "lambda: 0",
    "Literal['a', 'b']", "Annotated[int, 'meta']", "tuple[int, ...]", "'ünï'", "b'bytes'", "{}",
]


@pytest.mark.parametrize("source", EXPRESSIONS)
def test_signature_expressions_print_as_ast_unparse_prints_them(source):
    node = ast.parse(source, mode="eval").body
    assert expression_text(node) == ast.unparse(node)
