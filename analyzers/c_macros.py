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
_CAPS_REST = rb"[A-Z0-9_]*_[A-Z0-9_]*"  # FMT_API, C10_API, _GLIBCXX_NOEXCEPT, after their first letter
_CAPS = rb"[A-Z_]" + _CAPS_REST
_ARGUMENTS = rb"(?:[ \t]*\((?:[^()\n]|\([^()\n]*\))*\))?"
_CALL_ARGUMENTS = rb"(?:\((?:[^()\n]|\([^()\n]*\))*\))?"  # `Py_DEPRECATED(3.9)`: no space before `(`
# Why every alternative starts with one of the characters of the first line: a pattern that starts
# with a character class is searched by a fast scan for those characters instead of being tried at
# every position. The first character belongs to the match; the lookbehinds say which it was.
_MASK = re.compile(
    rb"[\n)A-Z_]"
    # a preprocessor line, continuations included: kept as it is
    rb"(?:(?<=\n)(?:(?P<keep>[ \t]*\#(?:[^\n]*\\\r?\n)*[^\n]*)"
    # `FMT_BEGIN_NAMESPACE`, `__BEGIN_DECLS`, `PyObject_HEAD`: a macro alone on its line (not `size_t`)
    rb"|(?P<bare>[ \t]*(?P<word>[A-Za-z_]\w*?_[A-Z0-9_]*[A-Z][A-Z0-9_]*|[A-Z][A-Z0-9]+)[ \t]*(?=\r?\n|//|/\*|$))"
    # `GMOCK_DEFINE_DEFAULT_ACTION_FOR_RETURN_TYPE_(void, );`: a macro call on its own line, whose
    # arguments (types, empty ones) need not parse; the walker cites the call from the source
    rb"|(?P<call>[ \t]*" + _CAPS + rb"\()(?P<arguments>[^\n;{}]*)\)[ \t]*;[ \t]*(?://[^\n]*)?(?=\r?\n))"
    # `void f() const _GLIBCXX_NOEXCEPT {`, `int g(void) __THROW;`: after `)` and its qualifiers
    rb"|(?<=\))(?P<trail>(?:\s*(?:const|override|final|noexcept)(?!\w))*)"
    rb"(?P<after>\s*(?:" + _CAPS + rb"|__\w+)(?!\w)" + _ARGUMENTS + rb")(?=\s*(?:[;{:=,]|->|[A-Za-z_&]|$))"
    # `FMT_CONSTEXPR auto`, `class GTEST_API_ Message`, `__host__ __device__ int`: before a name, or
    # before an attribute (`class GTEST_API_ [[nodiscard]] AssertHelper`)
    rb"|(?<=\b[A-Z_])(?<!typedef [A-Z_])(?P<lead>(?:" + _CAPS_REST + rb"|(?<=_)_[a-z]\w*__"
    rb"|(?:(?<=_)[A-Z][A-Za-z0-9]*|(?<=[A-Z])[A-Za-z0-9]*)_(?:[A-Z0-9]+_)*(?:" + _ATTRIBUTE_WORDS.encode() + rb")\w*)"
    rb"(?!\w)" + _CALL_ARGUMENTS + rb")(?=[ \t]*\r?\n?[ \t]*(?:[A-Za-z_~]|\[\[))"
    # `if FMT_CONSTEXPR20 (...)`: a macro for `constexpr` between `if` and its condition
    rb"|(?<=\bif [A-Z_])(?P<cond>[A-Z0-9_]*(?:CONSTEXPR|LIKELY)[A-Z0-9_]*)(?=[ \t]*\())",
    re.M,
)
# `namespace std _GLIBCXX_VISIBILITY(default) {`: an attribute macro before the brace.
_NAMESPACE_ATTRIBUTE = re.compile(
    rb"namespace(?<!\wnamespace)[ \t]+[\w:]+([ \t]+[A-Z_][A-Za-z0-9_]*[ \t]*\([^()\n]*\))(?=\s*\{)"
)
_ATTRIBUTE_CALL = re.compile(rb"\w*(?:" + _ATTRIBUTE_WORDS.encode() + rb")\w*")
# `PyAPI_FUNC(int) name(...)`: a return type wrapped in a macro call; the type is kept.
# `Py_DEPRECATED(3.9) PyAPI_FUNC(int) name(...)`: the deprecation goes with the wrapper.
# Why it starts with a line break (the text is given one in front): a literal first byte is found
# by a fast scan, where `^` would be tried at every position.
_WRAPPED_TYPE = re.compile(
    rb"\n([ \t]*(?:\w*DEPRECATED\w*\([^()\n]*\)[ \t]*)?(?!\w*DEPRECATED)[A-Za-z]\w*_[A-Z]\w*\()"
    rb"([^()\n]*)\)(?=[ \t*]*[A-Za-z_]\w*[ \t]*\()"
)


# CUDA's execution-space qualifiers, which the CUDA grammar parses itself.
_CUDA_WORDS = frozenset(
    b"__global__ __device__ __host__ __forceinline__ __noinline__ __shared__ __constant__ __managed__".split()
)


def mask_macros(source: bytes, cuda: bool = False) -> bytes:
    """Blank the macro shapes the grammar cannot parse, keeping every byte offset."""
    if b"_" not in source and not re.search(rb"(?m)^[ \t]*[A-Z][A-Z0-9]+[ \t]*$", source):
        return source
    # The line break in front lets the first line start like every other one.
    masked = _WRAPPED_TYPE.sub(lambda m: b"\n" + b" " * len(m.group(1)) + m.group(2) + b" ", b"\n" + source)
    if b"namespace" in masked:
        masked = _NAMESPACE_ATTRIBUTE.sub(_blank_attribute, masked)
    return _MASK.sub(_blank_cuda if cuda else _blank, masked)[1:]


def _blank_attribute(match: re.Match) -> bytes:
    cut = match.start(1) - match.start()
    return match.group(0)[:cut] + spaces(match.group(1))


def _blank_cuda(match: re.Match) -> bytes:
    return match.group(0) if match.group(0).strip() in _CUDA_WORDS else _blank(match)


def _blank(match: re.Match) -> bytes:
    group = match.lastgroup
    text = match.group(0)
    if group == "keep":
        return text
    if group == "arguments":  # `NAME(` and `);` stay
        start, end = match.span("arguments")
        return text[: start - match.start()] + spaces(match.group("arguments")) + text[end - match.start() :]
    if group == "after":  # `)` and `const` stay
        cut = match.start("after") - match.start()
        return text[:cut] + spaces(text[cut:])
    if group == "lead":
        if b"(" in text and not _ATTRIBUTE_CALL.fullmatch(text.split(b"(", 1)[0].strip()):
            return text  # `REGISTER_X(a)` followed by a name: a call, not an attribute
        return spaces(text)
    return spaces(text)


def spaces(text: bytes) -> bytes:
    """Spaces for every byte but line breaks, so that lines keep their numbers."""
    return text.translate(_BLANK)


_BLANK = bytes(byte if byte in (10, 13) else 32 for byte in range(256))
