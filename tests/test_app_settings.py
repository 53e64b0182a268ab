"""`mtreview app --config FILE` runs the app with the settings it resolved, whole: every
key of the file (and of the MTREVIEW_* variables, and FILE, --db) reaches the Streamlit
child, whose own folder's mtreview.toml changes nothing.

The child's environment is built by the function `run_app` starts it with
(`app_launch`), from arguments the real parser read; the app then runs under exactly that
environment with AppTest, from an empty folder."""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from open_widgets import segment_list
from streamlit.testing.v1 import AppTest

from mtreview.cli import build_parser
from mtreview.cli.review import app_launch
from mtreview.errors import SettingsError
from mtreview.settings import (
    APP_SETTINGS_VARIABLE,
    Settings,
    load_settings,
    settings_for_app,
    settings_json,
)
from mtreview.store import ReviewStore
from mtreview.ui.page import SETTINGS, _jobs
from mtreview.ui.view_model import ALL_CATEGORIES

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "mtreview" / "data"
FIELDS = {field.name: field for field in dataclasses.fields(Settings)}
# by default: repeated_words ("le le"), spacing (two spaces), french_spacing ("texte!")
ARTICLE = (
    "Le rapport annuel a été publié lundi par le le ministère.\n\n"
    "Les organisations  non gouvernementales ont critiqué ce texte! Elles demandent plus "
    "de transparence.\n\n"
    "Le gouvernement a répondu mardi. Il promet un dialogue ouvert avec la société "
    "civile.\n\n"
    "Les journalistes attendent encore les chiffres. Aucune date n'a été donnée.\n\n"
    "La suite du débat est prévue en automne.\n"
)
TYPOLOGY = (
    "category\tsubcategory\tneutral\tminor\tmajor\n"
    "Accuracy\t\t0\t2\t10\n"
    "Sens\tContresens\t0\t3\t12\n"
    "Other\t\t0\t1\t3\n"
)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {_toml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def _write_config(path: Path, values: dict[str, Any]) -> Path:
    lines = ["[mtreview]", *(f"{key} = {_toml(value)}" for key, value in values.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _team_files(team: Path) -> dict[str, Path]:
    team.mkdir()
    files = {
        "document": team / "article.txt",
        "mqm_typology": team / "typology.tsv",
        "model_table": team / "models.tsv",
        "calque_table": team / "calques.tsv",
    }
    files["document"].write_text(ARTICLE, encoding="utf-8")
    files["mqm_typology"].write_text(TYPOLOGY, encoding="utf-8")
    shutil.copy(DATA / "opus_mt.tsv", files["model_table"])
    shutil.copy(DATA / "calques.tsv", files["calque_table"])
    return files


def _every_key(team: Path) -> dict[str, Any]:
    """A value other than the default for every key: models off (their names still travel)."""
    files = _team_files(team)
    return {
        "lang": "de",
        "pivot": "es",
        "source_lang": "uk",
        "back_model": "team/back-model",
        "return_model": "team/return-model",
        "source_model": "team/source-model",
        "back_token": ">>deu<<",
        "return_token": ">>spa<<",
        "source_token": ">>ukr<<",
        "model_table": str(files["model_table"]),
        "backend": "ct2",
        "compute_type": "int8",
        "threads": 2,
        "batch_size": 5,
        "num_beams": 2,
        "num_return": 3,
        "max_length": 99,
        "max_segment_chars": 5000,
        "table_quoting": "csv",
        "system": "teamsys",
        "use_models": False,
        "metrics": ["chrf"],
        "checks": ["repeated_words", "french_spacing", "non_french"],
        "disabled_checks": ["french_spacing"],
        "grammar": False,
        "grammar_typography": True,
        "grammar_spelling": True,
        "grammar_suggestions": True,
        "grammar_processes": 3,
        "surprisal_threshold": -3.5,
        "surprisal_major_threshold": -9.0,
        "roundtrip_flags": False,
        "calque_table": str(files["calque_table"]),
        "allowed_words": ["Kazakhstanais"],
        "grammar_command": "/opt/grammalecte/grammalecte-cli",
        "grammar_timeout": 30.0,
        "nbest_agreement": 0.5,
        "risk_flag_scale": 2.5,
        "flag_weights": {"rule:repeated_words": 0.25},
        "document_pass": False,
        "db": str(team / "team.db"),
        "db_schema": "team_reviews",
        "cache_dir": str(team / "cache"),
        "reviewer": "Config Reviewer",
        "document": str(files["document"]),
        "mqm_typology": str(files["mqm_typology"]),
        "page_size": 3,
        "show_system_names": True,
        "max_upload_mb": 7,
        "signin_free_failures": 3,
        "signin_delay_seconds": 1.0,
        "signin_delay_factor": 3.0,
        "signin_lockout_failures": 6,
        "signin_lockout_minutes": 30.0,
        "password_hashes_at_once": 1,
        "trust_forwarded_for": True,
        "session_idle_minutes": 30.0,
        "session_max_hours": 8.0,
        "cookie_secure": True,
        "allowed_hosts": ["review.example.org"],
        "oidc_key_claim": "preferred_username",
        "timing_log": str(team / "timing.jsonl"),
    }


@pytest.fixture
def user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's shell: no MTREVIEW_* variable set, in an empty folder (no mtreview.toml)."""
    for key in list(os.environ):
        if key.startswith("MTREVIEW_"):
            monkeypatch.delenv(key)
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def _launch(*argv: str) -> tuple[list[str], dict[str, str]]:
    """What `mtreview app ARGV` would start: the command line and its environment."""
    args = build_parser().parse_args(["app", *argv])
    args.streamlit_options = []
    return app_launch(args)


def _as_child(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    """This process's environment becomes the child's, exactly."""
    for key in list(os.environ):
        if key not in env:
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)


def _run(at: AppTest | None = None) -> AppTest:
    at = at or AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_every_key_of_the_config_file_reaches_the_app(
    user: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    team = tmp_path / "team"
    values = _every_key(team)
    config = _write_config(team / "team.toml", values)
    resolved = load_settings(config, environ={})
    changed = [n for n, f in FIELDS.items() if getattr(resolved, n) != f.default]
    assert changed == list(FIELDS), "give every key a value other than its default"

    line, env = _launch("--config", str(config), "--headless")
    options = dict(itertools.pairwise(line))
    assert options["--server.maxUploadSize"] == "7"
    assert not [key for key in env if key.startswith("MTREVIEW_") and key != APP_SETTINGS_VARIABLE]
    _as_child(monkeypatch, env)
    at = _run()

    assert at.session_state[SETTINGS] == resolved  # the whole object, every key
    assert not (user / "mtreview.db").exists() and list(user.iterdir()) == []
    with ReviewStore(values["db"]) as store:  # the store the file names
        [info] = store.documents()
        reviews = list(store.iter_segments(info.doc_id))
    assert info.name == "article.txt" and info.lang == "de"  # the document, read as `lang`
    assert f"Reviewer: {values['reviewer']}" in [t.value for t in at.text]
    pick = segment_list(at.sidebar)
    assert len(pick.options) == 3 < info.segments  # page_size
    captions = " | ".join(c.value for c in at.caption)
    assert f"Segments 1–3 of {info.segments} · page 1 of " in captions
    category = at.sidebar.selectbox(key="category_filter")  # the team's typology
    assert category.options == [ALL_CATEGORIES, "Accuracy", "Sens/Contresens", "Other"]
    origins = {o for r in reviews for flag in r.analysis.flags for o in flag.origins}
    assert origins == {"rule:repeated_words"}  # checks less disabled_checks (see ARTICLE)
    timings = Path(values["timing_log"]).read_text(encoding="utf-8").splitlines()
    assert timings and {"at", "seconds", "cpu"} <= set(json.loads(timings[-1]))


def test_the_apps_folder_config_changes_nothing_and_the_models_are_the_files(
    user: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    tiny_fr_en: Path,
    tiny_en_fr: Path,
) -> None:
    team = tmp_path / "team"
    files = _team_files(team)
    config = _write_config(
        team / "team.toml",
        {
            "back_model": str(tiny_fr_en),
            "return_model": str(tiny_en_fr),
            "grammar": False,
            "num_beams": 1,  # random tiny models: short greedy decoding
            "max_length": 32,
            "db": str(team / "team.db"),
            "document": str(files["document"]),
            "mqm_typology": str(files["mqm_typology"]),
            "reviewer": "Anne",
            "page_size": 2,
        },
    )
    _write_config(  # what the app's own folder says: never read under --config
        user / "mtreview.toml",
        {
            "use_models": False,
            "back_model": "nowhere/back",
            "db": "here.db",
            "mqm_typology": "missing.tsv",
            "page_size": 99,
            "reviewer": "Mallory",
        },
    )
    monkeypatch.setenv("MTREVIEW_PAGE_SIZE", "4")  # the user's variable beats the file
    _line, env = _launch("--config", str(config))
    _as_child(monkeypatch, env)
    at = _run()

    settings = at.session_state[SETTINGS]
    assert settings == load_settings(config, environ={"MTREVIEW_PAGE_SIZE": "4"})
    assert len(segment_list(at.sidebar).options) == 4
    assert "Reviewer: Anne" in [t.value for t in at.text]
    assert sorted(p.name for p in user.iterdir()) == ["mtreview.toml"]  # no here.db
    with ReviewStore(settings.db) as store:
        [info] = store.documents()
    job = _jobs(settings.db).wait(info.doc_id, timeout=300)  # the models' background pass
    assert job is not None and job.error is None
    with ReviewStore(settings.db) as store:
        info = store.document(info.doc_id)
        first = next(store.iter_segments(info.doc_id))
    models = info.analysis_info["models"]  # the banner's record: which models analysed it
    assert models == {"back": str(tiny_fr_en), "return": str(tiny_en_fr), "source": None}
    assert first.analysis.back_translation


def test_file_and_db_on_the_command_line_win_over_the_config(user: Path, tmp_path: Path) -> None:
    team = tmp_path / "team"
    files = _team_files(team)
    config = _write_config(
        team / "team.toml",
        {"db": str(team / "team.db"), "document": str(files["document"]), "page_size": 5},
    )
    (user / "other.txt").write_text(ARTICLE, encoding="utf-8")
    _line, env = _launch("other.txt", "--db", "flag.db", "--config", str(config))
    settings = settings_for_app(env)
    assert settings.document == str(user / "other.txt")  # resolved: the child may move
    assert (settings.db, settings.page_size) == ("flag.db", 5)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ('{"page_size": 0}', "page_size must be an integer from 1 to 10000, got 0"),
        ('{"page_size": Infinity}', "page_size must be an integer from 1 to 10000, got inf"),
        ('{"max_upload_mb": "20"}', "max_upload_mb must be an integer"),
        ('{"grammar_timeout": NaN}', "grammar_timeout must be a number from 0.001 to 86400"),
        ('{"db": "a\\u0000b"}', "db must be text without U+0000 (NUL)"),
        ('{"pages": 3}', "unknown setting 'pages'"),
        ("[1, 2]", "must be a JSON object of settings"),
        ("{", "not valid JSON"),
    ],
)
def test_the_handed_settings_are_checked_again(given: str, message: str) -> None:
    with pytest.raises(SettingsError) as error:
        settings_for_app({APP_SETTINGS_VARIABLE: given})
    assert str(error.value).startswith(f"environment {APP_SETTINGS_VARIABLE}: ")
    assert message in str(error.value)


def test_the_handed_settings_win_over_the_childs_own_variables(tmp_path: Path) -> None:
    resolved = Settings(page_size=7, db=str(tmp_path / "x.db"), document="doc.txt")
    environ = {APP_SETTINGS_VARIABLE: settings_json(resolved), "MTREVIEW_PAGE_SIZE": "9"}
    assert settings_for_app(environ) == resolved
    assert settings_for_app({"MTREVIEW_PAGE_SIZE": "9"}).page_size == 9  # streamlit run app.py


def test_the_app_says_a_bad_handed_setting_in_one_line(
    user: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(APP_SETTINGS_VARIABLE, '{"page_size": -1}')
    at = _run()
    [error] = [e.value.replace("\\", "") for e in at.error]  # markdown escapes removed
    expected = "page_size must be an integer from 1 to 10000, got -1"
    assert error == f"environment {APP_SETTINGS_VARIABLE}: {expected}"
    assert list(user.iterdir()) == []  # no store made
