"""`.gitattributes`: generated, vendored and binary files are not documented unless included by name,
and a change of the attributes file is followed by incremental runs exactly as by a full one."""

from __future__ import annotations

import json

from gitrepo import Repo

from bot.cli import main
from bot.engine.attributes import Attributes

FILES = {
    "src/app.py": '"""App."""\n',
    "src/schema_pb2.py": '"""Generated."""\n',
    "vendor/lib.js": "var x = 1;\n",
    "assets/data.txt": "raw\n",
    "deep/pkg/gen/out.py": "X = 1\n",
    ".gitattributes": "*_pb2.py linguist-generated\nvendor/** linguist-vendored\nassets/*.txt -diff\n",
    "deep/.gitattributes": "gen/** linguist-generated=true\n",
}


def git_hides(repo: Repo, path: str) -> bool:
    """The oracle: what git itself says of the attributes docbot reads."""
    out = repo.git("check-attr", "linguist-generated", "linguist-vendored", "diff", "--", path)
    values = dict(line.split(": ")[1:] for line in out.splitlines())
    return values["linguist-generated"] in ("set", "true") or values["linguist-vendored"] in ("set", "true") \
        or values["diff"] == "unset"


def test_rules_agree_with_git_check_attr(tmp_path):
    files = {**FILES, "deep/gen/x.py": "Y = 2\n", "deep/.gitattributes": "gen/** linguist-generated=true\n*.md -diff\n",
             "deep/pkg/notes.md": "# Notes\n", "other/x_pb2.py": "Z = 3\n",
             "other/.gitattributes": "x_pb2.py -linguist-generated\n"}
    repo = Repo.init(tmp_path / "oracle", files)
    rules = Attributes({p: t for p, t in files.items() if p.endswith(".gitattributes")})
    assert {p: rules.hides(p) for p in files} == {p: git_hides(repo, p) for p in files}


def sources_documented(repo: Repo) -> set[str]:
    return {p.removeprefix("docs/").removesuffix("_docs.md") for p in repo.files("docs") if p.endswith("_docs.md")}


def test_generated_vendored_and_binary_files_get_no_pages_unless_named(tmp_path, capsys):
    repo = Repo.init(tmp_path / "attrs", FILES)
    assert main(["generate", "--repo", str(repo.path), "--all"]) == 0
    assert sources_documented(repo) == {"src/app.py", ".gitattributes", "deep/.gitattributes", "deep/pkg/gen/out.py"}
    assert main(["generate", "--repo", str(repo.path), "--all", "--include", "**",
                 "--include", "vendor/lib.js"]) == 0
    assert "vendor/lib.js" in sources_documented(repo)


def test_a_changed_attributes_file_is_followed_incrementally_as_fully(tmp_path, capsys):
    repo = Repo.init(tmp_path / "attrs", FILES)
    assert main(["generate", "--repo", str(repo.path), "--all"]) == 0
    repo.commit("docs")
    repo.write({".gitattributes": "vendor/** linguist-vendored\n"})  # schema_pb2.py and data.txt come back
    capsys.readouterr()
    assert main(["generate", "--repo", str(repo.path), "--json"]) == 0
    incremental = repo.files("docs")
    written = set(json.loads(capsys.readouterr().out)["written"])
    assert {"docs/src/schema_pb2.py_docs.md", "docs/assets/data.txt_docs.md"} <= written
    capsys.readouterr()
    assert main(["generate", "--repo", str(repo.path), "--all", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["written"] == [] and repo.files("docs") == incremental
