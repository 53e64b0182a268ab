"""The docs stay true to the command line (issue 23).

Every `mtreview` command in a ```bash block of README.md, docs/*.md and
benchmarks/RESULTS.md is parsed by the real parser, placeholders (FILE, DIR, DB …) kept as
plain words, so a renamed or removed option, command or choice fails here. The options
named by the usage summaries and by inline `mtreview …` code must exist on their command.
The README's tour runs for real, in-process, in a folder holding the shipped article:
every command of it that needs no model (the others, and `mtreview app`, are parsed only).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import shlex
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from mtreview.cli import build_parser, main
from mtreview.cli.review import split_streamlit_options

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md")), ROOT / "benchmarks" / "RESULTS.md"]
ARTICLE = ROOT / "data" / "kaztag-ngo-pressure.fr.txt"
TWO_SYSTEMS = ROOT / "data" / "kaztag-two-systems.tsv"
PROGRAMS = {"mtreview", ".venv/bin/mtreview"}
OPERATORS = {"|", "||", "&&", ";", "&"}
FENCE = re.compile(r"^(\s*)```(\S*)\s*$")


@dataclass(frozen=True)
class Command:
    page: str
    line: int
    words: tuple[str, ...]  # after the program name

    @property
    def text(self) -> str:
        return "mtreview " + shlex.join(self.words)


def fenced_blocks(text: str) -> list[tuple[str, int, list[str]]]:
    """(language, line number of the first line, lines) of each fenced block."""
    blocks: list[tuple[str, int, list[str]]] = []
    language: str | None = None
    indent, start = "", 0
    lines: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        fence = FENCE.match(line)
        if language is None and fence:
            language, indent, start, lines = fence.group(2), fence.group(1), number + 1, []
        elif language is not None and fence and not fence.group(2):
            blocks.append((language, start, lines))
            language = None
        elif language is not None:
            lines.append(line[len(indent) :] if line.startswith(indent) else line)
    return blocks


def shell_commands(lines: list[str], first: int) -> list[tuple[int, list[str]]]:
    """Each simple command of a shell block as words: continuation lines joined, comments
    dropped, split at pipes and lists, leading VAR=value assignments left out."""
    found: list[tuple[int, list[str]]] = []
    pending, pending_line = "", first
    for number, line in enumerate(lines, first):
        if not pending:
            pending_line = number
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        logical, pending = pending + line, ""
        lexer = shlex.shlex(logical, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words: list[str] = []
        for token in [*lexer, ";"]:
            if token not in OPERATORS:
                words.append(token)
                continue
            while words and re.fullmatch(r"[A-Za-z_]\w*=.*", words[0]):
                words.pop(0)
            if words:
                found.append((pending_line, words))
            words = []
    return found


def doc_commands(pages: list[Path]) -> list[Command]:
    commands = []
    for page in pages:
        for language, start, lines in fenced_blocks(page.read_text(encoding="utf-8")):
            if language not in {"bash", "sh", "console"}:
                continue
            for line, words in shell_commands(lines, start):
                if words[0] in PROGRAMS:
                    where = page.relative_to(ROOT).as_posix()
                    commands.append(Command(where, line, tuple(words[1:])))
    return commands


COMMANDS = doc_commands(PAGES)


def parse(words: tuple[str, ...]) -> argparse.Namespace:
    """What `mtreview.cli.main` does before it runs anything; the error message on failure."""
    ours, _streamlit = split_streamlit_options(list(words))
    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
            return build_parser().parse_args(ours)
    except SystemExit:
        pytest.fail(f"mtreview {shlex.join(words)}\n{errors.getvalue().strip()}", pytrace=False)


def test_the_docs_show_commands() -> None:
    pages = {command.page for command in COMMANDS}
    assert {"README.md", "docs/scoring.md", "docs/models.md", "docs/teams.md"} <= pages
    assert len(COMMANDS) >= 40


@pytest.mark.parametrize(
    "command", COMMANDS, ids=[f"{c.page}:{c.line}:{' '.join(c.words[:2])}" for c in COMMANDS]
)
def test_every_doc_command_parses(command: Command) -> None:
    parse(command.words)


# --- the options that usage summaries and inline code name ----------------------------------


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {option for action in parser._actions for option in action.option_strings}


def options_of(words: list[str]) -> tuple[str, set[str]] | None:
    """The command `words` names (e.g. `models fetch`) and every option it takes (for a
    command with subcommands and none named, the options of all of them)."""
    parser, named = build_parser(), []
    for word in words:
        choices = _subcommands(parser)
        if word not in choices:
            break
        parser = choices[word]
        named.append(word)
    if not named and not (words and words[0].startswith("-")):
        return None  # `mtreview --help` names the program's own options
    options = _options(parser)
    for sub in _subcommands(parser).values():
        options |= _options(sub)
    return " ".join(["mtreview", *named]) if named else "", options


OPTION = re.compile(r"(?<![\w./-])(--?[A-Za-z][\w-]*(?:\.[\w.-]+)?)")


def named_options() -> list[tuple[str, str]]:
    """(where, text) of each usage summary entry and inline `mtreview …` code span."""
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        where = page.relative_to(ROOT).as_posix()
        for language, start, lines in fenced_blocks(text):
            if language:
                continue
            entry: list[str] = []
            for line in [*lines, ""]:
                if line.startswith("mtreview ") or not line.startswith(" "):
                    if entry:
                        found.append((f"{where}:{start}", " ".join(entry)))
                    entry = [line] if line.startswith("mtreview ") else []
                elif entry:
                    entry.append(line.strip())
        prose = "\n".join(line for line in re.sub(r"```.*?```", "", text, flags=re.S).splitlines())
        for span in re.findall(r"`([^`]+)`", prose):
            span = " ".join(span.split())
            if span.startswith(("mtreview ", ".venv/bin/mtreview ")) and "error:" not in span:
                found.append((where, span))
    return found


def test_usage_summaries_and_inline_commands_name_real_options() -> None:
    wrong, seen = [], 0
    for where, text in named_options():
        words = text.split()[1:]
        known = options_of(words)
        if known is None:
            wrong.append(f"{where}: {text!r}: no such command")
            continue
        command, options = known
        seen += 1
        for option in OPTION.findall(text):
            if "." in option:  # Streamlit's own (--server.port), passed through
                continue
            if option not in options:
                wrong.append(f"{where}: {text!r}: `{command or 'mtreview'}` has no {option}")
    assert not wrong, "\n".join(wrong)
    assert seen >= 30


# --- the README's tour, run --------------------------------------------------------------------


def tour_commands() -> list[Command]:
    text = README.read_text(encoding="utf-8")
    tour = text.split("## A five-minute tour", 1)[1].split("\n## ", 1)[0]
    prefix = text.split("## A five-minute tour", 1)[0].count("\n") + 1
    commands = []
    for language, start, lines in fenced_blocks(tour):
        if language == "bash":
            for line, words in shell_commands(lines, start + prefix - 1):
                if words[0] in PROGRAMS:
                    commands.append(Command("README.md", line, tuple(words[1:])))
    return commands


def needs_no_model(words: tuple[str, ...]) -> bool:
    if words[0] == "app":  # a server: parsed only
        return False
    return words[0] != "score" or "--no-models" in words


def test_the_readme_tour_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "data").mkdir()
    shutil.copy(ARTICLE, tmp_path / "data" / ARTICLE.name)
    shutil.copy(TWO_SYSTEMS, tmp_path / "data" / TWO_SYSTEMS.name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    commands = tour_commands()
    assert [c.words[0] for c in commands] == [
        *("score", "score", "score", "app", "export", "export", "score", "compare")
    ]
    ran = []
    for command in commands:
        parse(command.words)
        if needs_no_model(command.words):
            assert main(list(command.words)) == 0, command.text
            ran.append(command.words)
    assert len(ran) == 6
    # what the README says of them
    records = [json.loads(line) for line in Path("analysis.jsonl").read_text().splitlines()]
    readme = " ".join(README.read_text(encoding="utf-8").split())
    said = re.search(r"counts (\d+) segments and (\d+) flags", readme)
    assert said is not None
    assert (len(records), sum(len(r["flags"]) for r in records)) == tuple(map(int, said.groups()))
    assert all(0 <= r["risk"] <= 1 for r in records)
    with contextlib.closing(sqlite3.connect("mtreview.db")) as db:
        assert db.execute("select count(*) from documents").fetchone() == (1,)
    assert len(etree.parse("corrected.tmx").findall(".//tu")) == 20
    assert Path("report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    shown = README.read_text(encoding="utf-8").split("**5. Compare two systems.**")[1]
    counts = re.findall(r"flags {5}(\w+): (\d+) ", shown)
    systems = [json.loads(line) for line in Path("systems.jsonl").read_text().splitlines()]
    for system, count in counts:  # the flag counts the README shows are the run's
        assert sum(len(r["flags"]) for r in systems if r["system"] == system) == int(count)
    assert [name for name, _ in counts] == ["shipped", "edited"]
    risks = re.search(r"risk \(↓\) +([\d.]+) +([\d.]+)", shown)
    assert risks is not None
    for system, value in zip(("shipped", "edited"), risks.groups(), strict=True):
        mine = [r["risk"] for r in systems if r["system"] == system]
        assert f"{sum(mine) / len(mine):.2f}" == value
    assert "<html" in Path("compare.html").read_text(encoding="utf-8")


def test_the_tour_marks_a_span_the_article_has() -> None:
    """Step 3 drags over words of the first segment (the title)."""
    text = README.read_text(encoding="utf-8")
    words = re.search(r'Drag over the words "([^"]+)"', " ".join(text.split()))
    assert words is not None
    title = ARTICLE.read_text(encoding="utf-8").splitlines()[0]
    assert words.group(1) in title


# --- the pages themselves ----------------------------------------------------------------------


def test_readme_fits_a_screen_and_links_every_page() -> None:
    readme = README.read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    assert readme.split("```bash\n", 1)[1].startswith(
        "bash scripts/app.sh      # set up, fetch the models, then review the shipped article"
        " at http://localhost:8501\nbash scripts/test.sh     # set up, then lint,"
    )
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert f": {page.name}\n" in nav, f"mkdocs.yml nav lacks {page.name}"
        if page.name != "index.md":
            assert f"(docs/{page.name})" in readme, f"README does not link docs/{page.name}"
    for target in re.findall(r"\]\(((?:docs|benchmarks)/[^)#]+)", readme):
        assert (ROOT / target).is_file(), target
