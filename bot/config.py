"""Repository configuration: `.github/docbot.yml`, parsed strictly and merged over defaults."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, fields, replace
from functools import cached_property

import pathspec

from bot.errors import ConfigError

CONFIG_PATH = ".github/docbot.yml"
MAX_CONFIG_BYTES = 64 * 1024
MODES = ("auto", "suggestions", "branch", "commit", "off")
MIRROR_KEYS = ("docs_dir", "include", "exclude", "project_name", "generator", "max_file_bytes")
_PAGE_SUFFIXES = ("_docs.md", "_kw.md", "/index.md", "/doc.md", "/sub.md")
_MAX_GLOBS = 200
_MAX_GLOB_LEN = 300
_WILDCARDS = frozenset("*?[]!")
# Never documented unless included by name: what people do not read as text.
BINARY_EXTENSIONS = frozenset("""
    .png .jpg .jpeg .gif .bmp .ico .icns .webp .tif .tiff .psd .svgz .mp3 .mp4 .m4a .ogg .wav .flac .avi .mov
    .mkv .webm .pdf .doc .docx .xls .xlsx .ppt .pptx .odt .zip .gz .tgz .bz2 .xz .zst .7z .rar .tar .jar .war
    .whl .egg .so .dylib .dll .exe .a .lib .o .obj .pyc .pyo .pyd .class .wasm .bin .dat .npy .npz .pt .pth
    .onnx .pb .h5 .pkl .pickle .db .sqlite .sqlite3 .woff .woff2 .ttf .otf .eot
""".split())
LOCK_FILES = frozenset({"poetry.lock", "Pipfile.lock", "uv.lock", "pdm.lock", "package-lock.json", "yarn.lock",
                        "pnpm-lock.yaml", "bun.lockb", "npm-shrinkwrap.json", "Cargo.lock", "Gemfile.lock",
                        "composer.lock", "go.sum", "flake.lock", "mix.lock", "pubspec.lock", "Podfile.lock",
                        "packages.lock.json", "conda-lock.yml"})


@dataclass(frozen=True)
class RepoConfig:
    """What a repository asks of docbot; every field has a safe default."""

    docs_dir: str = "docs"
    include: tuple[str, ...] = ("**",)
    exclude: tuple[str, ...] = ("third_party/**",)
    mode: str = "auto"
    summary_comment: bool = True
    check_run: bool = True
    project_name: str = ""
    max_files: int = 300
    max_file_bytes: int = 1_000_000
    generator: str = "docbot"
    draft_prs: bool = False
    # Not a setting: the folder a run moves the mirror away from; its pages are no sources either.
    moved_from: str = ""

    @cached_property
    def _include(self) -> pathspec.PathSpec:
        return compile_globs(self.include)

    @cached_property
    def _exclude(self) -> pathspec.PathSpec:
        return compile_globs(self.exclude)

    @cached_property
    def named(self) -> frozenset[str]:
        """Include patterns that name one path (no wildcard): these are documented whatever the defaults say."""
        return frozenset(g.strip("/") for g in self.include if not _WILDCARDS & set(g))

    @cached_property
    def _mirror_folders(self) -> tuple[str, ...]:
        return (self.docs_dir + "/", self.moved_from + "/") if self.moved_from else (self.docs_dir + "/",)

    def is_generated(self, path: str) -> bool:
        """True for pages of the mirror itself: generated files are never sources."""
        return path.endswith(_PAGE_SUFFIXES) and path.startswith(self._mirror_folders)

    def without_generated(self, paths: list[str]) -> list[str]:
        """`paths` less the mirror's own pages, as one comprehension (a mirror has several per source)."""
        docs = self._mirror_folders
        return [p for p in paths if not (p.endswith(_PAGE_SUFFIXES) and p.startswith(docs))]

    def docs_dir_files(self, paths) -> list[str]:
        """The paths under docs_dir."""
        docs = self.docs_dir + "/"
        return [p for p in paths if p.startswith(docs)]

    def is_source(self, path: str) -> bool:
        """True when `path` (repository-relative) should have mirror pages."""
        if self.is_generated(path) or self._exclude.match_file(path):
            return False
        if self.left_out_by_default(path) and path not in self.named:
            return False
        return self.include == ("**",) or self._include.match_file(path)

    @staticmethod
    def left_out_by_default(path: str) -> bool:
        """Binary formats and lock files (`.gitattributes` adds generated and vendored files)."""
        name = path.rpartition("/")[2]
        dot = name.rfind(".")
        return name in LOCK_FILES or (dot > 0 and name[dot:].lower() in BINARY_EXTENSIONS)

    def same_mirror(self, other: RepoConfig) -> bool:
        """Whether both configs give the same mirror (which files, where, and the settings that shape text)."""
        return all(getattr(self, key) == getattr(other, key) for key in MIRROR_KEYS)

    def with_project(self, name: str) -> RepoConfig:
        return self if self.project_name else replace(self, project_name=name)


