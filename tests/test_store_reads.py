"""What a script run of the app costs the store, on SQLite and on a real PostgreSQL: one
read transaction for the whole run (`one_read`), the principal checked once in it and
still refused once signed out, a write inside it seen by the reads after; the layout
counter the app's session cache is keyed on; the statements counted per thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from mtreview.errors import AccessError
from mtreview.readers import document_from_text
from mtreview.store import ReviewStore
from mtreview.store.counting import count_statements, taken
from mtreview.store.principal import Principal
from mtreview.testing.team import provider_sign_in, team

TEXT = "".join(f"Phrase numéro {n} du texte à relire.\n\n" for n in range(8))


@pytest.fixture
def team_store(store_db: str) -> Iterator[tuple[ReviewStore, dict[str, Principal]]]:
    store = ReviewStore(store_db)
    store.add_document(document_from_text(TEXT, doc_id="d", name="d.txt"))
    signed = team(store, {"anne": ("reviewer", None), "bob": ("reviewer", None)})
    store.assign("d", ["anne", "bob"], by=signed["admin"], overlap=0.5)
    count_statements(store.engine)
    taken()
    yield store, signed
    store.close()


def test_a_run_reads_in_one_transaction_and_checks_the_principal_once(
    team_store: tuple[ReviewStore, dict[str, Principal]],
) -> None:
    store, signed = team_store
    anne = signed["anne"]
    store.save_correction("d", 0, "Anne corrige.", expected_version=0, reviewer=anne)
    taken()
    reviews = list(store.iter_segments("d", viewer=anne))
    store.segment("d", 0, viewer=anne)
    store.corrections("d", 0, viewer=anne)
    apart = taken()
    with store.one_read():
        assert list(store.iter_segments("d", viewer=anne)) == reviews
        store.segment("d", 0, viewer=anne)
        history = store.corrections("d", 0, viewer=anne)
    together = taken()
    assert apart.transactions == 3 and together.transactions == 1
    # the session checked once, not at every call
    assert together.statements <= apart.statements - 2
    assert [c.text for c in history] == ["Anne corrige."]


def test_a_write_inside_the_read_is_seen_by_the_reads_after_it(
    team_store: tuple[ReviewStore, dict[str, Principal]],
) -> None:
    store, signed = team_store
    anne = signed["anne"]
    with store.one_read():
        before = store.segment("d", 1, viewer=anne)
        saved = store.save_correction("d", 1, "Vu après.", expected_version=0, reviewer=anne)
        after = store.segment("d", 1, viewer=anne)
    assert before.version == 0 and saved.version == 1
    assert after.current_text == "Vu après." and after.version == 1
    assert taken().transactions == 3  # read, write, the read after it


def test_a_signed_out_principal_is_refused_at_the_next_read(
    team_store: tuple[ReviewStore, dict[str, Principal]],
) -> None:
    store, _signed = team_store
    session = provider_sign_in(store, "bob")
    with store.one_read():
        store.segment("d", 6, viewer=session.principal)
    store.sign_out(session.token)
    with store.one_read(), pytest.raises(AccessError, match="has ended"):
        store.segment("d", 6, viewer=session.principal)
    with pytest.raises(AccessError, match="has ended"):
        store.segment("d", 6, viewer=session.principal)


def test_each_thread_reads_in_its_own_transaction(
    team_store: tuple[ReviewStore, dict[str, Principal]],
) -> None:
    store, signed = team_store
    seen: list[int] = []

    def other() -> None:
        store.save_correction("d", 2, "Autre fil.", expected_version=0, reviewer=signed["anne"])
        seen.append(store.segment("d", 2, viewer=signed["anne"]).version)

    with store.one_read():
        store.segment("d", 2, viewer=signed["anne"])
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        mine = store.segment("d", 2, viewer=signed["anne"]).version
    assert seen == [1]  # the other thread's reads were its own
    assert mine in (0, 1)  # a snapshot (SQLite's begins at its first read)
    assert store.segment("d", 2, viewer=signed["anne"]).version == 1


def test_the_layout_counter_moves_with_documents_and_assignments_only(
    team_store: tuple[ReviewStore, dict[str, Principal]],
) -> None:
    store, signed = team_store
    start, _mine = store.layout_version()
    anne = signed["anne"]
    store.add_annotation("d", 0, 0, 6, category="Fluency/Grammar", severity="minor", reviewer=anne)
    store.save_correction("d", 0, "Une autre.", expected_version=0, reviewer=anne)
    store.mark_reviewed("d", 0, reviewer=anne)
    assert store.layout_version() == (start, store.layout_writes)
    writes = store.layout_writes
    store.unassign("d", "bob", by=signed["admin"])
    assert store.layout_version() == (start + 1, writes + 1)
    with ReviewStore(store.url) as other:  # another process's change is counted too
        other.add_document(
            document_from_text("Un autre texte.\n", doc_id="e", name="e.txt"), by=signed["admin"]
        )
    assert store.layout_version() == (start + 2, writes + 1)


def test_queue_progress_is_progress_and_queue_in_one(
    team_store: tuple[ReviewStore, dict[str, Principal]],
) -> None:
    store, signed = team_store
    store.mark_reviewed("d", 0, reviewer=signed["anne"])
    mine, items = store.queue_progress("anne", limit=3)
    [expected] = [p for p in store.progress() if p.reviewer == "anne"]
    assert mine == expected and mine.done == 1
    assert items == store.queue("anne", limit=3)
    nobody, none = store.queue_progress("carol")
    assert (nobody.assigned, nobody.done, none) == (0, 0, [])
