"""Shared fixtures: tiny real Marian models (built once, cached), the shipped article."""

from __future__ import annotations

import fcntl
import hashlib
import itertools
import os
import subprocess
import tempfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mtreview.testing.postgres import TemporaryPostgres

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "data" / "kaztag-ngo-pressure.fr.txt"
SCHEMAS = Path(__file__).resolve().parent / "schemas"

# No test may reach a model hub.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Torch's OpenMP threads wait for work by spinning on their core. On several workers
# (scripts/test.sh: two on two cores, and tests run model processes at once) spinning
# threads took the cores the others needed (on a shared, busy machine test_cache and
# test_score_store used 2.6-3 times the CPU seconds): there they wait passively, which
# does the same arithmetic (same outputs). In one process (the fast tier) a core is free
# for the spinning, and waking sleeping threads cost more system time than it saved.
if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# A store for whatever runs outside a test's own (an app rerun finishing after its test):
# never ./mtreview.db in the checkout.
os.environ["MTREVIEW_DB"] = str(Path(tempfile.mkdtemp(prefix="mtreview-tests-")) / "stray.db")


@pytest.fixture(scope="session", autouse=True)
def _app_on_loopback() -> None:
    """AppTest runs the app with no server: say it listens as `mtreview app` would, on
    127.0.0.1 (a store without accounts refuses to serve any wider)."""
    from streamlit import config

    config.set_option("server.address", "127.0.0.1")


@pytest.fixture(scope="session", autouse=True)
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Analysis cache and CTranslate2 conversions go to a temporary folder, not ~/.cache."""
    os.environ.setdefault("MTREVIEW_CACHE_DIR", str(tmp_path_factory.mktemp("mtreview-cache")))


@pytest.fixture(scope="session")
def session_cache(_private_cache_dir: None) -> Path:
    """The session's cache folder (MTREVIEW_CACHE_DIR, one per worker)."""
    return Path(os.environ["MTREVIEW_CACHE_DIR"])


@pytest.fixture(scope="session")
def ct2_conversion(session_cache: Path) -> Callable[[Path, str], Path]:
    """`(model, compute type) -> folder`: the session's CTranslate2 conversion, made once
    on first use (a conversion imports torch and the converter: ~4 CPU s in a process).
    Only test_ct2's race converts the tiny models at once in processes of their own."""
    from mtreview.backends.ct2 import convert_once

    return lambda model, compute_type: convert_once(str(model), compute_type, session_cache)


def _builder_fingerprint() -> str:
    from mtreview.testing import tiny_marian

    source = Path(tiny_marian.__file__).read_bytes()
    corpus = sorted((Path(tiny_marian.__file__).parent / "corpus").glob("*.txt"))
    digest = hashlib.sha256(source)
    for path in corpus:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# Random weights rarely stop before the length limit, and beam search to 256 tokens was
# most of the suite's time: the tiny models ship a generation limit of 24 tokens, which both
# backends honour (test_tiny_builder keeps one model on opus-mt's 512).
TINY_MAX_LENGTH = 24


def _models_folder(config: pytest.Config) -> Path:
    """Where the tiny models are kept: pytest's cache, or, with the cache provider off
    (`-p no:cacheprovider`), a folder in the system's temporary directory. Either way
    named by the builder's fingerprint, so a changed builder or corpus builds anew."""
    name = f"tiny-marian-{_builder_fingerprint()}"
    cache = getattr(config, "cache", None)
    if cache is not None:
        return Path(cache.mkdir(name))
    folder = Path(tempfile.gettempdir()) / f"mtreview-{name}"
    folder.mkdir(exist_ok=True)
    return folder


