"""The component's JavaScript files are ES modules that import from each other; Streamlit
loads one inline module, so `components.script()` joins them and drops their relative
imports. These tests hold the join to what makes that safe."""

from __future__ import annotations

import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path

import pytest

from mtreview.ui import components
from mtreview.ui.components import RELATIVE_IMPORT, SCRIPTS, script

UI = Path(str(resources.files("mtreview.ui")))
ANY_IMPORT = re.compile(r"^\s*import\b", re.MULTILINE)
RELATIVE_FROM = re.compile(r"""\bfrom\s*["']\.{1,2}/""")
EXPORT = re.compile(
    r"^export\s+(?:async\s+)?(?:function\*?|class|const|let|var)\s+([\w$]+)", re.MULTILINE
)
TOP_LEVEL = re.compile(
    r"^(?:export\s+)?(?:async\s+)?(?:function\*?|class|const|let|var)\s+([\w$]+)", re.MULTILINE
)


def _source(name: str) -> str:
    return (UI / name).read_text(encoding="utf-8")


def _imports(name: str) -> list[tuple[str, list[str]]]:
    """(file, names) of each relative import of one part."""
    found = []
    for match in RELATIVE_IMPORT.finditer(_source(name)):
        names = [n.strip() for n in match["names"].split(",") if n.strip()]
        found.append((match["file"], names))
    return found


def test_every_part_is_a_checked_es_module() -> None:
    on_disk = {p.name for p in UI.glob("*.js")}
    assert set(SCRIPTS) == on_disk  # a new part must be joined too
    for name in SCRIPTS:
        text = _source(name)
        assert text.startswith("// @ts-check\n"), name
        # every import is of a sibling, in the one form the join knows how to take out
        assert len(ANY_IMPORT.findall(text)) == len(_imports(name)), name


def test_the_joined_script_imports_no_file() -> None:
    joined = script()
    assert not ANY_IMPORT.search(joined)
    assert not RELATIVE_FROM.search(joined)
    assert joined.count("export default function") == 1
    assert all(part.split("\n", 1)[1][:60] in joined for part in map(_source, SCRIPTS))


def test_each_import_is_exported_by_an_earlier_part() -> None:
    """What a part imports is declared before it in the joined module (so dropping the
    import line leaves the name in scope, initialised before the part's own top level runs),
    under the same name."""
    for position, name in enumerate(SCRIPTS):
        for file, names in _imports(name):
            assert file in SCRIPTS[:position], f"{name} imports {file}, joined after it"
            exported = set(EXPORT.findall(_source(file)))
            for imported in names:
                assert " as " not in imported, f"{name}: a renamed import cannot be joined"
                assert imported in exported, f"{name} imports {imported}, not exported by {file}"


def test_no_two_parts_declare_the_same_top_level_name() -> None:
    seen: dict[str, str] = {}
    for name in SCRIPTS:
        for declared in TOP_LEVEL.findall(_source(name)):
            assert declared not in seen, f"{declared} in both {seen.get(declared)} and {name}"
            seen[declared] = name


def test_the_join_takes_out_multi_line_imports() -> None:
    text = 'import {\n  a,\n  b,\n} from "./x.js";\nimport { c } from "./y.js"\nconst d = 1;\n'
    assert RELATIVE_IMPORT.sub("", text) == "const d = 1;\n"
    assert [m["file"] for m in RELATIVE_IMPORT.finditer(text)] == ["x.js", "y.js"]


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_node_parses_the_joined_module(tmp_path: Path) -> None:
    bundle = tmp_path / "review.mjs"
    bundle.write_text(components.script(), encoding="utf-8")
    subprocess.run(["node", "--check", str(bundle)], check=True, timeout=60)
