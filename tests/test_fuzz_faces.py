"""The standing fuzz of the faces around the readers: command-line options, file names,
settings files and variables, model directories, damaged partial outputs and output paths
that collide. Every run exits 0 with what it promised, or 2 with one line; none raises a
traceback or hangs, changes an input, or leaves a file it did not promise.
`MTREVIEW_FUZZ_EXAMPLES=N` sets the examples per test (`benchmarks/fuzz_faces.py` is the
long run, with counts by outcome)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import signal
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fuzzing import MOSES_SOURCE, check_jsonl_output, fuzz_settings, report_counts
from hypothesis import event, given
from hypothesis import strategies as st

from mtreview.cli import build_parser, main
from mtreview.settings import Settings

OUTCOMES: dict[str, int] = {}
HANG_SECONDS = 60
# argv cannot hold NUL; surrogate escapes stand for bytes that are not UTF-8
NAMES_BYTES = [
    b"plain.txt", b"caf\xe9.txt", b"\xff\xfe.txt", b"sp ace.txt", b"-dash.txt", b"new\nline.txt",
    b"x" * 200 + b".txt", "zoé 😀.txt".encode(), b"out.jsonl.partial", b".hidden.txt",
    b"\xed\xa0\x80.txt", b"tab\t.txt", b"--help", b"-", b"\xe2\x80\xae.txt",
]  # fmt: skip
HOSTILE_VALUES = [
    "0", "-1", "1", "2", "1.9", "inf", "-inf", "nan", "NaN", "1e999", "9223372036854775808",
    "", " ", "x", "true", "none", "auto", "hf", "ct2", "int8", "jsonl", "tsv", "all",
    "a,b", ",", "\udcff", "é", "dir/../new.out", "/", ".", "..", "out.jsonl", "out.tsv",
    "fifo", "device", "link", "store.db", "sqlite:///store.db", "postgresql://nobody@/x",
    "--no-models", "-o", "chrf", "bleu,ter", "Helsinki-NLP/opus-mt-fr-en",
]  # fmt: skip
TEXT = b"Le chat dort. Il fait beau !\n\nLa pression des ONG est forte.\n"
# commands whose runs stay in the folder and this process (no server, no Ray, no hub)
COMMANDS = ("score", "export", "import-analysis", "import-reviews", "calibrate", "cache",
            "users", "assign", "agreement", "audit")  # fmt: skip
# a valid start for each command, so that options are tried on runs that may succeed
BASES: dict[str, list[tuple[str, ...]]] = {
    "score": [("score", "input.txt"), ("score", "moses.txt", "--source-file", "source.txt")],
    "export": [("export", "--db", "store.db", "--format", fmt)
               for fmt in ("tmx", "xliff", "tsv", "jsonl", "moses", "mqm", "reviews")],
    "import-analysis": [("import-analysis", "analysis.jsonl", "--db", "new.db"),
                        ("import-analysis", "analysis.jsonl", "--db", "store.db")],
    "import-reviews": [("import-reviews", "reviews.jsonl", "--db", "new.db"),
                       ("import-reviews", "reviews.jsonl", "--db", "store.db")],
    "calibrate": [("calibrate", "reviews.jsonl", "--analysis", "analysis.jsonl"),
                  ("calibrate", "store.db", "--analysis", "analysis.jsonl")],
    "cache": [("cache", "--cache-dir", "cache"), ("cache", "--cache-dir", "dir", "--clear")],
    "users": [("users", "list", "--db", "store.db"), ("users", "add", "anne", "--db", "store.db")],
    "assign": [("assign", "input", "--db", "store.db", "--reviewers", "anne")],
    "agreement": [("agreement", "--db", "store.db")],
    "audit": [("audit", "verify", "--db", "store.db"), ("audit", "list", "--db", "store.db")],
}  # fmt: skip
NEVER = {"--engine", "--ray-address", "--help", "-h", "--version"}


@pytest.fixture(scope="module", autouse=True)
def _report(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    report_counts(request, OUTCOMES, "fuzz faces: {total} generated cases ({parts})")


# --- the invariant --------------------------------------------------------------------------
class Hang(BaseException):
    """Not an Exception: nothing in mtreview may catch it."""


@contextlib.contextmanager
def no_hang() -> Iterator[None]:
    def fire(_signum: int, _frame: object) -> None:
        raise Hang(f"no answer in {HANG_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.alarm(HANG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def run(face: str, argv: list[str], folder: Path, *, count: bool = True) -> Run:
    """`mtreview ARGV` in this process, from `folder`: exit 0, or exit 2 with one line; no
    traceback; what it printed is valid UTF-8."""
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", newline="")
    err = io.StringIO()
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        with no_hang(), contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            code = main(argv)
    except SystemExit as exc:  # argparse: usage errors (2), --help (0)
        code = exc.code if isinstance(exc.code, int) else 2
    finally:
        os.chdir(cwd)
    text = err.getvalue()
    assert "Traceback" not in text, text
    assert code in (0, 2), (code, text)
    out.flush()
    printed = raw.getvalue().decode("utf-8")  # invalid UTF-8 fails here
    text.encode("utf-8")  # so does a lone surrogate in a message
    if code == 2 and not text.startswith("usage:"):
        lines = [line for line in text.splitlines() if not line.startswith("note ")]
        assert len(lines) == 1 and lines[0].startswith("mtreview: error: "), text
    if count:
        name = f"{face} exit {code}"
        event(name)
        OUTCOMES[name] = OUTCOMES.get(name, 0) + 1
    return Run(code, printed, text)


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """Every entry under `folder`: its kind and, for files, a hash of its bytes."""
    entries: dict[str, tuple[int, str]] = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        kind = stat.S_IFMT(info.st_mode)
        digest = ""
        if stat.S_ISREG(info.st_mode):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        elif stat.S_ISLNK(info.st_mode):
            digest = os.readlink(path)
        entries[str(path.relative_to(folder))] = (kind, digest)
    return entries


def check_effects(
    before: dict[str, tuple[int, str]], folder: Path, result: Run, promised: set[str]
) -> None:
    """Inputs unchanged (a special file stays what it was); after exit 2 nothing new; after
    exit 0 nothing new but what the run promised (and its insides)."""
    after = snapshot(folder)
    for name, (kind, digest) in before.items():
        assert name in after, f"{name} was removed"
        if name.split("/")[0] not in promised:
            assert after[name] == (kind, digest), f"{name} was changed"
        else:
            assert after[name][0] == kind, f"{name} changed kind"
    new = {name.split("/")[0] for name in after} - {name.split("/")[0] for name in before}
    if result.code == 2:
        assert not new, f"a refusal left {sorted(new)}"
    else:
        assert new <= promised, f"left {sorted(new - promised)}"


_TEMPLATE: list[Path] = []


def _template() -> Path:
    """Inputs every face may use, made once: an article, a Moses pair, a run's analysis, a
    store holding it, and that store's reviews backup."""
    if _TEMPLATE:
        return _TEMPLATE[0]
    folder = Path(tempfile.mkdtemp(prefix="fuzz-faces-template-"))
    (folder / "input.txt").write_bytes(TEXT)
    (folder / "source.txt").write_bytes(MOSES_SOURCE.encode())
    (folder / "moses.txt").write_bytes(b"Le caf\xc3\xa9.\nOui.\n")
    steps = [
        ["score", "input.txt", "--no-models", "--no-grammar", "-o", "analysis.jsonl"],
        ["import-analysis", "analysis.jsonl", "--db", "store.db", "--input", "input.txt"],
        ["export", "--db", "store.db", "--format", "reviews", "-o", "reviews.jsonl"],
    ]
    for argv in steps:
        cwd = Path.cwd()
        os.chdir(folder)
        try:
            with contextlib.redirect_stderr(io.StringIO()):
                assert main(argv) == 0, argv
        finally:
            os.chdir(cwd)
    _TEMPLATE.append(folder)
    return folder


