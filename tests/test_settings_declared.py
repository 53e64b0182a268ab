"""Each setting is declared once, in mtreview/settings.py: its field carries its help (and
its range); the TOML keys, the MTREVIEW_* variables, the flags named in messages and the
table in docs/scoring.md come from the fields. No other module reads MTREVIEW_* variables,
and the environment is read only where listed below, each for a reason."""

from __future__ import annotations

import argparse
import ast
import dataclasses
from pathlib import Path

import pytest

from mtreview.cli import build_parser
from mtreview.cli.common import settings_from
from mtreview.errors import SettingsError
from mtreview.settings import _FLAG_NAMES, Settings, flag_name, settings_table

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "mtreview"
FIELDS = {field.name: field for field in dataclasses.fields(Settings)}

# Modules that may name MTREVIEW_* variables in code, other than settings.py.
NAMES_VARIABLES = {
    # the test harness plays a user: it starts `streamlit run` with variables set, and
    # MTREVIEW_PG_USER (the OS user of a throwaway PostgreSQL) is its own knob, no setting
    "testing/browser.py",
    "testing/reviewer.py",
    "testing/team_load.py",
    "testing/postgres.py",
}
# Modules that may touch os.environ / os.getenv, other than settings.py, and why.
READS_ENVIRONMENT = {
    "cli/__init__.py": "HF_HUB_DISABLE_PROGRESS_BARS, huggingface_hub's own, set for it",
    "backends/hf.py": "HF_HUB_OFFLINE, huggingface_hub's own, named in a message",
    "grammar.py": "copies the environment for the Grammalecte child (PYTHONHASHSEED)",
    "compare/reference.py": "SACREBLEU_SEED, sacreBLEU's own: read, and set while it is read",
    "testing/browser.py": "the harness's app child",
    "testing/postgres.py": "the harness's PostgreSQL user",
}


def _modules() -> list[tuple[str, ast.Module]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name != "settings.py":
            found.append((name, ast.parse(path.read_text(encoding="utf-8"))))
    return found


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of the string statements (docstrings): prose, not code."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }


def _names_a_variable(tree: ast.Module) -> list[int]:
    prose = _docstrings(tree)
    lines = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and "MTREVIEW_" in node.value
            and id(node) not in prose
        ):
            lines.append(node.lineno)
        if isinstance(node, ast.keyword) and (node.arg or "").startswith("MTREVIEW_"):
            lines.append(node.value.lineno)
    return sorted(lines)


def _touches_environment(tree: ast.Module) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "putenv"}:
            lines.append(node.lineno)
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and {alias.name for alias in node.names} & {"environ", "getenv", "putenv"}
        ):
            lines.append(node.lineno)
    return sorted(lines)


def test_no_module_but_settings_names_an_mtreview_variable() -> None:
    found = {
        name: lines
        for name, tree in _modules()
        if (lines := _names_a_variable(tree)) and name not in NAMES_VARIABLES
    }
    assert found == {}, "read settings from the Settings object, not MTREVIEW_* variables"


def test_the_environment_is_read_only_where_listed() -> None:
    found = {name for name, tree in _modules() if _touches_environment(tree)}
    assert found == set(READS_ENVIRONMENT)


def test_the_guards_see_a_read() -> None:
    tree = ast.parse(
        '"""MTREVIEW_DOCUMENT in prose is fine."""\nimport os\n'
        'a = os.environ.get("MTREVIEW_TIMING_LOG")\nb = dict(os.environ, MTREVIEW_DB="x")\n'
        "from os import getenv\n"
    )
    assert _names_a_variable(tree) == [3, 4]
    assert _touches_environment(tree) == [3, 4, 5]


def test_every_setting_is_declared_with_help() -> None:
    for name, field in FIELDS.items():
        assert field.metadata.get("help", "").strip(), f"{name} has no help"
        if isinstance(field.default, (int, float)) and not isinstance(field.default, bool):
            low, high = field.metadata["range"]
            assert low <= field.default <= high, name


def test_the_docs_table_is_made_from_the_fields() -> None:
    page = (ROOT / "docs" / "scoring.md").read_text(encoding="utf-8")
    begin, end = "<!-- settings-table -->\n", "<!-- /settings-table -->"
    table = page[page.index(begin) + len(begin) : page.index(end)]
    assert table == settings_table(), (
        "docs/scoring.md's settings table is stale: paste the output of "
        "`.venv/bin/python -c 'from mtreview.settings import settings_table as t; "
        'print(t(), end="")\'` between its markers'
    )
    rows = [line.split("`")[1] for line in table.splitlines()[2:]]
    assert rows == list(FIELDS)


def test_flags_named_otherwise_are_fields_and_real_options() -> None:
    options: set[str] = set()
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for command in commands.choices.values():
        for action in command._actions:
            options.update(action.option_strings)
        for sub in command._actions:
            if isinstance(sub, argparse._SubParsersAction):
                for inner in sub.choices.values():
                    for action in inner._actions:
                        options.update(action.option_strings)
    assert set(_FLAG_NAMES) <= set(FIELDS)
    assert {flag_name(name) for name in _FLAG_NAMES} <= options


def _settings_from_calls() -> list[tuple[str, int, str]]:
    calls = []
    for name, tree in _modules():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "settings_from"
            ):
                calls += [(name, node.lineno, k.arg) for k in node.keywords if k.arg is not None]
    return calls


def test_every_override_a_command_passes_is_a_field() -> None:
    calls = _settings_from_calls()
    assert len(calls) > 10  # the guard sees the commands' calls
    assert [call for call in calls if call[2] not in FIELDS] == []


def test_settings_from_refuses_an_unknown_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no mtreview.toml
    args = argparse.Namespace(config=None)
    with pytest.raises(SettingsError, match=r"^option: unknown setting 'page_sise'$"):
        settings_from(args, page_sise=3)
    with pytest.raises(SettingsError, match="unknown setting 'page_sise'"):
        settings_from(args, page_sise=None)  # even when the flag was not given
