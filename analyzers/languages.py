"""Which language a path is, by file name or extension, and which analyzer reads it."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class LanguageSpec:
    """How a file is labelled, fenced and analyzed."""

    language: str
    type_label: str
    fence_lang: str
    analyzer: str  # python, c, cpp, cuda, markdown, rst, cmake, yaml, toml, lexical, binary
    lexer: str = ""  # Pygments alias for the lexical analysis; "" picks one by file name


def _spec(language: str, label: str, fence: str, analyzer: str = "lexical", lexer: str = ""):
    return LanguageSpec(language, label, fence, analyzer, lexer or fence)


_PY = _spec("python", "Python Source Code", "python", "python")
_C_SOURCE = _spec("c", "C Source Code", "c", "c")
_CPP_SOURCE = _spec("cpp", "C++ Source Code", "cpp", "cpp")
_CPP_HEADER = _spec("cpp", "C++ Header", "cpp", "cpp")
_CMAKE = _spec("cmake", "CMake Build Script", "cmake", "cmake")
_YAML = _spec("yaml", "YAML Configuration", "yaml", "yaml")
_SHELL = _spec("bash", "Shell Script", "bash")
_STARLARK = _spec("starlark", "Bazel Build File", "starlark", lexer="python")
_MAKE = _spec("make", "Makefile", "make")
TEXT = _spec("text", "Text File", "text", lexer="text")

BINARY = _spec("binary", "Binary File", "", "binary")

BY_EXTENSION = {
    ".py": _PY,
    ".pyi": _spec("python", "Python Stub", "python", "python"),
    ".pyw": _PY,
    ".pyx": _spec("cython", "Cython Source Code", "cython"),
    ".c": _C_SOURCE,
    ".cc": _CPP_SOURCE,
    ".cpp": _CPP_SOURCE,
    ".cxx": _CPP_SOURCE,
    ".h": _CPP_HEADER,
    ".hh": _CPP_HEADER,
    ".hpp": _CPP_HEADER,
    ".hxx": _CPP_HEADER,
    ".inl": _CPP_HEADER,
    ".ipp": _CPP_HEADER,
    ".tcc": _CPP_HEADER,
    ".cu": _spec("cuda", "CUDA Source", "cuda", "cuda"),
    ".cuh": _spec("cuda", "CUDA Header", "cuda", "cuda"),
    ".md": _spec("markdown", "Markdown Documentation", "markdown", "markdown"),
    ".markdown": _spec("markdown", "Markdown Documentation", "markdown", "markdown"),
    ".rst": _spec("rst", "reStructuredText Documentation", "rst", "rst"),
    ".cmake": _CMAKE,
    ".yaml": _YAML,
    ".yml": _YAML,
    ".sh": _SHELL,
    ".bash": _SHELL,
    ".json": _spec("json", "JSON Data", "json"),
    ".toml": _spec("toml", "TOML Configuration", "toml", "toml"),
    ".ini": _spec("ini", "INI Configuration", "ini"),
    ".cfg": _spec("ini", "INI Configuration", "ini"),
    ".txt": TEXT,
    ".bzl": _STARLARK,
    ".bazel": _STARLARK,
    ".mk": _MAKE,
    ".js": _spec("javascript", "JavaScript Source Code", "javascript"),
    ".ts": _spec("typescript", "TypeScript Source Code", "typescript"),
    ".html": _spec("html", "HTML Document", "html"),
    ".css": _spec("css", "CSS Stylesheet", "css"),
    ".xml": _spec("xml", "XML Document", "xml"),
    ".proto": _spec("protobuf", "Protocol Buffers Definition", "protobuf"),
    ".go": _spec("go", "Go Source Code", "go"),
    ".rs": _spec("rust", "Rust Source Code", "rust"),
    ".java": _spec("java", "Java Source Code", "java"),
    ".m": _spec("objective-c", "Objective-C Source Code", "objective-c"),
    ".mm": _spec("objective-c++", "Objective-C++ Source Code", "objective-c++"),
    ".metal": _spec("cpp", "Metal Shader Source", "cpp"),
    ".inc": _spec("cpp", "C/C++ Include Fragment", "cpp"),
    ".bat": _spec("batch", "Windows Batch Script", "batch"),
    ".ps1": _spec("powershell", "PowerShell Script", "powershell"),
}

BY_NAME = {
    "CMakeLists.txt": _CMAKE,
    "Makefile": _MAKE,
    "GNUmakefile": _MAKE,
    "makefile": _MAKE,
    "BUILD": _STARLARK,
    "BUILD.bazel": _STARLARK,
    "WORKSPACE": _STARLARK,
    "Dockerfile": _spec("docker", "Dockerfile", "dockerfile"),
}

BINARY_LABELS = {
    ".png": "PNG Image",
    ".jpg": "JPEG Image",
    ".jpeg": "JPEG Image",
    ".gif": "GIF Image",
    ".ico": "Icon Image",
    ".pdf": "PDF Document",
    ".zip": "ZIP Archive",
    ".gz": "Gzip Archive",
    ".tar": "Tar Archive",
    ".whl": "Python Wheel",
    ".so": "Shared Library",
    ".dll": "Shared Library",
    ".pyc": "Python Bytecode",
    ".pt": "PyTorch Serialized Data",
    ".pth": "PyTorch Serialized Data",
    ".onnx": "ONNX Model",
    ".npy": "NumPy Array Data",
}


def binary_spec(path: str) -> LanguageSpec:
    """The spec of a metadata-only binary page, labelled by extension where known."""
    label = BINARY_LABELS.get(posixpath.splitext(path)[1].lower(), BINARY.type_label)
    return LanguageSpec("binary", label, "", "binary", "")


@lru_cache(maxsize=512)
def spec_for(path: str) -> LanguageSpec:
    """The language of a repository path, from its name; Pygments decides for the unknown."""
    name = posixpath.basename(path)
    extension = posixpath.splitext(name)[1].lower()
    if name in BY_NAME:
        return BY_NAME[name]
    if extension in BY_EXTENSION:
        return BY_EXTENSION[extension]
    if extension in BINARY_LABELS:
        return binary_spec(path)
    return _pygments_spec(name)


_INTERPRETERS = {"python": _PY, "bash": _SHELL, "sh": _SHELL, "zsh": _SHELL, "ksh": _SHELL, "dash": _SHELL}
_MODELINES = {"c++": _CPP_HEADER, "python": _PY, "sh": _SHELL, "cmake": _CMAKE, "yaml": _YAML}


def refine_by_content(spec: LanguageSpec, text: str) -> LanguageSpec:
    """For a file without a telling name: its `#!` interpreter or `-*- C++ -*-` modeline."""
    if spec is not TEXT:
        return spec
    first = text[:300].split("\n", 1)[0]
    if first.startswith("#!"):
        words = [word for word in first[2:].split() if not word.startswith("-")]
        interpreter = words[-1 if words[:1] and words[0].endswith("/env") else 0] if words else ""
        return _INTERPRETERS.get(re.sub(r"[\d.]+$", "", interpreter.rsplit("/", 1)[-1]), spec)
    mode = re.search(r"-\*-\s*(?:mode:\s*)?([\w+]+)", first)
    return _MODELINES.get(mode.group(1).lower(), spec) if mode else spec


def _pygments_spec(name: str) -> LanguageSpec:
    from pygments.lexers import find_lexer_class_for_filename

    lexer = find_lexer_class_for_filename(name)
    if lexer is None or not lexer.aliases or lexer.aliases[0] == "text":
        return TEXT
    alias = lexer.aliases[0]
    return LanguageSpec(alias, f"{lexer.name} File", alias, "lexical", alias)