def folder_with_inputs() -> tuple[tempfile.TemporaryDirectory[str], Path]:
    """A fresh copy of the template's files, with a FIFO, a character device, a symlink to
    the article, a dangling symlink and a folder beside them."""
    holder = tempfile.TemporaryDirectory(prefix="fuzz-faces-")
    folder = Path(holder.name)
    for path in _template().iterdir():
        shutil.copy2(path, folder / path.name)
    os.mkfifo(folder / "fifo")
    try:
        os.mknod(folder / "device", stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:  # not root: a FIFO stands for it
        os.mkfifo(folder / "device")
    (folder / "link").symlink_to("input.txt")
    (folder / "dangling").symlink_to("nowhere/out.jsonl")
    (folder / "dir").mkdir()
    return holder, folder


# --- options: any option of any command, any value ------------------------------------------
def _options(command: str) -> list[tuple[str, bool]]:
    """(option, takes a value) of a command, from the parser itself."""
    parser = build_parser()
    sub = next(a for a in parser._subparsers._group_actions)  # type: ignore[union-attr]
    found: list[tuple[str, bool]] = []
    stack = [sub.choices[command]]
    while stack:
        current = stack.pop()
        for action in current._actions:
            if action.option_strings:
                for option in action.option_strings:
                    if option not in NEVER:
                        found.append((option, action.nargs != 0))
            elif getattr(action, "choices", None) and isinstance(action.choices, dict):
                stack.extend(action.choices.values())
    return sorted(set(found))


OPTIONS = {command: _options(command) for command in COMMANDS}
values = st.sampled_from(HOSTILE_VALUES)


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from(COMMANDS))
    argv = list(draw(st.sampled_from(BASES[command]))) if draw(st.integers(0, 3)) else [command]
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.integers(0, 9))
        if kind <= 5:
            option, takes = draw(st.sampled_from(OPTIONS[command]))
            argv.append(option)
            if takes:
                argv.append(draw(values))
        elif kind <= 7:
            argv.append(draw(values))
        else:  # a misspelt or abbreviated option
            option, _ = draw(st.sampled_from(OPTIONS[command]))
            cut = draw(st.integers(3, max(3, len(option) - 1)))
            argv.append(option[:cut] + draw(st.sampled_from(["", "s", "x"])))
    if command == "score":
        argv += ["--no-grammar", "--no-models", "--engine", "local"]
    if "--password-stdin" not in argv and command == "users":
        argv.append("--password-stdin")
    return argv


