"""Recall of docbot's C/C++ keywords against Universal Ctags, on headers every machine here has.

Reads the headers in `/usr/include/c++/*/bits` and `/usr/include/python3*` in place (or the
folders given), runs `ctags --output-format=json` over them and docbot's analyzer on each file,
and prints: recall of ctags' definitions by kind (classes, structs, unions, enums, namespaces,
functions, macros, typedefs; locals and include guards left out), the keywords docbot files
under a type kind (class, struct, union, enum) that ctags knows as no type of that file, the
files with the most misses, and the files whose analysis says it was reduced.

A definition counts as found when its name (the last `::` part) is a keyword of the file in a
definition group (not an include or a macro invocation); a googletest `TEST(...) {`, which ctags
lists as a function named `TEST`, when docbot lists a test case for it.
"""

from __future__ import annotations

import argparse
import glob
import json
import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analyzers import analyze_source  # noqa: E402

KINDS = ("class", "struct", "union", "enum", "namespace", "function", "macro", "typedef")
TYPE_GROUPS = ("Classes", "Structs", "Unions", "Enums")
TYPE_KINDS = {"class", "struct", "union", "enum", "typedef"}
NOT_DEFINITIONS = {"Includes", "Macro Invocations"}
TEST_MACROS = {"TEST", "TEST_F", "TEST_P", "TYPED_TEST", "TYPED_TEST_P"}
EXTENSIONS = {".h", ".hh", ".hpp", ".hxx", ".tcc", ".c", ".cc", ".cpp", ".cxx", ".cu", ".cuh", ".inl", ".ipp"}
# The first `#ifndef X` followed by `#define X`: an include guard, which ctags lists as a macro.
_GUARD = re.compile(r"^\s*#\s*ifndef\s+(\w+)\s*\n\s*#\s*define\s+\1\b", re.M)
WORST = 12


def default_roots() -> list[str]:
    return sorted(glob.glob("/usr/include/c++/*/bits")) + sorted(glob.glob("/usr/include/python3*"))


def source_files(roots: list[str]) -> list[Path]:
    return sorted(p for root in roots for p in Path(root).rglob("*") if p.is_file() and p.suffix in EXTENSIONS)


def ctags_definitions(files: list[Path]) -> dict[str, list[tuple[str, str, int]]]:
    """path -> [(kind, name, line)] of the kinds compared, include guards left out."""
    command = ["ctags", "--output-format=json", "--fields=+nK", "--langmap=C++:+.tcc.ipp.cuh.cu", "-L", "-", "-o", "-"]
    listing = "\n".join(str(path) for path in files)
    done = subprocess.run(command, input=listing, capture_output=True, text=True, check=True)
    tags: dict[str, list[tuple[str, str, int]]] = {}
    for line in done.stdout.splitlines():
        tag = json.loads(line)
        if tag.get("_type") != "tag" or tag.get("kind") not in KINDS or tag["name"].startswith("__anon"):
            continue
        if tag.get("scopeKind") == "function":  # a local type, typedef or class of a function body
            continue
        tags.setdefault(tag["path"], []).append((tag["kind"], short_name(tag["name"]), tag.get("line", 0)))
    return tags


def short_name(name: str) -> str:
    """`std::vector<bool>::operator []` -> `operator[]`: the last scope part, spaces and arguments dropped."""
    operator = re.search(r"(?:^|::)(operator\b.*)$", name)
    if operator:
        return operator.group(1).replace(" ", "")
    depth, kept = 0, []
    for char in name:
        depth += (char == "<") - (char == ">")
        if depth == 0 and char != ">":
            kept.append(char)
    return "".join(kept).rsplit("::", 1)[-1].replace(" ", "")


def docbot_keywords(path: Path) -> tuple[dict[str, set[str]], str]:
    """Group -> last `::` parts of its keywords, and the analysis' degraded note."""
    analysis, _ = analyze_source(str(path), path.read_bytes())
    groups = {g.kind: {short_name(name) for name in g.names} for g in analysis.keywords}
    return groups, analysis.degraded


@dataclass
class Tally:
    """What the comparison counted over all files."""

    found: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    misses: dict[str, list[str]] = field(default_factory=dict)
    wrong: list[tuple[str, str, str]] = field(default_factory=list)  # path, group, name
    type_keywords: int = 0
    reduced: list[tuple[str, str]] = field(default_factory=list)

    def compare(self, path: Path, file_tags: list[tuple[str, str, int]]) -> None:
        """One file: ctags' definitions against docbot's keywords."""
        groups, reduced = docbot_keywords(path)
        if reduced:
            self.reduced.append((str(path), reduced))
        defined = set().union(*(names for kind, names in groups.items() if kind not in NOT_DEFINITIONS))
        guards = set(_GUARD.findall(path.read_text("utf-8", "replace")))
        file_tags = [tag for tag in file_tags if not (tag[0] == "macro" and tag[1] in guards)]
        test_cases = len(groups.get("Test Cases", ()))
        for kind, name, line in file_tags:
            self.total[kind] += 1
            if kind == "function" and name in TEST_MACROS and test_cases:  # `TEST(a, b) {`: a test case
                test_cases -= 1
                self.found[kind] += 1
            elif name in defined:
                self.found[kind] += 1
            else:
                self.misses.setdefault(str(path), []).append(f"{kind} {name}:{line}")
        types = {name for kind, name, _ in file_tags if kind in TYPE_KINDS}
        for group in TYPE_GROUPS:
            for name in groups.get(group, ()):
                self.type_keywords += 1
                if name not in types:
                    self.wrong.append((str(path), group, name))

    def report(self) -> None:
        found, total = sum(self.found.values()), sum(self.total.values())
        print(f"recall of ctags definitions: {100 * found / max(total, 1):.1f}% ({found}/{total})")
        for kind in KINDS:
            if self.total[kind]:
                count, of = self.found[kind], self.total[kind]
                print(f"  {kind:10} {100 * count / of:6.1f}%  ({count}/{of})")
        share = 100 * len(self.wrong) / max(self.type_keywords, 1)
        print(
            f"type-kind keywords that are no type of their file: {len(self.wrong)} of {self.type_keywords} "
            f"({share:.2f}%)"
        )
        for path, group, name in self.wrong[:WORST]:
            print(f"  {group:8} {name:30} {path}")
        print("files with the most misses:")
        for path, missed in sorted(self.misses.items(), key=lambda item: -len(item[1]))[:WORST]:
            print(f"  {len(missed):4}  {path}  e.g. {', '.join(missed[:4])}")
        print(f"files with a reduced analysis: {len(self.reduced)}")
        for path, reason in self.reduced[:WORST]:
            print(f"  {path}: {reason}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("roots", nargs="*", help="folders to read (default: libstdc++ bits and CPython headers)")
    args = parser.parse_args()
    roots = args.roots or default_roots()
    files = source_files(roots)
    tags = ctags_definitions(files)
    tally = Tally()
    for path in files:
        tally.compare(path, tags.get(str(path), []))
    size = sum(path.stat().st_size for path in files)
    print(f"files: {len(files)}, {size / 1e6:.1f} MB in {', '.join(roots)}")
    tally.report()


if __name__ == "__main__":
    main()
