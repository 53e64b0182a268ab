"""The argument parser every `mtreview` command uses: exact option names, and a "did you
mean" for a mistyped option, command or choice.

argparse takes any unambiguous prefix of an option by default, so `--no-model` was silently
`--no-models`, and a prefix that is unique today becomes an error, or another option, the
day an option is added: `allow_abbrev=False` here, for the top-level parser and, through
`add_subparsers` (which builds subparsers of the parser's own class), every subcommand's.
An unknown option is reported by the parser of the command it was given to, with that
command's usage, not by the top-level one.
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Sequence
from typing import Any, NoReturn

from mtreview.errors import printable


def closest(word: str, candidates: Sequence[str]) -> str | None:
    """The candidate `word` was most likely meant to be, if one is close enough."""
    found = difflib.get_close_matches(word, candidates, n=1)
    return found[0] if found else None


class Parser(argparse.ArgumentParser):
    """`argparse.ArgumentParser` without abbreviations, with suggestions in its errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """As argparse's, except that what this parser does not know is an error here, so a
        subcommand's parser (argparse calls this method of it) reports it with its own usage.
        mtreview never wants unknown words passed on."""
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.unrecognized(extras)
        return parsed, extras

    def unrecognized(self, extras: Sequence[str]) -> NoReturn:
        options = [name for name in self._option_string_actions if name.startswith("--")]
        described = []
        for word in extras:
            guess = closest(word.split("=", 1)[0], options) if word.startswith("-") else None
            described.append(f"{word} (did you mean {guess}?)" if guess else word)
        plural = "s" if len(extras) > 1 else ""
        self.error(f"unrecognized argument{plural} {', '.join(described)}")

    def error(self, message: str) -> NoReturn:
        """A word that is not UTF-8 (a surrogate escape) is shown as its byte, so the
        message is valid UTF-8 wherever stderr goes."""
        super().error(printable(message))

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        """A value outside the choices (a command, a --format) names the nearest choice."""
        choices = action.choices
        if choices is not None and isinstance(value, str) and value not in choices:
            guess = closest(value, [str(choice) for choice in choices])
            if guess is not None:
                raise argparse.ArgumentError(
                    action, f"invalid choice: {value!r} (did you mean {guess}?)"
                )
        super()._check_value(action, value)