@fuzz_settings(ci_examples=150)
@given(argv=command_lines())
def test_any_option_of_any_command(argv: list[str]) -> None:
    holder, folder = folder_with_inputs()
    with holder, _stdin(b"correct horse battery staple 1\n"):
        before = snapshot(folder)
        result = run("options", argv, folder)
        # any word may have named an output (`-oNAME` too): what is not named stays as it was
        new = {path.name for path in folder.iterdir()} - {name.split("/")[0] for name in before}
        named = [word.split("=")[-1] for word in argv if word.strip("-")]
        # a name in a word (-oNAME), or a word's name with a suffix (moses: OUT.fr)
        promised = {name for name in new if any(name in w or name.startswith(w) for w in named)}
        # what a run may write: special files (in place), the store, a folder
        promised |= {"fifo", "device", "link", "dangling", "dir", "store.db"}
        promised |= {"input.txt"} if any("link" in word for word in argv) else set()
        promised |= {"mtreview.toml"} if "--fit" in argv else set()  # its documented file
        check_effects(before, folder, result, promised)


@contextlib.contextmanager
def _stdin(data: bytes) -> Iterator[None]:
    import sys

    previous = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    try:
        yield
    finally:
        sys.stdin = previous


# --- file names: not UTF-8, dashes, line breaks, long ----------------------------------------
@fuzz_settings(ci_examples=60)
@given(
    name=st.sampled_from(NAMES_BYTES) | st.binary(min_size=1, max_size=12),
    output=st.sampled_from([None, "out.jsonl", "NAME.jsonl", "-"]),
    fmt=st.sampled_from(["jsonl", "tsv"]),
)
def test_any_file_name(name: bytes, output: str | None, fmt: str) -> None:
    name = name.replace(b"/", b"_").replace(b"\0", b"_")
    if name in (b".", b".."):
        name = b"dots"
    holder, folder = folder_with_inputs()
    with holder:
        path = folder / os.fsdecode(name)
        if path.exists() or path.is_symlink():
            return
        path.write_bytes(TEXT)
        argv = ["score", "--no-models", "--no-grammar", "--format", fmt]
        promised: set[str] = set()
        if output is not None:
            target = os.fsdecode(name) + ".jsonl" if output == "NAME.jsonl" else output
            argv += ["-o", target]
            promised.add(target)
        argv += ["--", os.fsdecode(name)]
        before = snapshot(folder)
        result = run("file names", argv, folder)
        check_effects(before, folder, result, promised)
        if result.code == 0 and output not in (None, "-") and fmt == "jsonl":
            assert check_jsonl_output(folder / next(iter(promised))) > 0


