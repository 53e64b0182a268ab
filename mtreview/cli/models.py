"""`mtreview models list|fetch|convert|rm`: a thin face over `mtreview.models.manage`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from mtreview.cli.common import command, err, out, settings_from
from mtreview.errors import HubUnreachableError


def add_models_parser(commands: Any) -> None:
    from mtreview.backends.ct2 import COMPUTE_TYPES

    parser = commands.add_parser(
        "models", help="list, fetch, convert and remove the translation models"
    )
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="the models the settings use, and what is here")
    fetch = actions.add_parser(
        "fetch", help="download and verify models (default: the back and return models)"
    )
    fetch.add_argument("names", nargs="*", metavar="NAME", help="hub names or directories")
    fetch.add_argument(
        "--optional", action="store_true", help="hub unreachable: say so, exit 0 (scripts)"
    )
    convert = actions.add_parser("convert", help="convert a model for the ct2 backend")
    convert.add_argument("name", metavar="NAME")
    convert.add_argument("--compute-type", choices=COMPUTE_TYPES, default="auto")
    remove = actions.add_parser("rm", help="delete a model from the caches, with its conversions")
    remove.add_argument("name", metavar="NAME")
    for sub in (listing, fetch, convert, remove):
        sub.add_argument("--lang", help="language of the translation (default fr)")
        sub.add_argument("--pivot", help="back-translation language (default en)")
        sub.add_argument("--cache-dir", help="mtreview cache: ct2 conversions (default ~/.cache)")
        sub.add_argument("--config", help="settings TOML file (default ./mtreview.toml)")


@command("models")
def run_models(args: argparse.Namespace) -> int:
    settings = settings_from(args, lang=args.lang, pivot=args.pivot, cache_dir=args.cache_dir)
    return int(ACTIONS[args.action](args, settings))


def _out(line: str) -> None:
    out(line + "\n")


def _note(line: str) -> None:
    err(f"note  {line}\n")


def run_list(_args: argparse.Namespace, settings: Any) -> int:
    from mtreview.backends import hub
    from mtreview.models import manage

    _out(f"models for {settings.lang} -> {settings.pivot} -> {settings.lang}:")
    for role, name, token in manage.default_models(settings):
        status = manage.model_status(name)
        detail = (
            f"{manage.mb(status.size)}  rev {status.revision[:12]}  {status.path}"
            if status.ready
            else status.problem
        )
        _out(f"  {role:<7} {name}{'  ' + token if token else ''}  {status.state}  {detail}")
    _out(f"Hugging Face cache ({hub.cache_root()}):")
    cached = hub.cached_models()
    for model in cached:
        _out(f"  {model.name}  {manage.mb(model.size)}  rev {model.revision[:12]}  "
             f"{manage.file_count(model.files)}")  # fmt: skip
    if not cached:
        _out("  (empty)")
    found = manage.conversions(settings)
    _out(f"CTranslate2 conversions ({settings.resolved_cache_dir() / 'ct2'}):")
    for folder in found:
        _out(f"  {folder.name}  {manage.mb(manage.folder_size(folder))}")
    if not found:
        _out("  (none)")
    return 0


def run_fetch(args: argparse.Namespace, settings: Any) -> int:
    from mtreview.models import manage

    names = args.names or [name for _role, name, _token in manage.default_models(settings)]
    try:
        for name in manage.fetch_names(names, note=_out):
            _fetch_one(name)
    except HubUnreachableError as exc:
        if not args.optional:
            raise
        _note(f"{exc}; going on without fetching")
    return 0


def _fetch_one(name: str) -> None:
    from tqdm import tqdm

    from mtreview.models import manage

    plan = manage.plan_or_cached(name, note=_out)
    if plan is None:
        return
    if plan.to_download:
        count = manage.file_count(len(plan.to_download))
        _out(f"{name}: {count}, {manage.mb(plan.download_bytes)} to download "
             f"(rev {plan.revision[:12]})")  # fmt: skip
    bar = tqdm(
        total=plan.download_bytes,
        unit="B",
        unit_scale=True,
        desc=name.rsplit("/", 1)[-1],
        file=sys.stderr,
        disable=not plan.to_download or not sys.stderr.isatty(),
        leave=False,
    )
    try:
        path = manage.fetch(plan, on_bytes=bar.update, note=_out)
    finally:
        bar.close()
    what = "downloaded and verified" if plan.to_download else "already here, verified"
    _out(f"{name}: {what} ({manage.mb(plan.total_bytes)}, rev {plan.revision[:12]}) in {path}")


def run_convert(args: argparse.Namespace, settings: Any) -> int:
    from mtreview.models import manage

    path = manage.convert(args.name, args.compute_type, settings)
    _out(f"{args.name}: CTranslate2 model ({manage.mb(manage.folder_size(path))}) in {path}")
    return 0


def run_remove(args: argparse.Namespace, settings: Any) -> int:
    from mtreview.models import manage

    removal = manage.remove(args.name, settings)
    if removal.hub_bytes:
        _out(f"{args.name}: removed from the Hugging Face cache ({manage.mb(removal.hub_bytes)})")
    for folder in removal.conversions:
        _out(f"{args.name}: removed conversion {folder.name}")
    if not removal.hub_bytes and not removal.conversions:
        _out(f"{args.name}: a local directory, left as it is (no conversions to remove)")
    return 0


ACTIONS = {"list": run_list, "fetch": run_fetch, "convert": run_convert, "rm": run_remove}
