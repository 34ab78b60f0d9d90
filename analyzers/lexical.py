"""The analysis for any other text, and the fallback of every parser: Pygments tokens by type."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from pygments.lexer import Lexer
from pygments.lexers import find_lexer_class_for_filename, get_lexer_by_name
from pygments.lexers.special import TextLexer
from pygments.token import Comment, Name, String, Text, Whitespace, _TokenType

from analyzers.findings import Findings, note_test_file
from analyzers.languages import LanguageSpec
from analyzers.stopwords import is_noise_word, is_strong_identifier
from analyzers.textutil import (
    LineIndex,
    choose_purpose,
    comment_purpose,
    docstring_purpose,
    paragraphs,
)

# A keyword page lists names, not a dump of a generated file: keep the most frequent ones.
MAX_NAMES_PER_GROUP = 200
_SIGNATURE_CHARS = 120

# Token type -> (keyword group, symbol kind or "" for no symbol); first match wins.
_NAME_KINDS: tuple[tuple[_TokenType, str, str], ...] = (
    (Name.Function, "Functions", "function"),
    (Name.Class, "Classes", "class"),
    (Name.Namespace, "Namespaces", ""),
    (Name.Constant, "Constants", ""),
    (Name.Variable, "Variables", ""),
    (Name.Tag, "Keys", ""),
    (Name.Label, "Labels", ""),
    (Name.Decorator, "Decorators", ""),
    (Name.Builtin, "", ""),
    (Name, "Identifiers", ""),
)
_LIMITED = {"Identifiers", "Keys", "Variables", "Constants"}
_COMMENT_MARK = re.compile(r"^\s*(?:#+!?|//+!?|/\*+!?|\*+/?|--+|;+|%+|<!--|-->|[Rr][Ee][Mm]\b|::)\s?")
_WORD = re.compile(r"[A-Za-z_][\w]*(?:(?:\.|::)[A-Za-z_]\w*)*")
# In prose, `BeOpen` or `GitHub` is a name, not code, unless the text uses it as code somewhere.
_PASCAL_WORD = re.compile(r"^[A-Z][a-z]+(?:[A-Z][a-z]+)+$")
_CODE_USE = re.compile(r"(?:\.|::)([A-Za-z_]\w*)|([A-Za-z_]\w*)(?:\(|::|<|\.(?!(?i:com|org|net)\b)[A-Za-z_])")
_SHELL_RISKS = (
    (
        re.compile(r"\|\s*(?:sudo\s+)?(?:ba|z)?sh\b"),
        "Pipes text into a shell (`| sh`): it runs whatever was downloaded.",
    ),
    (re.compile(r"(?:^|[;&|]\s*)eval\s"), "Uses `eval`, which runs dynamically built commands."),
    (re.compile(r"chmod\s+(?:-R\s+)?777\b"), "Makes files world-writable (`chmod 777`)."),
)
_SHELLS = {"bash", "docker", "make", "batch", "powershell", "tcsh", "zsh", "fish"}


@lru_cache(maxsize=64)
def lexer_for(alias: str, filename: str) -> Lexer:
    """A Pygments lexer by alias, else by file name, else plain text; options keep line numbers."""
    options = {"stripnl": False, "stripall": False, "ensurenl": False}
    if alias:
        try:
            return get_lexer_by_name(alias, **options)
        except Exception:  # noqa: BLE001 - why: an unknown alias means "guess by name"
            pass
    found = find_lexer_class_for_filename(filename)
    return found(**options) if found else TextLexer(**options)


def analyze(path: str, text: str, spec: LanguageSpec) -> Findings:
    """Names by token type, the leading comment or docstring as purpose, a few shell risks."""
    lexer = lexer_for(spec.lexer, path.rsplit("/", 1)[-1])
    findings = Findings()
    note_test_file(findings, path)
    if isinstance(lexer, TextLexer):
        _analyze_plain_text(findings, text)
        return findings
    lines = LineIndex(text)
    counts: dict[str, Counter] = {}
    leading: list[str] = []
    in_lead = True
    for offset, token, value in _join_namespaces(lexer.get_tokens_unprocessed(text)):
        if in_lead:
            in_lead = _collect_leading(leading, token, value)
        if token in Name:
            _name_token(findings, counts, token, value.strip("\"'"), lines.line(offset), text, offset)
    for kind, counter in counts.items():
        names = [name for name, _ in sorted(counter.items(), key=lambda item: (-item[1], item[0]))]
        shown = "Imports" if kind == "Namespaces" and spec.language == "python" else kind
        findings.keyword(shown, *(names[:MAX_NAMES_PER_GROUP] if kind in _LIMITED else names))
    findings.purpose = _purpose(leading)
    if spec.lexer in _SHELLS or spec.language in _SHELLS:
        _shell_notes(findings, text, lines)
    return findings


def _join_namespaces(tokens):
    """Merge adjacent namespace tokens: `a`, `.`, `b` -> `a.b` (Pygments splits dotted imports)."""
    pending: list = []
    for offset, token, value in tokens:
        if token in Name.Namespace and pending and pending[0] + len(pending[2]) == offset:
            pending[2] += value
            continue
        if pending:
            yield tuple(pending)
        pending = [offset, token, value] if token in Name.Namespace else []
        if not pending:
            yield offset, token, value
    if pending:
        yield tuple(pending)


def _collect_leading(leading: list[str], token: _TokenType, value: str) -> bool:
    """Keep the comments and docstring before the first code token; False once code starts."""
    if token in Comment or token in String.Doc:
        leading.append(f"\x00{value}" if token in String.Doc else value)
        return True
    return token in Text or token in Whitespace or token in String.Affix or not value.strip()


def _purpose(leading: list[str]) -> str:
    docs = [value[1:] for value in leading if value.startswith("\x00")]
    if docs:
        return docstring_purpose("".join(docs).strip("\"'"))
    lines = [_COMMENT_MARK.sub("", line).rstrip() for line in "".join(leading).split("\n") if not line.startswith("#!")]
    return comment_purpose([line.removesuffix("*/").removesuffix("-->") for line in lines])


def _name_token(findings, counts, token, value, line, text, offset) -> None:
    kind, symbol_kind = next((kind, sym) for token_type, kind, sym in _NAME_KINDS if token in token_type)
    # Why: only the catch-all kind picks up prose (Markdown words, comments in some lexers).
    if not kind or not value or (kind == "Identifiers" and is_noise_word(value)):
        return
    counts.setdefault(kind, Counter())[value] += 1
    if symbol_kind and counts[kind][value] == 1:
        start = text.rfind("\n", 0, offset) + 1
        end = text.find("\n", offset)
        header = " ".join(text[start : end if end >= 0 else len(text)].split())[:_SIGNATURE_CHARS]
        findings.symbol(symbol_kind, value, line, header.rstrip(":{ "))


def _analyze_plain_text(findings: Findings, text: str) -> None:
    head = text[:20000]
    findings.purpose = choose_purpose(paragraphs(head.split("\n")))
    used_as_code = {a or b for a, b in _CODE_USE.findall(text)}
    counter = Counter(
        word
        for word in _WORD.findall(text)
        if is_strong_identifier(word) and (not _PASCAL_WORD.match(word) or word in used_as_code)
    )
    ranked = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    findings.prose_keyword("Identifiers", *(word for word, _ in ranked[:MAX_NAMES_PER_GROUP]))


def _shell_notes(findings: Findings, text: str, lines: LineIndex) -> None:
    for pattern, message in _SHELL_RISKS:
        for match in pattern.finditer(text):
            findings.note("security", lines.line(match.start()), message)