# --- settings: files and variables -----------------------------------------------------------
FIELDS = sorted(Settings.__dataclass_fields__)
toml_values = st.sampled_from(
    ["0", "-1", "1", "1.9", "inf", "-inf", "nan", "9223372036854775808", "true", '""', '"x"',
     '"\\u0000"', '"a\\u0000b"', "[]", '["a", 1]', '{a = "x"}', "[[1]]", '"../up"', '"/"',
     '"\\udcff"', '"é"', "1e999", '"20"', '"hf"', '"all"', "2026-01-01"]
)  # fmt: skip


@fuzz_settings(ci_examples=120)
@given(
    pairs=st.lists(st.tuples(st.sampled_from(FIELDS), toml_values), min_size=1, max_size=3),
    section=st.booleans(),
    via_environment=st.booleans(),
)
def test_any_settings(pairs: list[tuple[str, str]], section: bool, via_environment: bool) -> None:
    holder, folder = folder_with_inputs()
    with holder:
        argv = ["score", "input.txt", "--no-models", "--no-grammar", "-o", "out.jsonl"]
        names = {key for key, _ in pairs}
        if {"use_models", "grammar", "back_model", "return_model"} & names:
            return  # a model or Grammalecte run is another face's
        saved = dict(os.environ)
        if via_environment:
            for key, value in pairs:
                os.environ[f"MTREVIEW_{key.upper()}"] = _as_variable(value)
        else:
            lines = ["[mtreview]"] if section else []
            lines += [f"{key} = {value}" for key, value in pairs]
            (folder / "team.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
            argv += ["--config", "team.toml"]
        before = snapshot(folder)
        try:
            result = run("settings", argv, folder)
        finally:
            os.environ.clear()
            os.environ.update(saved)
        # a valid cache_dir is the user's cache, made where it says
        promised = {"out.jsonl"} | {_as_variable(v) for k, v in pairs if k == "cache_dir"}
        check_effects(before, folder, result, promised)
        if result.code == 0:
            assert check_jsonl_output(folder / "out.jsonl") > 0


def _as_variable(value: str) -> str:
    """A TOML value as an environment variable holds it (no quotes; a variable has no NUL)."""
    return value.strip('"').replace("\\u0000", "")


# --- outputs that collide with inputs, each other or special files ---------------------------
targets = st.sampled_from(
    [None, "out.jsonl", "input.txt", "link", "fifo", "device", "dir", "dangling", "source.txt",
     "nowhere/out.jsonl", "store.db", "-", "./input.txt", "dir/../input.txt", "out.jsonl"]
)  # fmt: skip


@fuzz_settings(ci_examples=120)
@given(
    output=targets,
    summary=targets,
    db=targets,
    moses=st.booleans(),
    resume=st.booleans(),
    fmt=st.sampled_from(["jsonl", "tsv"]),
)
def test_outputs_never_destroy(
    output: str | None, summary: str | None, db: str | None, moses: bool, resume: bool, fmt: str
) -> None:
    holder, folder = folder_with_inputs()
    with holder:
        fifo_reader = _drain(folder / "fifo")
        argv = ["score", "moses.txt" if moses else "input.txt", "--no-models", "--no-grammar"]
        argv += ["--source-file", "source.txt"] if moses else []
        argv += ["--format", fmt] + (["--resume"] if resume else [])
        promised = set()
        for flag, value in (("-o", output), ("--summary", summary), ("--db", db)):
            if value is not None:
                argv += [flag, value]
                promised.add(os.path.normpath(value).split("/")[0])
        before = snapshot(folder)
        try:
            result = run("outputs", argv, folder)
        finally:
            fifo_reader.close()
        inputs = {argv[1], "source.txt" if moses else argv[1]}
        promised |= {"input.txt"} if "link" in promised else set()  # written through the link
        check_effects(before, folder, result, promised - inputs)
        for special, kind in (("fifo", stat.S_ISFIFO), ("link", stat.S_ISLNK)):
            assert kind((folder / special).lstat().st_mode), f"{special} was replaced"


class _drain:
    """A reader that empties a FIFO, so a run writing into it is never blocked."""

    def __init__(self, path: Path) -> None:
        import threading

        self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.stop.wait(0.01):
            with contextlib.suppress(BlockingIOError):
                os.read(self.fd, 1 << 16)

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        os.close(self.fd)


# --- damaged partial outputs and --resume ----------------------------------------------------
PARTIAL_INPUT = "\n\n".join(f"Phrase numéro {i} du texte." for i in range(8)) + "\n"
PARTIAL_ARGV = ["score", "input.txt", "--no-models", "--no-grammar", "--no-cache"]


def interrupt_after(folder: Path, records: int) -> None:
    """`score -o out.jsonl` stopped as Ctrl-C stops it, once `records` records are flushed:
    the partial output and its sidecar stay in `folder`."""
    from mtreview.scoring import resume

    flush = resume.ResumableOutput.flush
    written = [0]

    def stop(self: resume.ResumableOutput) -> None:
        flush(self)
        written[0] += 1
        if written[0] >= records:
            raise KeyboardInterrupt

    resume.ResumableOutput.flush = stop  # type: ignore[method-assign]
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            code = main([*PARTIAL_ARGV, "-o", "out.jsonl"])
    finally:
        os.chdir(cwd)
        resume.ResumableOutput.flush = flush  # type: ignore[method-assign]
    assert code == 128 + signal.SIGINT
    assert (folder / "out.jsonl.partial").is_file() and (folder / "out.jsonl.progress").is_file()


@pytest.fixture(scope="module")
def whole_run(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """The bytes of the uninterrupted run."""
    folder = tmp_path_factory.mktemp("whole")
    (folder / "input.txt").write_text(PARTIAL_INPUT, encoding="utf-8")
    assert run("partials", [*PARTIAL_ARGV, "-o", "whole.jsonl"], folder, count=False).code == 0
    return (folder / "whole.jsonl").read_bytes()


@fuzz_settings(ci_examples=100)
@given(
    stopped_after=st.integers(1, 6),
    action=st.sampled_from(["keep", "repeat", "drop", "swap", "edit", "bytes", "cut", "extra"]),
    where=st.integers(0, 50),
    fragment=st.sampled_from([b"\xff", b"{", b"}", b'"text": "x", ', b"\n", b"", b"null", b"1"]),
)
def test_any_partial_output(
    whole_run: bytes, stopped_after: int, action: str, where: int, fragment: bytes
) -> None:
    holder, folder = folder_with_inputs()
    with holder:
        (folder / "input.txt").write_text(PARTIAL_INPUT, encoding="utf-8")
        interrupt_after(folder, stopped_after)
        partial = folder / "out.jsonl.partial"
        partial.write_bytes(damage(partial.read_bytes(), action, where, fragment))
        before = snapshot(folder)
        result = run("partials", [*PARTIAL_ARGV, "-o", "out.jsonl", "--resume"], folder)
        if result.code == 2:
            assert snapshot(folder) == before, "a refusal deleted or cut something"
        else:
            assert (folder / "out.jsonl").read_bytes() == whole_run
            assert not partial.exists()
            event(f"partials resumed after {action}")


def damage(content: bytes, action: str, where: int, fragment: bytes) -> bytes:
    lines = content.splitlines(keepends=True)
    index = where % len(lines)
    if action == "repeat":
        lines.insert(index, lines[index])
    elif action == "drop" and len(lines) > 1:
        del lines[index]
    elif action == "swap" and len(lines) > 1:
        lines[index], lines[index - 1] = lines[index - 1], lines[index]
    elif action == "edit":
        record = json.loads(lines[index])
        record["text"] = record["text"][::-1] + " "
        lines[index] = (json.dumps(record, ensure_ascii=False) + "\n").encode()
    elif action == "bytes":
        line = lines[index]
        cut = where % max(1, len(line))
        lines[index] = line[:cut] + fragment + line[cut + 1 :]
    elif action == "cut":
        lines[-1] = lines[-1][: where % max(1, len(lines[-1]))]
    elif action == "extra":
        lines.append(lines[-1])
    return b"".join(lines)


# --- model directories: any damage, and any value in any config key --------------------------
CONFIG_FILES = ("config.json", "generation_config.json", "tokenizer_config.json", "vocab.json")
json_values = st.sampled_from(
    [None, True, 0, -1, 1, 3, 2**31, 2**63, 10**30, 1.5, float("inf"), float("nan"), "", "x",
     "\u0000", [], [1], {}, {"a": 1}, "<unk>", "swish", "float16"]
)  # fmt: skip


@pytest.fixture(scope="module")
def model_dirs(
    tmp_path_factory: pytest.TempPathFactory, tiny_fr_en: Path
) -> tuple[Path, dict[str, Path]]:
    """The good tiny model and every damaged copy of it."""
    from mtreview.testing.damaged_models import damaged_model_dirs

    folder = tmp_path_factory.mktemp("damaged-models")
    return tiny_fr_en, dict(damaged_model_dirs(tiny_fr_en, folder))


@fuzz_settings(ci_examples=100)
@given(
    how=st.sampled_from(["case", "edit"]),
    case=st.integers(0, 10_000),
    file=st.sampled_from(CONFIG_FILES),
    key=st.integers(0, 10_000),
    value=json_values,
    backend=st.sampled_from(["hf", "ct2"]),
)
def test_any_model_directory(
    model_dirs: tuple[Path, dict[str, Path]],
    how: str,
    case: int,
    file: str,
    key: int,
    value: object,
    backend: str,
) -> None:
    good, damaged = model_dirs
    holder, folder = folder_with_inputs()
    with holder:
        model = folder / "model"
        event(f"model directories: {how}")
        if how == "case":
            names = sorted(damaged)
            shutil.copytree(damaged[names[case % len(names)]], model)
        else:  # one key of one file set to any JSON value
            shutil.copytree(good, model)
            data = json.loads((model / file).read_text(encoding="utf-8"))
            keys = sorted(data)
            data[keys[key % len(keys)]] = value
            (model / file).write_text(json.dumps(data), encoding="utf-8")
        argv = ["score", "input.txt", "--back-model", "model", "--return-model", str(good)]
        argv += ["--backend", backend, "--no-grammar", "--no-cache", "--cache-dir", "cache"]
        argv += ["--num-beams", "1", "-o", "out.jsonl"]
        before = snapshot(folder)
        result = run("model directories", argv, folder)
        check_effects(before, folder, result, {"out.jsonl", "cache"})
        if how == "case":  # every damaged copy is refused
            assert result.code == 2, (sorted(damaged)[case % len(damaged)], result.err)
        if result.code == 2:
            assert "model" in result.err
        else:
            assert check_jsonl_output(folder / "out.jsonl") > 0
