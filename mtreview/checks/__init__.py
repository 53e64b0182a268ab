"""Rule checks that need no model, in one registry: `CHECKS` maps a name to its class.

Which run: `Settings.checks` (empty: every check on by default; `all`: every one) less
`Settings.disabled_checks`. docs/checks.md lists them.
"""

from __future__ import annotations

import importlib
import pkgutil

from mtreview.checks.base import CHECKS, Check, DocumentContext, register_check, words
from mtreview.errors import SettingsError
from mtreview.settings import Settings

# Every module of this package is imported, in name order (the order of `CHECKS`): a check
# registers itself with `@register_check` where it is written, and no list can forget it.
for _module in sorted(info.name for info in pkgutil.iter_modules(__path__)):
    importlib.import_module(f"mtreview.checks.{_module}")


def enabled_checks(settings: Settings) -> list[Check]:
    """The checks the settings ask for, built once; unknown names are a settings error."""
    asked = {*settings.checks, *settings.disabled_checks} - {"all"}
    unknown = sorted(name for name in asked if name not in CHECKS)
    if unknown:
        raise SettingsError(
            f"unknown check {', '.join(unknown)} (choose from {', '.join(sorted(CHECKS))})"
        )
    if "all" in settings.checks:
        names: tuple[str, ...] = tuple(CHECKS)
    else:
        names = settings.checks or tuple(name for name, cls in CHECKS.items() if cls.default_on)
    return [CHECKS[name](settings) for name in names if name not in settings.disabled_checks]


__all__ = ["CHECKS", "Check", "DocumentContext", "enabled_checks", "register_check", "words"]