def compile_globs(globs: tuple[str, ...]) -> pathspec.PathSpec:
    """gitignore-style patterns (`**` crosses folders, a pattern without a slash matches at any depth, `!`
    negates) matched by RE2: no pattern can make matching backtrack."""
    return pathspec.PathSpec.from_lines("gitignore", globs, backend="re2")


def parse_config(data: bytes | str | None) -> RepoConfig:
    """Parse `.github/docbot.yml`; None or an empty file gives the defaults."""
    if data is None:
        return RepoConfig()
    if isinstance(data, str):
        data = data.encode("utf-8")
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{CONFIG_PATH} is {len(data):,} bytes; the limit is {MAX_CONFIG_BYTES:,}")
    import yaml  # why here: most repositories have no config file, and the import is a tenth of startup

    try:
        raw = yaml.safe_load(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{CONFIG_PATH} is not valid UTF-8 (byte {exc.start})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{CONFIG_PATH} is not valid YAML{where}") from None
    if raw is None:
        return RepoConfig()
    if not isinstance(raw, dict):
        raise ConfigError(f"{CONFIG_PATH} must be a mapping of settings, not {type(raw).__name__}")
    return RepoConfig(**{key: _validate(key, value, CONFIG_PATH) for key, value in _known(raw).items()})


def load_config(data: bytes | str | None, overrides: dict, default_project: str) -> RepoConfig:
    """The repository's config file, command-line overrides on top, the project named if it is not."""
    return apply_overrides(parse_config(data), overrides).with_project(default_project)


def docs_dir_source(overrides: dict | None) -> str:
    """Where docs_dir came from, for messages: the option, or the file."""
    return "--docs-dir" if overrides and overrides.get("docs_dir") else CONFIG_PATH


def apply_overrides(config: RepoConfig, overrides: dict) -> RepoConfig:
    """Command-line values (None = not given) over a parsed config, validated the same way."""
    given = {k: v for k, v in _known(overrides).items() if v is not None}
    return replace(config, **{k: _validate(k, list(v) if isinstance(v, tuple) else v, "--" + k.replace("_", "-"))
                              for k, v in given.items()})


def _known(raw: dict) -> dict:
    valid = {f.name for f in fields(RepoConfig)} - {"moved_from"}
    unknown = sorted(str(k) for k in raw if k not in valid)
    if unknown:
        raise ConfigError(
            f"{CONFIG_PATH}: unknown setting(s) {', '.join(unknown)[:200]}; "
            f"valid settings: {', '.join(sorted(valid))}"
        )
    return raw


def _validate(key: str, value: object, source: str) -> object:
    """The value checked; a ConfigError names where it came from (the file, or the option)."""
    try:
        return _checked(key, value)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from None


def _checked(key: str, value: object) -> object:
    if key == "docs_dir":
        return _docs_dir(value)
    if key in ("include", "exclude"):
        return _globs(key, value)
    if key == "mode":
        if value is False:  # YAML 1.1 reads a bare `off` as false
            return "off"
        if value not in MODES:
            raise ConfigError(f"mode must be one of {', '.join(MODES)}")
        return value
    if key in ("summary_comment", "check_run", "draft_prs"):
        if not isinstance(value, bool):
            raise ConfigError(f"{key} must be true or false")
        return value
    if key in ("max_files", "max_file_bytes"):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 10**9:
            raise ConfigError(f"{key} must be a whole number from 1 to 1000000000")
        return value
    if not isinstance(value, str) or len(value) > 100 or any(c in value for c in "\r\n`<>"):
        raise ConfigError(f"{key} must be a short single-line text")
    return value


def _docs_dir(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError("docs_dir must be a non-empty relative folder path")
    norm = posixpath.normpath(value.strip().strip("/"))
    parts = norm.split("/")
    bad = (
        "\\" in value
        or value.startswith("/")
        or norm in (".", "")
        or ".." in parts
        or parts[0].lower() in (".git", ".github")  # case-insensitive file systems exist
        or any(p.lower().startswith(".git") for p in parts)
        or len(norm) > 200
        or any(ord(c) < 32 for c in norm)
    )
    if bad:
        raise ConfigError(f"docs_dir {str(value)[:100]!r} must be a folder inside the repository, e.g. 'docs'")
    return norm


def _globs(key: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or len(value) > _MAX_GLOBS:
        raise ConfigError(f"{key} must be a list of at most {_MAX_GLOBS} glob patterns")
    for item in value:
        if not isinstance(item, str) or not item.strip() or len(item) > _MAX_GLOB_LEN:
            raise ConfigError(f"every {key} entry must be a glob of 1 to {_MAX_GLOB_LEN} characters")
        if any(ord(c) < 32 for c in item) or item.strip() in ("/", "!", "#") or item.startswith("#"):
            raise ConfigError(f"{key} pattern {item[:80]!r} can never match a file")
        try:
            compile_globs((item,))
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{key} pattern {item[:80]!r} is not a valid pattern ({str(exc)[:100]})") from None
    return tuple(value)