def _tiny(
    request: pytest.FixtureRequest, src: str, tgt: str, variant: str = "", **options: Any
) -> Path:
    from mtreview.testing.tiny_marian import build_tiny_marian

    options.setdefault("max_length", TINY_MAX_LENGTH)
    folder = _models_folder(request.config)
    out = folder / f"{src}-{tgt}{variant}-g{options['max_length']}"
    # Parallel workers (pytest -n) build each model once: the first takes the lock, the
    # others wait for it and find the model there.
    with (folder / f"{out.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "model.safetensors").is_file():
            seed = zlib.crc32(f"{src}-{tgt}".encode()) % 1000
            build_tiny_marian(out, src=src, tgt=tgt, seed=seed, **options)
    return out


@pytest.fixture(scope="session")
def tiny_fr_en(request: pytest.FixtureRequest) -> Path:
    return _tiny(request, "fr", "en")


@pytest.fixture(scope="session")
def tiny_en_fr(request: pytest.FixtureRequest) -> Path:
    return _tiny(request, "en", "fr")


@pytest.fixture(scope="session")
def tiny_ru_fr(request: pytest.FixtureRequest) -> Path:
    return _tiny(request, "ru", "fr")


@pytest.fixture(scope="session")
def tiny_en_mul(request: pytest.FixtureRequest) -> Path:
    """English into French or Spanish, as opus-mt-en-ROMANCE: a >>fra<< / >>spa<< first."""
    return _tiny(request, "en", "fr", "-mul", target_tokens=(">>fra<<", ">>spa<<"), init_std=0.1)


@pytest.fixture(scope="session")
def tiny_fr_en_large(request: pytest.FixtureRequest) -> Path:
    """Weights over 10 MB: huggingface_hub resumes a cut download from its last 10 MB chunk."""
    return _tiny(request, "fr", "en", "-large", d_model=256, ffn=1024)


@pytest.fixture(scope="session")
def article() -> Path:
    return ARTICLE


# --- review stores: the same tests on SQLite and on a real PostgreSQL ----------------------
@pytest.fixture(scope="session")
def postgres() -> Iterator[TemporaryPostgres]:
    """One throwaway PostgreSQL server for the session (initdb + pg_ctl, Unix socket)."""
    with TemporaryPostgres() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def store_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a test's store lives: an SQLite file, or a fresh database on the server."""
    if request.param == "sqlite":
        yield str(tmp_path / "review.db")
        return
    server: TemporaryPostgres = request.getfixturevalue("postgres")
    name = f"t{next(_DATABASES)}"
    yield server.create_database(name)
    server.drop_database(name)


_DATABASES = itertools.count(1)


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """For AppTest: a store of its own, reviewer Anne, no models, run from an empty folder."""
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "review.db"
    monkeypatch.setenv("MTREVIEW_DB", str(db))
    monkeypatch.setenv("MTREVIEW_REVIEWER", "Anne")
    for name in ("MTREVIEW_DOCUMENT", "MTREVIEW_BACK_MODEL", "MTREVIEW_RETURN_MODEL"):
        monkeypatch.delenv(name, raising=False)
    return db


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright, one for the browser tests (they run one after
    the other on one worker; each test has a context of its own): a launch costs seconds."""
    from streamlit_server import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


# --- tiers: markers from what a test uses, so none is forgotten ------------------------------
FUZZ_MODULES = {"test_fuzz", "test_fuzz_faces", "test_hostile_input"}


# quick tools a test may run without being a `processes` test
QUICK_TOOLS = {"xmllint", "grammalecte-cli", "git", "node", "initdb", "pg_ctl", "createdb"}
_RUNNING: list[str] = []  # the node id of the test being run
_LAUNCHED: dict[str, list[str]] = {}


def _spy_on_processes() -> None:
    """Records each process a test starts (in its fixtures too), to check its marks."""
    original = subprocess.Popen.__init__

    def launch(self: subprocess.Popen[Any], args: Any, *rest: Any, **options: Any) -> None:
        words = [args] if isinstance(args, str | bytes | os.PathLike) else list(args)
        program = os.path.basename(os.fsdecode(words[0])) if words else ""
        if _RUNNING and program not in QUICK_TOOLS:
            _LAUNCHED.setdefault(_RUNNING[0], []).append(program)
        original(self, args, *rest, **options)

    subprocess.Popen.__init__ = launch  # type: ignore[method-assign]


_spy_on_processes()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    _RUNNING[:] = [item.nodeid]
    yield
    _RUNNING.clear()


@pytest.fixture(autouse=True)
def _processes_are_marked(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that starts Python processes or servers must say so (`processes`), so the
    fast tier stays fast; browser and PostgreSQL tests are their own tiers."""
    yield
    launched = _LAUNCHED.pop(request.node.nodeid, [])
    marks = {mark.name for mark in request.node.iter_markers()}
    if launched and not marks & {"processes", "browser", "postgres"}:
        pytest.fail(f"started {sorted(set(launched))}: mark the test `processes`")


# With parallel workers (scripts/test.sh: pytest -n 2 --dist loadgroup): every browser
# test on one worker, one after the other (two Chromiums and their servers on 2 cores slow
# each other past the tests' patience); the rest a module at a time, so a module's
# fixtures (a scored article, a PostgreSQL, an app) are made once. xdist's own loadgroup
# marks groups in node ids, which pytest 9 no longer reads: the scheduler below groups by
# module instead, the browser modules (listed here, checked at collection) as one.
BROWSER_MODULES = frozenset(
    {
        "test_app_browser.py",
        "test_app_flow.py",
        "test_blind_wire.py",
        "test_compare_browser.py",
        "test_corpus_browser.py",
        "test_drafts_browser.py",
        "test_long_document_browser.py",
        "test_models_browser.py",
        "test_team_browser.py",
    }
)


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    # xdist would hand out the modules with the most tests first; keep the order made in
    # pytest_collection_modifyitems instead (the browser group and the long modules first).
    config.option.loadscopereorder = False

    class ModuleScheduling(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return "browser" if Path(module).name in BROWSER_MODULES else module

    return ModuleScheduling(config, log)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`browser`, `postgres`, `models` and `fuzz` follow from the fixtures and module a test
    uses; `processes` and `slow` are declared by the modules that start servers or take long.
    The fast tier (`scripts/test.sh --fast`) leaves out all but `models`."""
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        params = getattr(getattr(item, "callspec", None), "params", {})
        if used & {"browser", "page"}:
            item.add_marker(pytest.mark.browser)
        if "postgres" in used or "postgresql" in params.values():
            item.add_marker(pytest.mark.postgres)
        if any(name.startswith("tiny_") for name in used):
            item.add_marker(pytest.mark.models)
        if item.module is not None and item.module.__name__ in FUZZ_MODULES:
            item.add_marker(pytest.mark.fuzz)
        if item.get_closest_marker("browser") and item.path.name not in BROWSER_MODULES:
            raise pytest.UsageError(
                f"{item.path.name} drives a browser: add it to BROWSER_MODULES in tests/conftest.py"
            )
    # The longest first (the browser modules, then those with slow tests or starting
    # processes), a module's tests together (its fixtures are made once): two workers then
    # end together instead of one waiting on a long test begun last.
    rank: dict[Path, int] = {}
    for item in items:
        rank[item.path] = max(rank.get(item.path, 0), _start_early(item))
    items.sort(key=lambda item: rank[item.path], reverse=True)  # stable: order kept within


def _start_early(item: pytest.Item) -> int:
    marks = {mark.name for mark in item.iter_markers()}
    return 2 * ("browser" in marks) + ("slow" in marks or "processes" in marks)
