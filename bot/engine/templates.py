"""The one Jinja environment every page renders through, and the context a page is rendered with."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import files as resource_files

import jinja2

from bot.engine.markdown import (
    anchor,
    cell,
    code,
    fence,
    fenced,
    inline,
    line_link,
    md_escape,
    plural,
    prose,
    series,
    size,
    url,
    where,
)


@dataclass(frozen=True)
class PageContext:
    """What a page needs to know beyond its own analysis."""

    project_name: str
    generator: str = "docbot"
    docs_dir: str = "docs"
    related: tuple[str, ...] = ()  # repo paths, same folder and stem, sorted
    tests: tuple[str, ...] = ()  # repo paths of matching test files, sorted


def to_source(ctx: PageContext, folder: str, path: str) -> str:
    """Link from a mirror page in `folder` back to a repository path."""
    depth = [p for p in f"{ctx.docs_dir}/{folder}".split("/") if p not in ("", ".")]
    return ("../" * len(depth) or "./") + url(path)


@cache
def environment() -> jinja2.Environment:
    """The one Jinja environment all pages render through."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(resource_files("docbot_templates"))),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        auto_reload=False,  # why: templates ship with the package; a stat per page is wasted
    )
    for helper in (code, fence, fenced, inline, cell, md_escape, prose, anchor, url, size, plural, series):
        env.filters[helper.__name__] = helper
    env.globals["where"] = where
    env.globals["line_link"] = line_link
    return env


def keep_compiled(cache: jinja2.BytecodeCache | None) -> None:
    """Keep the compiled templates in `cache` between processes: compiling the page templates costs a
    command some 60 ms before its first page. The entry point picks the cache; the engine writes nothing."""
    environment().bytecode_cache = cache


def warm_up() -> None:
    """Compile the page templates now: worker processes forked afterwards inherit them compiled."""
    env = environment()
    for name in env.list_templates(filter_func=lambda name: name.endswith(".md.j2")):
        env.get_template(name)


def render(template: str, ctx: PageContext, **page: object) -> str:
    text = environment().get_template(template).render(ctx=ctx, **page)
    return text.rstrip("\n") + "\n"
