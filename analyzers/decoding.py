"""Bytes to text: UTF-8 first, a stated fallback otherwise, binary content detected."""

from __future__ import annotations

import codecs

# Like git, a NUL byte near the start marks content as binary.
BINARY_SNIFF_BYTES = 8192


def looks_binary(data: bytes) -> bool:
    return b"\0" in data[:BINARY_SNIFF_BYTES] and not data.startswith(_UTF16_BOMS)


_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def decode(data: bytes) -> tuple[str, str]:
    """The text with LF line endings, and a label of how it was decoded."""
    text, label = _decode_bytes(data)
    if "\r" in text:
        label += ", CRLF line endings" if "\r\n" in text else ", CR line endings"
        # Why: every analyzer (ast, tree-sitter, markdown-it) must count lines the same way.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, label


def _decode_bytes(data: bytes) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8 (BOM removed)"
        except UnicodeDecodeError:
            pass
    elif data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252 (not valid UTF-8)"
    except UnicodeDecodeError:
        # latin-1 maps every byte, so this cannot fail.
        return data.decode("latin-1"), "latin-1 (not valid UTF-8)"
