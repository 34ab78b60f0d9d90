"""Macro shapes the C/C++ grammar cannot know, blanked before the parse (every byte offset kept).

The preprocessor is not run, so a declaration written `class FMT_API buffer`, `FMT_CONSTEXPR auto
size()`, `void f() _GLIBCXX_NOEXCEPT` or a namespace opened by `FMT_BEGIN_NAMESPACE` would reach
tree-sitter as an error. These shapes are replaced by spaces: export and visibility macros,
attribute macros, namespace begin/end macros and other bare macro lines. Preprocessor lines are
left alone (`#define FMT_API ...` stays a definition).
"""

from __future__ import annotations

import re

# Words that make a macro with arguments an attribute: `Py_DEPRECATED(3.9)`, `FMT_DEPRECATED("x")`.
_ATTRIBUTE_WORDS = (
    r"DEPRECATED|ATTRIBUTE|ALIGN|VISIBILITY|NOEXCEPT|CONSTEXPR|EXPORT|IMPORT|API|NODISCARD|UNUSED|INLINE"
    r"|NORETURN|NO_RETURN|NONNULL|FORMAT|PRINTF|PURE|HIDDEN|SANITIZE|ABI_TAG|PACKED|THROW|DECL|REQUIRES"
)
_KEYWORDS = frozenset(
    b"""else do return break continue default public private protected const static inline virtual
    explicit friend typedef template typename class struct union enum namespace extern volatile
    unsigned signed int char void long short float double bool auto constexpr noexcept override
    final mutable register try catch throw operator sizeof new delete this using""".split()
)
_ATTRIBUTE = (
    rb"_?[A-Z][A-Za-z0-9]*_(?:[A-Z0-9]+_)*(?:" + _ATTRIBUTE_WORDS.encode() + rb")\w*"
)  # Py_DEPRECATED, _Py_NO_RETURN
_CAPS = rb"[A-Z_][A-Z0-9_]*_[A-Z0-9_]*"  # FMT_API, C10_API, _GLIBCXX_NOEXCEPT
_MASK = re.compile(
    # Why the first line: a cheap test that skips the positions where no alternative can start.
    rb"(?:^|(?=[)A-Z_cofn]))"
    rb"(?:(?P<keep>^[ \t]*\#(?:[^\n]*\\\r?\n)*[^\n]*)"  # a preprocessor line, continuations included
    # `FMT_BEGIN_NAMESPACE`, `__BEGIN_DECLS`, `PyObject_HEAD`: a macro alone on its line
    rb"|(?P<bare>^[ \t]*(?P<word>[A-Za-z_]\w*_\w*|[A-Z][A-Z0-9]+)[ \t]*(?=\r?\n|//|/\*|$))"
    # `namespace std _GLIBCXX_VISIBILITY(default) {`
    rb"|(?P<nsattr>\bnamespace[ \t]+[\w:]+(?P<attribute>[ \t]+[A-Z_][A-Za-z0-9_]*[ \t]*\([^()\n]*\)))(?=\s*\{)"
    # `void f() const _GLIBCXX_NOEXCEPT {`, `int g(void) __THROW;`: after `)` or a qualifier
    rb"|(?P<trail>(?:\)|\b(?:const|override|final))(?P<after>\s*(?:" + _CAPS + rb"|__\w+)(?!\w)"
    rb"(?:[ \t]*\((?:[^()\n]|\([^()\n]*\))*\))?))(?=\s*(?:[;{:=,]|->|[A-Za-z_&]|$))"
    # `FMT_CONSTEXPR auto`, `class GTEST_API_ Message`, `__host__ __device__ int`: before a name
    rb"|(?<!typedef )(?P<lead>\b(?:" + _CAPS + rb"|__[a-z]\w*__|" + _ATTRIBUTE + rb")(?!\w)"
    rb"(?:[ \t]*\((?:[^()\n]|\([^()\n]*\))*\))?)(?=[ \t]*\r?\n?[ \t]*[A-Za-z_~]))",
    re.M,
)
_ATTRIBUTE_CALL = re.compile(rb"\w*(?:" + _ATTRIBUTE_WORDS.encode() + rb")\w*")
# `PyAPI_FUNC(int) name(...)`: a return type wrapped in a macro call; the type is kept.
_WRAPPED_TYPE = re.compile(rb"(?m)^([ \t]*[A-Za-z]\w*_[A-Z]\w*\()([^()\n]*)\)(?=[ \t*]*[A-Za-z_]\w*[ \t]*\()")


# CUDA's execution-space qualifiers, which the CUDA grammar parses itself.
_CUDA_WORDS = frozenset(
    b"__global__ __device__ __host__ __forceinline__ __noinline__ __shared__ __constant__ __managed__".split()
)


def mask_macros(source: bytes, cuda: bool = False) -> bytes:
    """Blank the macro shapes the grammar cannot parse, keeping every byte offset."""
    if b"_" not in source and not re.search(rb"(?m)^[ \t]*[A-Z][A-Z0-9]+[ \t]*$", source):
        return source
    masked = _WRAPPED_TYPE.sub(lambda m: b" " * len(m.group(1)) + m.group(2) + b" ", source)
    return _MASK.sub(_blank_cuda if cuda else _blank, masked)


def _blank_cuda(match: re.Match) -> bytes:
    return match.group(0) if match.group(0) in _CUDA_WORDS else _blank(match)


def _blank(match: re.Match) -> bytes:
    group = match.lastgroup
    text = match.group(0)
    if group == "keep":
        return text
    if group in ("nsattr", "trail"):  # `namespace std` and `)` or `const` stay
        cut = match.start("attribute" if group == "nsattr" else "after") - match.start()
        return text[:cut] + _spaces(text[cut:])
    if group == "bare":
        return text if match.group("word") in _KEYWORDS else _spaces(text)
    if group == "lead":
        if b"(" in text and not _ATTRIBUTE_CALL.fullmatch(text.split(b"(", 1)[0].strip()):
            return text  # `REGISTER_X(a)` followed by a name: a call, not an attribute
        return _spaces(text)
    return _spaces(text)


def _spaces(text: bytes) -> bytes:
    """Spaces for every byte but line breaks, so that lines keep their numbers."""
    if b"\n" not in text:
        return b" " * len(text)
    return re.sub(rb"[^\r\n]", b" ", text)
