"""What every command module shares: the command registry and settings from flags."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

Command = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, Command] = {}


def command(name: str) -> Callable[[Command], Command]:
    def register(function: Command) -> Command:
        COMMANDS[name] = function
        return function

    return register


def settings_from(args: argparse.Namespace, **overrides: Any) -> Any:
    from mtreview.settings import load_settings

    return load_settings(getattr(args, "config", None), overrides=overrides)
