"""The command line as a Unix tool (issue 23): option names exact, mistakes answered with
the right command's usage and a "did you mean", `app --help` naming what it passes to
Streamlit."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from mtreview.cli import build_parser, main


def every_parser(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from every_parser(sub)


def error_of(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    """The lines argparse writes on stderr; the exit status must be 2."""
    with pytest.raises(SystemExit) as stopped:
        main(list(argv))
    assert stopped.value.code == 2
    return capsys.readouterr().err.splitlines()


def test_no_parser_takes_abbreviations() -> None:
    parsers = list(every_parser(build_parser()))
    assert len(parsers) > 20  # the commands and their actions (users add, models fetch …)
    assert [p.prog for p in parsers if p.allow_abbrev] == []


def test_a_prefix_of_an_option_is_refused_and_the_option_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines = error_of(capsys, "score", str(tmp_path / "x.txt"), "--no-model")
    assert lines[0].startswith("usage: mtreview score ")
    assert lines[-1] == (
        "mtreview score: error: unrecognized argument --no-model (did you mean --no-models?)"
    )


def test_a_mistyped_option_names_the_command_and_the_option(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines = error_of(capsys, "score", str(tmp_path / "x.txt"), "--no-modles")
    assert lines[0].startswith("usage: mtreview score ")
    assert lines[-1] == (
        "mtreview score: error: unrecognized argument --no-modles (did you mean --no-models?)"
    )
    lines = error_of(capsys, "users", "add", "ann", "--role", "lead", "--dbb=x.db")
    assert lines[0].startswith("usage: mtreview users add ")
    assert lines[-1] == (
        "mtreview users add: error: unrecognized argument --dbb=x.db (did you mean --db?)"
    )


def test_several_unknown_words_are_all_named(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines = error_of(capsys, "cache", "--olderthan=3", "stray")
    assert lines[-1] == (
        "mtreview cache: error: unrecognized arguments --olderthan=3 "
        "(did you mean --older-than?), stray"
    )


def test_a_mistyped_command_or_choice_names_the_nearest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines = error_of(capsys, "scroe", "x.txt")
    assert lines[0].startswith("usage: mtreview ")
    assert lines[-1] == (
        "mtreview: error: argument COMMAND: invalid choice: 'scroe' (did you mean score?)"
    )
    lines = error_of(capsys, "models", "lsit")
    assert lines[-1].startswith("mtreview models: error: argument ACTION: invalid choice")
    assert lines[-1].endswith("(did you mean list?)")
    lines = error_of(capsys, "score", "x.txt", "--format", "jsnol")
    assert lines[-1].endswith("invalid choice: 'jsnol' (did you mean jsonl?)")
    # nothing near: argparse's own list
    lines = error_of(capsys, "zzzzzz")
    assert lines[-1].startswith("mtreview: error: argument COMMAND: invalid choice: 'zzzzzz' (")
    assert "choose from 'score'" in lines[-1]


def test_app_help_names_the_streamlit_pass_through(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["app", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--SECTION.OPTION VALUE or --SECTION.OPTION=VALUE" in text
    assert "--server.port 8502" in text


@pytest.mark.parametrize("words", [["--server.address", "0.0.0.0"], ["--server.address=::"]])
def test_the_address_is_given_with_host_only(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, words: list[str]
) -> None:
    """--server.address would win over --host, and skip its check for accounts."""
    assert main(["app", "--db", str(tmp_path / "x.db"), *words]) == 2
    assert capsys.readouterr().err == (
        "mtreview: error: give the address to listen on with --host, not --server.address\n"
    )
    assert not (tmp_path / "x.db").exists()


def test_commands_share_the_parser_but_not_its_list_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`main` builds the parser once per process; a command that changes a list it was given
    by default (`--doc` not given) must not change what the next command gets."""
    from mtreview.cli.common import COMMANDS

    given: list[list[str]] = []

    def export(args: argparse.Namespace) -> int:
        given.append(list(args.doc))
        args.doc.append("changed")
        return 0

    monkeypatch.setitem(COMMANDS, "export", export)
    for _ in range(2):
        assert main(["export", "--db", "x.db", "--format", "jsonl", "-o", "x.jsonl"]) == 0
    assert given == [[], []]
