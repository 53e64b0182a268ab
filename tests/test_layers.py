"""The house rules DESIGN.md states, checked on the source: imports point down the layers only,
no import cycles, no streamlit or CLI framework in the library, no print/assert/exit."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "mtreview"

# lowest first; a module may import its own layer and the layers below it
LAYERS: list[set[str]] = [
    {"", "errors", "settings", "mqm", "flags", "documents", "encoding", "stats", "hosts", "roles"}
    | {"output_paths"}  # where outputs go, shared by score and export
    | {"data_tables", "model_table"},  # shipped tables (settings reads the model table)
    {"backends", "metrics", "segmentation"},
    {"checks", "readers", "grammar", "models"},
    {"analysis"},
    {"store", "engines"},
    {"pipeline", "scoring", "calibration", "agreement", "compare"},
    {"export"},
    {"ui", "cli"},
    {"testing"},
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


CLIENT = Path("testing", "stream.py")  # tests' and benchmarks' client of the app's websocket
MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else ""
    for rank, names in enumerate(LAYERS):
        if top in names:
            return rank
    raise AssertionError(f"{module}: no layer in tests/test_layers.py; give it one")


def imports(path: Path) -> set[str]:
    """The mtreview modules `path` imports, anywhere in it (inside functions too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in MODULES else node.module)
    return {name for name in found if name in MODULES}


def third_party(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_every_module_has_a_layer() -> None:
    assert all(layer(name) >= 0 for name in MODULES)


def test_imports_point_down_the_layers() -> None:
    upward = [
        f"{name} (layer {layer(name)}) imports {target} (layer {layer(target)})"
        for name, path in sorted(MODULES.items())
        for target in sorted(imports(path))
        if layer(target) > layer(name)
    ]
    assert upward == []


def find_cycles(graph: dict[str, set[str]]) -> list[str]:
    cycles: list[str] = []
    state: dict[str, int] = {}  # 1 on the stack, 2 done

    def visit(name: str, stack: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph.get(name, ())):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*stack[stack.index(target) :], target]))
            elif target not in state:
                visit(target, [*stack, target])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return cycles


def test_no_import_cycles() -> None:
    assert find_cycles({name: imports(path) - {name} for name, path in MODULES.items()}) == []


def test_the_checker_sees_a_cycle_and_an_upward_import(tmp_path: Path) -> None:
    """The rules above would catch the faults they exist for."""
    source = tmp_path / "probe.py"
    source.write_text("from mtreview.cli import main\nfrom mtreview.store import backup\n")
    assert imports(source) == {"mtreview.cli", "mtreview.store.backup"}
    assert layer("mtreview.cli") > layer("mtreview.store.backup")
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a -> b -> c -> a"]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_library_does_not_import_the_faces() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        modules = third_party(path)
        # (the raw websocket client speaks the app's protocol: Streamlit's message types)
        if "streamlit" in modules and relative.parts[0] != "ui" and relative != CLIENT:
            offenders.append(f"{relative} imports streamlit")
        if {"argparse", "click", "typer"} & modules and relative.parts[0] not in ("cli", "testing"):
            offenders.append(f"{relative} imports a CLI framework")
    assert offenders == []


def test_library_has_no_print_assert_or_exit() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if path.relative_to(PACKAGE).parts[0] in ("ui", "testing"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assert):
                offenders.append(f"{path.name}:{node.lineno} assert")
            elif isinstance(node, ast.Call):
                called = ast.unparse(node.func)
                if called in ("print", "sys.exit", "exit", "quit", "os._exit"):
                    offenders.append(f"{path.name}:{node.lineno} {called}")
            elif isinstance(node, ast.ExceptHandler) and node.type is None:
                offenders.append(f"{path.name}:{node.lineno} bare except")
    assert offenders == []


def test_the_app_and_the_article_ship_inside_the_package() -> None:
    """`mtreview app` runs from an installed wheel: script and article are package data."""
    root = PACKAGE.parent
    assert (PACKAGE / "ui" / "streamlit_app.py").is_file()
    shipped = PACKAGE / "data" / "kaztag-ngo-pressure.fr.txt"
    assert shipped.read_bytes() == (root / "data" / "kaztag-ngo-pressure.fr.txt").read_bytes()
