"""The analysis objects every analyzer returns and every template reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass

# The file name parsers are given, so that an entry point can silence the warnings a parser emits
# about the analyzed code (not about docbot) with one filter, warnings.filterwarnings("ignore",
# module=re.escape(PARSE_FILENAME)); the analyzers themselves never change process-wide state.
PARSE_FILENAME = "<docbot-analysis>"


@dataclass(frozen=True)
class Symbol:
    """One definition found in a source file."""

    # class, struct, union, enum, alias, function, method, constant, namespace, macro, heading,
    # section, directive, target, variable, option, key, entry
    kind: str
    name: str  # qualified where the language has scopes: "Linear.forward", "at::native::fill_out"
    line: int  # 1-based line of the definition
    signature: str = (
        ""  # "def forward(self, input: Tensor) -> Tensor", "Tensor& fill_(Tensor& self, const Scalar& value)"
    )
    doc: str = ""  # first line of its docstring or leading comment, "" when none


@dataclass(frozen=True)
class Note:
    """A performance, security or testing observation tied to the line that triggered it."""

    category: str  # "performance" | "security" | "testing"
    line: int  # 1-based; 0 when it concerns the whole file
    message: str  # one sentence, Markdown allowed (code in backticks)


@dataclass(frozen=True)
class KeywordGroup:
    """Keywords of one kind, sorted and without duplicates."""

    kind: str  # plural display name: "Classes", "Functions", "Methods", "Namespaces", "Includes", "Headings", ...
    names: tuple[str, ...]


@dataclass(frozen=True)
class FileAnalysis:
    """Everything the pages of one source file say about it, computed from its path and bytes only."""

    path: str  # repository-relative, "/"-separated
    language: str  # python, cpp, c, cuda, markdown, rst, cmake, yaml, text, binary, ...
    type_label: str  # "Python Source Code", "C++ Header", "CUDA Source", "Markdown Documentation", ...
    fence_lang: str  # info string of the Original Source fence ("" for none)
    size: int  # bytes
    lines: int  # number of lines (0 for binary)
    encoding: str  # "utf-8", or a stated fallback such as "latin-1 (not valid UTF-8)"
    purpose: str  # one paragraph from the file itself (docstring, leading comment, first paragraph); "" when none
    title: str  # document title (Markdown/RST first heading), "" otherwise
    symbols: tuple[Symbol, ...]  # in source order
    imports: tuple[str, ...]  # as written: "torch.nn.functional as F", "ATen/native/Fill.h", sorted, unique
    keywords: tuple[KeywordGroup, ...]  # sorted by kind; no English prose words
    patterns: tuple[str, ...]  # idioms observed, each a short Markdown sentence with its evidence
    notes: tuple[Note, ...]  # sorted by (category, line, message)
    degraded: str = ""  # why a lesser analysis was used ("syntax error at line 3: ..."), "" when full
    binary: bool = False  # True: metadata-only page, no Original Source (binary, oversized or undecodable)

    @property
    def description(self) -> str:
        """The one-line description used in folder indexes."""
        text = self.title or self.purpose
        first = text.strip().split("\n", 1)[0].strip() if text else ""
        if len(first) > 120:
            first = first[:117].rstrip() + "..."
        return first or self.type_label

    def to_dict(self) -> dict:
        return asdict(self)
