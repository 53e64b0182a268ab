"""The reviewer flow's pieces without a browser: keys, the remembered choice, the models'
analysis in the background (tiny real models), and the README's table of keys."""

from __future__ import annotations

from pathlib import Path

from mtreview.engines import CHUNK_SIZE
from mtreview.mqm import load_typology, parse_typology
from mtreview.settings import Settings
from mtreview.store import ReviewStore
from mtreview.ui.jobs import AnalysisJobs
from mtreview.ui.loading import load_models, open_path
from mtreview.ui.shortcuts import PAGE_KEYS, SHORTCUTS, category_keys, help_table, severity_keys
from mtreview.ui.view_model import last_choice

ROOT = Path(__file__).resolve().parent.parent


def test_category_keys_are_mnemonic_unique_and_cover_any_table() -> None:
    shipped = load_typology()
    keys = category_keys(shipped.labels)
    assert {label: keys[label] for label in shipped.labels[:7]} == {
        "Accuracy/Mistranslation": "m",
        "Accuracy/Addition": "a",
        "Accuracy/Omission": "o",
        "Accuracy/Untranslated": "u",
        "Fluency/Grammar": "g",
        "Fluency/Spelling": "s",
        "Fluency/Punctuation": "p",
    }
    assert all(keys.values()) and len(set(keys.values())) == len(keys)
    assert severity_keys(shipped.severities) == {"minor": "1", "major": "2", "critical": "3"}
    team = parse_typology(
        "category\tsubcategory\tlow\thigh\n" + "".join(f"C{i}\tS{i}\t1\t2\n" for i in range(30)),
        "team.tsv",
    )
    many = category_keys(team.labels)
    assert len(set(filter(None, many.values()))) == 26  # a key while letters last
    help_rows = help_table(shipped.labels, shipped.severities)
    assert {c["key"] for c in help_rows["categories"]} == set(keys.values())


def test_last_choice_is_the_reviewers_latest_error(tmp_path: Path, article: Path) -> None:
    typology = load_typology()
    settings = Settings(use_models=False, grammar=False)
    with ReviewStore(tmp_path / "c.db") as store:
        doc_id = open_path(store, article, settings, load_models(settings))
        reviews = list(store.iter_segments(doc_id))
        assert last_choice(reviews, "ana", typology) == {
            "category": typology.labels[0],
            "severity": typology.severities[0],
        }
        store.add_annotation(
            doc_id, 4, 0, 6, category="Style/Awkward", severity="major", reviewer="ana"
        )
        store.add_annotation(
            doc_id, 0, 0, 2, category="fluency/grammar", severity="critical", reviewer="ana"
        )
        store.add_annotation(doc_id, 1, 0, 3, category="Other", severity="minor", reviewer="bob")
        reviews = list(store.iter_segments(doc_id))
    assert last_choice(reviews, "ana", typology) == {
        "category": "Fluency/Grammar",  # the table's own label
        "severity": "critical",
    }


def test_models_analyse_in_the_background_while_the_document_is_reviewable(
    tmp_path: Path, article: Path, tiny_fr_en: Path, tiny_en_fr: Path
) -> None:
    settings = Settings(
        back_model=str(tiny_fr_en),
        return_model=str(tiny_en_fr),
        grammar=False,
        num_beams=1,
        max_length=48,
        cache_dir=str(tmp_path / "cache"),
    )
    state = load_models(settings)
    assert state.loaded
    jobs = AnalysisJobs(chunk=4)
    with ReviewStore(tmp_path / "j.db") as store:
        doc_id = open_path(store, article, settings, state, jobs)
        first = store.document(doc_id)  # stored at once, rule flags and all
        reviews = list(store.iter_segments(doc_id))
        assert len(reviews) == first.segments and any(r.analysis.flags for r in reviews)
        job = jobs.wait(doc_id, timeout=300)
        assert job is not None and job.finished and job.error is None
        assert job.done == job.total == first.segments and job.share == 1.0
        info = store.document(doc_id).analysis_info
        reviews = list(store.iter_segments(doc_id))
        again = jobs.start(store, store.load_document(doc_id), settings, state)
        assert again is not job and jobs.wait(doc_id, timeout=300) is again
        # What a server does on exit: the chunk under way ends, no other starts.
        stopping = AnalysisJobs(chunk=1)
        cut = stopping.start(store, store.load_document(doc_id), settings, state)
        stopping.stop(timeout=300)
        assert cut.finished and 1 <= cut.done < cut.total and "stopped" in (cut.error or "")
    assert first.analysis_info["analysing"] is True
    assert "analysing" not in info and info["model_free"] is False
    assert all(r.analysis.back_translation is not None for r in reviews)


def test_background_chunks_are_the_planning_modules(article: Path) -> None:
    """The app's chunks are the chunks of the windows `score --db` plans, and together the
    analyses of the whole document at once."""
    import dataclasses

    from mtreview.analysis import Analyzer
    from mtreview.pipeline import analyze_document
    from mtreview.readers import read_document
    from mtreview.scoring.run import ScoringRun

    once = read_document(article)
    document = dataclasses.replace(once, segments=once.segments * 10)
    settings = Settings(use_models=False, grammar=False)
    run = ScoringRun.of_document(settings, document)
    pieces = list(run.pieces(Analyzer(settings)))
    sizes = [len(piece) for piece in pieces]
    assert sizes[:-1] == [CHUNK_SIZE] * (len(sizes) - 1) and sum(sizes) == len(document)
    whole = analyze_document(document, Analyzer(settings))
    assert [a.to_record() for piece in pieces for a in piece] == [a.to_record() for a in whole]


def test_help_and_docs_list_every_key() -> None:
    listed = " ".join(key for key, _what in PAGE_KEYS)
    assert all(key in listed for key in SHORTCUTS.values())  # every button's key is in ?
    page = (ROOT / "docs" / "app.md").read_text(encoding="utf-8")
    for key, _what in PAGE_KEYS:
        assert f"| `{key}` |" in page, key


def test_mtreview_app_runs_the_packaged_script_for_reviewers() -> None:
    import argparse

    from mtreview.cli.review import app_command

    line = app_command(argparse.Namespace(port=8600, host="127.0.0.1"))
    script = Path(line[line.index("run") + 1])
    assert script.is_file() and script.name == "streamlit_app.py"
    assert line[line.index("--client.toolbarMode") + 1] == "viewer"  # no Deploy button
