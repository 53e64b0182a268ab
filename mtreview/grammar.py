"""French grammar and spelling through Grammalecte, run as a separate process.

Grammalecte is GPL, so it is never imported: `grammalecte-cli -f FILE -j` checks a batch of
segments written one per line (each line is one of its paragraphs) and answers JSON whose
offsets are code points into the line; a segment's line breaks become spaces, one code point
for one, so offsets map back unchanged. Typographic conventions (curly apostrophes, dash
kinds, non-breaking spaces, "fichier(s)") are left out unless `Settings.grammar_typography`
is on: they bury the real errors.

Speed and reproducibility: spelling suggestions (`-wss`) cost about 7x and vary with the
process's hash seed, so they are asked for only with `Settings.grammar_suggestions`.
Spelling flags are off by default (`Settings.grammar_spelling`): a translation model writes
dictionary words, and the words it leaves outside the dictionary are names, commands and
product names; on human catalogues nearly all spelling flags were such words. A batch
is cut into parts (`Settings.grammar_processes`; by default one per two cores, since the
rule checks use every core meanwhile), each checked by its own process at the same time,
every one with `PYTHONHASHSEED=0`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mtreview.errors import MTReviewError
from mtreview.flags import Flag
from mtreview.settings import Settings

Part = tuple[int, subprocess.Popen[bytes], Path]

ORIGIN = "grammar"
TYPOGRAPHY_OPTIONS = ("apos", "nbsp", "unit", "liga")
# Off unless grammar_typography is on: spacing and punctuation signs (mtreview's own checks
# own those, and know placeholders), comma advice, imperative guesses on subjectless UI
# strings ("Définit le nom"), number grouping, inclusive writing, pleonasms (style a human
# translator chooses, "comme par exemple", not an error a machine makes: on clean help
# pages they were a third of Grammalecte's false alarms but agreement). Measured on the
# gettext catalogues they were most of Grammalecte's false alarms (docs/checks.md).
QUIET_OPTIONS = ("esp", "typo", "virg", "imp", "num", "eepi", "pleo")
TYPOGRAPHY_RULES = re.compile(
    r"^typo_(?:tiret|signe_|inférieur|supérieur|guillemets_typographiques|points_suspension"
    r"|apostrophe_incorrecte|math|écriture_invariable)"
)
MIN_PART = 150  # segments worth a process of their own (one costs ~0.3 s to start)
# Grammalecte is about a third of a window's CPU and runs beside the rule checks, which use
# every core (`analysis.workers`): a part per core started twice the processes on 2 cores
# (0.27 s of CPU each to start, a tenth of its CPU on running text), with no gain in wall
# time, since the cores were busy with the checks already.
CORES_PER_PART = 2
# Grammalecte's error types (sType) to an MQM category guess; anything else is grammar.
CATEGORIES: Mapping[str, str] = {
    "WORD": "Fluency/Spelling",
    "maj": "Fluency/Spelling",
    "tu": "Fluency/Spelling",
    "eleu": "Fluency/Spelling",
    "typo": "Fluency/Punctuation",
    "esp": "Fluency/Punctuation",
    "virg": "Fluency/Punctuation",
    "nbsp": "Fluency/Punctuation",
    "apos": "Fluency/Punctuation",
    "loc": "Style/Awkward",
    "pleo": "Style/Awkward",
    "bs": "Style/Awkward",
    "date": "Locale convention",
    "num": "Locale convention",
    "unit": "Locale convention",
}
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def grammar_origin(kind: str) -> str:
    """`grammar:<Grammalecte's error type>` (`grammar:gn` agreement, `grammar:conj`,
    `grammar:spelling` …): each type has its own precision, so risk weighs each alone."""
    return f"{ORIGIN}:{'spelling' if kind == 'WORD' else (kind or 'other')}"


# Noun-group agreement (`grammar:gn`) on a word that stands after a noun rather than in a
# group of its own: a name or a button's label inside a sentence ("le service Photos", "la
# rubrique Général"), or a noun in apposition, which French leaves singular ("les
# privilèges administrateur", "les comptes utilisateur"; told by a noun's ending: -eur but
# the comparatives, -ion, -age, -isme). After a determiner ("des Activité", "les
# utilisateur", "plusieurs partition") the word heads its group and the flag stays. Read
# on GNOME's help and the Debian installation guide; no word list of theirs.
APPOSITION_NOUN = re.compile(r"(?:(?<!éri)(?<!maj)(?<!min)(?<!meill)eur|ion|age|isme)$")
DETERMINERS = frozenset(
    """le la les l un une des du au aux ce cet cette ces mon ma mes ton ta tes son sa ses
    notre nos votre vos leur leurs plusieurs quelques chaque certains certaines tout toute
    tous toutes aucun aucune quel quelle quels quelles de d""".split()
)
_SENTENCE_OPENING = re.compile(r"(?:^|[.!?…]\s+)$")
_WORD_BEFORE = re.compile(r"(\w+)['’]?[\s«»\"“”]*$")
# Grammalecte's types that read a word as a French verb form or its agreement; on a label
# inside a sentence ("faites Entrée", "les dossiers Musique") or on a word the source holds
# too (a key or command: "appuyez sur compose", "le paquet locales") that reading is wrong.
VERB_READINGS = frozenset({"conj", "conf", "infi", "ppas", "vmode", "gn"})
# the word a message says the flagged one should agree with: « Horloges », “Debian”
_PARTNER = re.compile(r"[«“]\s*([^\W\d_][\w-]*)\s*[»”]")
_WORDS = re.compile(r"[^\W\d_][\w'’-]*")


# Grammalecte's "noun, preposition, noun, adjective" rules ("réseaux sans fil encombrés")
# read the adjective with the noun after the preposition; it may go with the one before
# it, a compound's head ("réseaux sans fil"): then the number shows it. Not after "de",
# where an adjective before its noun is the rule's real case ("pas de bon profils").
_PREPOSITION_RULE = re.compile(r"gn_pfx_(?!de_)")
_NOUN_PREP_NOUN_ADJ = re.compile(
    r"([^\W\d_]+)\s+(?:à|par|pour|sans|sur|avec|après)\s+([^\W\d_]+)\s+([^\W\d_]+)"
)


def plausible(text: str, flags: Sequence[Flag], source: str = "") -> list[Flag]:
    """The flags less noun-group agreement flags on a word outside the group (above) or
    whose adjective agrees with the head before a preposition (`_head_before`), less
    verb and agreement readings of a name, a label or a word copied from the source
    (`_name_or_code`), and less readings of what is not prose (`_misread`)."""
    return [
        f
        for f in flags
        if not _outside_group(text, f)
        and not _head_before(text, f)
        and not _name_or_code(text, f, source)
        and not _misread(text, f, source)
        and not _number_as_name(f, source)
    ]


# Grammalecte's "number, noun" rule (`gn_nombre_chiffres`) reads a number before a noun
# as a count ("2 fichier" wants "2 fichiers"); in a list of error codes, a numbered step
# or a section ("2 erreur de syntaxe", "18 processus interrompu") the number names the
# thing. The source tells: English writes a count's noun plural ("2 files", "3 new
# files") and a code's singular ("2 Syntax error", "70 Access denied"). Read on
# LibreOffice's help (its first half by page; benchmarks/help_false_alarms.py).
_NUMBER_RULE = "gn_nombre_chiffres"
_FLAGGED_NUMBER = re.compile(r"«\s*(\d+)")
_ENGLISH_WORDS_AFTER = 3  # "3 new blank files": the noun within three words of its number
_ENGLISH_PLURAL = re.compile(r"(?<![su])s$|(?<=[^aeiou]i)es$|ies$", re.IGNORECASE)


def _number_as_name(flag: Flag, source: str) -> bool:
    """A number-agreement flag whose number the source follows with singular words only
    (an error code, a step's number), not a count; kept when the source lacks it."""
    if _NUMBER_RULE not in flag.message or not source:
        return False
    number = _FLAGGED_NUMBER.search(flag.message)
    if number is None:
        return False
    after = re.search(rf"(?<![\d.,]){number.group(1)}(?![\d.,]\d)((?:\s+[^\W\d_][\w'-]*)+)", source)
    if after is None:
        return False
    words = after.group(1).split()[:_ENGLISH_WORDS_AFTER]
    return not any(_ENGLISH_PLURAL.search(word) for word in words)


_PATH_PIECE = re.compile(r"\w/$|^/\w")  # "debian/patches/…", "A/B"
_LETTER_BEFORE = re.compile(r"(?:^|\s)[A-Z]\s+$")  # "le paquet A recommande": "A" is no "a"


def _misread(text: str, flag: Flag, source: str) -> bool:
    """A flag on what is not prose: a word inside a slash-joined path ("debian/patches";
    Grammalecte reads "patches" as a verb), a verb after a one-letter name ("le paquet A
    recommande le paquet B", read as "a recommandé"), or a lowercase start the source has
    too (a list item that goes on a sentence: "monter le répertoire" for "bind mount")."""
    before, after = text[max(0, flag.start - 2) : flag.start], text[flag.end : flag.end + 2]
    if _PATH_PIECE.search(before) or _PATH_PIECE.search(after):
        return True
    if "ppas" in flag.origins[0] and _LETTER_BEFORE.search(text[: flag.start]):
        return True
    if "majuscule_début_paragraphe" in flag.message:
        first = source.lstrip()[:1]
        return first.isalpha() and first.islower()
    return False


def _head_before(text: str, flag: Flag) -> bool:
    """A "noun preposition noun adjective" flag where the adjective's number is that of
    the first noun and not the second's: "les réseaux sans fil masqués"."""
    if not _PREPOSITION_RULE.search(flag.message):
        return False
    for match in _NOUN_PREP_NOUN_ADJ.finditer(text):
        if not match.start(2) <= flag.start < match.end(3):
            continue
        head, noun, adjective = (_plural(match.group(i)) for i in (1, 2, 3))
        return head == adjective != noun
    return False


def _plural(word: str) -> bool:
    return word[-1:].lower() in "sx"


def _name_or_code(text: str, flag: Flag, source: str) -> bool:
    """A flag of `VERB_READINGS` on one capitalised word inside a sentence (a label: its
    gender and mood are not French grammar's; not the second word, where a sentence's
    opener lands when two words are swapped), on a word of the source (a key, a command,
    a package: "appuyez sur compose"), or agreeing with such a name ("avec Horloges
    installé": the name's gender is unknown)."""
    kind = flag.origins[0].partition(":")[2] if len(flag.origins) == 1 else ""
    if not flag.origins[0].startswith(ORIGIN) or kind not in VERB_READINGS:
        return False
    word = text[flag.start : flag.end]
    before = _WORD_BEFORE.search(text[: flag.start])
    heads = before is not None and before.group(1).lower() in DETERMINERS  # "des Activité"
    inside = not _SENTENCE_OPENING.search(text[: flag.start])
    second = len(_WORDS.findall(text[: flag.start])) == 1  # "les Récupère": an opener moved
    label = word.isalpha() and word[:1].isupper() and not word.isupper()
    if label and inside and not heads and not second:
        return True
    copied = {w.casefold() for w in _WORDS.findall(source)}
    if kind != "gn" and word.isalpha() and len(word) > 2 and word.casefold() in copied:
        return True
    for partner in _PARTNER.findall(flag.message):
        if partner == word:
            continue  # « Activité » devrait être au pluriel: the word itself
        at = [m.start() for m in re.finditer(rf"\b{re.escape(partner)}\b", text)]
        moved = any(len(_WORDS.findall(text[:i])) == 1 for i in at)  # second: an opener moved
        inside = all(not _SENTENCE_OPENING.search(text[:i]) for i in at)
        if partner[:1].isupper() and at and not moved and inside:
            return True
    return False


def _outside_group(text: str, flag: Flag) -> bool:
    if flag.origins != (grammar_origin("gn"),):
        return False
    word = text[flag.start : flag.end]
    before = _WORD_BEFORE.search(text[: flag.start])
    if not word.isalpha() or before is None or before.group(1).lower() in DETERMINERS:
        return False
    if word[0].isupper() and not _SENTENCE_OPENING.search(text[: flag.start]):
        return True
    return (
        before.group(1)[-1:] in "sx"
        and word[-1:] not in "sx"
        and bool(APPOSITION_NOUN.search(word.lower()))
    )


class GrammarError(MTReviewError):
    """Grammalecte ran but its answer could not be used."""


@dataclasses.dataclass
class _Parts:
    """Grammalecte's processes over one batch of distinct texts, and their folder."""

    texts: Sequence[str]
    folder: tempfile.TemporaryDirectory[str]
    parts: list[Part]

    def stop(self) -> None:
        """Kill what still runs and remove the folder (the answers are read by then)."""
        for _first, process, _path in self.parts:
            if process.poll() is None:
                process.kill()
                process.wait()
        self.folder.cleanup()


class Pending:
    """Grammalecte at work on a batch (`GrammarChecker.started`): `flags` waits for the
    answer, `cancel` stops the processes when the caller gives up (an error elsewhere)."""

    def __init__(
        self, checker: GrammarChecker, texts: Sequence[str], running: _Parts | None
    ) -> None:
        self.checker = checker
        self.texts = list(texts)
        self.running = running

    def flags(self) -> list[list[Flag]]:
        """Flags for each text of the batch, in order; GrammarError when the tool failed."""
        found: dict[str, list[Flag]] = {}
        if self.running is not None:
            running, self.running = self.running, None
            answer = self.checker._collect(running)
            found = dict(zip(running.texts, self.checker.read(running.texts, answer), strict=True))
        return [list(found.get(text, [])) for text in self.texts]

    def cancel(self) -> None:
        if self.running is not None:
            self.running.stop()
            self.running = None


class GrammarChecker:
    """Checks batches of segments with one Grammalecte process call per batch."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.command = settings.grammar_command
        self.executable = shutil.which(self.command)

    @property
    def available(self) -> bool:
        return self.executable is not None

    def fingerprint(self) -> str:
        """What decides the flags besides the text: the installed tool (path, size, time:
        a package upgrade rewrites it) and the options."""
        tool = Path(self.executable).resolve() if self.executable else None
        stat = tool.stat() if tool is not None and tool.exists() else None
        return json.dumps(
            [
                str(tool),
                stat.st_size if stat else None,
                stat.st_mtime_ns if stat else None,
                self.settings.grammar_typography,
                self.settings.grammar_suggestions,
                self.settings.grammar_spelling,
                sorted(word.casefold() for word in self.settings.allowed_words),
            ]
        )

    def unavailable_reason(self) -> str:
        return (
            f"grammar check skipped: {self.command!r} not found (install the Debian package "
            "grammalecte-cli, or set grammar = false)"
        )

    def check(self, texts: Sequence[str]) -> list[list[Flag]]:
        """Flags for each text, in order; raises GrammarError when the tool fails."""
        return self.started(texts).flags()

    def started(self, texts: Sequence[str]) -> Pending:
        """Start checking `texts` and return at once: Grammalecte's processes work while
        the caller does something else (the rule checks), `Pending.flags` waits for them.
        A text that comes twice is checked once (each line is its own paragraph)."""
        if self.executable is None:
            raise GrammarError(self.unavailable_reason())
        blank = not any(text.strip() for text in texts)
        distinct = [] if blank else list(dict.fromkeys(texts))
        return Pending(self, texts, self._start_parts(distinct) if distinct else None)

    def read(self, texts: Sequence[str], answer: Mapping[str, Any]) -> list[list[Flag]]:
        """Flags for each of `texts` from Grammalecte's JSON answer about them."""
        flags: list[list[Flag]] = [[] for _ in texts]
        for paragraph in answer.get("data", []):
            row = int(paragraph.get("iParagraph", 0)) - 1
            if not 0 <= row < len(texts):
                continue
            errors = paragraph.get("lGrammarErrors", [])
            if self.settings.grammar_spelling:
                spelling = paragraph.get("lSpellingErrors", [])
                errors = errors + [{**error, "sType": "WORD"} for error in spelling]
            for error in errors:
                flag = self._flag(texts[row], error)
                if flag is not None:
                    flags[row].append(flag)
        return [sorted(row, key=lambda f: (f.start, f.end)) for row in flags]

    def command_line(self, path: Path) -> list[str]:
        command = [str(self.executable), "-f", str(path), "-j"]
        if self.settings.grammar_suggestions:
            command.append("-wss")
        if not self.settings.grammar_typography:
            command += ["-off", *TYPOGRAPHY_OPTIONS, *QUIET_OPTIONS]
        return command

    def processes(self, count: int) -> int:
        """Parts of a batch of `count` texts: `grammar_processes`, by default one per
        `CORES_PER_PART` cores, at most one per `MIN_PART` texts, at least one."""
        wanted = self.settings.grammar_processes or (
            self.settings.resolved_threads() // CORES_PER_PART
        )
        return max(1, min(wanted, count // MIN_PART))

    def _start_parts(self, texts: Sequence[str]) -> _Parts:
        """The texts cut into parts, each handed to its own process at once."""
        size = -(-len(texts) // self.processes(len(texts)))
        folder = tempfile.TemporaryDirectory(prefix="mtreview-grammar-")
        parts: list[Part] = []
        try:
            for first in range(0, len(texts), size):
                parts.append(self._start(Path(folder.name), first, texts[first : first + size]))
        except BaseException:
            _Parts(texts, folder, parts).stop()
            raise
        return _Parts(texts, folder, parts)

    def _collect(self, running: _Parts) -> dict[str, Any]:
        """One answer for all texts of the parts: paragraphs renumbered."""
        data: list[dict[str, Any]] = []
        try:
            for part in running.parts:
                first = part[0]
                for paragraph in self._answer(part).get("data", []):
                    number = int(paragraph.get("iParagraph", 0)) + first
                    data.append({**paragraph, "iParagraph": number})
        finally:
            running.stop()
        return {"data": data}

    def _start(self, folder: Path, first: int, texts: Sequence[str]) -> Part:
        path = folder / f"segments-{first}.txt"
        lines = (_LINE_BREAKS.sub(" ", text) for text in texts)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        env = {**os.environ, "PYTHONHASHSEED": "0"}  # same input, same answer
        # answers go to files, not pipes: a full pipe would stall a part until its turn
        with path.with_suffix(".json").open("w") as out, path.with_suffix(".err").open("w") as err:
            try:
                process = subprocess.Popen(self.command_line(path), stdout=out, stderr=err, env=env)
            except OSError as exc:
                raise GrammarError(f"{self.command}: could not run ({exc})") from None
        return first, process, path

    def _answer(self, part: Part) -> dict[str, Any]:
        _first, process, path = part
        try:
            process.wait(timeout=self.settings.grammar_timeout)
        except subprocess.TimeoutExpired:
            raise GrammarError(
                f"{self.command}: no answer within {self.settings.grammar_timeout:g} s"
            ) from None
        stdout = path.with_suffix(".json").read_text(encoding="utf-8", errors="replace")
        stderr = path.with_suffix(".err").read_text(encoding="utf-8", errors="replace")
        if process.returncode != 0:
            last = (stderr.strip().splitlines() or ["no message"])[-1]
            raise GrammarError(f"{self.command}: exit status {process.returncode}: {last}")
        try:
            answer = json.loads(stdout[stdout.index("{") :])
        except ValueError:
            raise GrammarError(f"{self.command}: answer is not the JSON of -j") from None
        if not isinstance(answer, dict):
            raise GrammarError(f"{self.command}: answer is not a JSON object")
        return answer

    def _flag(self, text: str, error: Mapping[str, Any]) -> Flag | None:
        start, end = int(error.get("nStart", 0)), int(error.get("nEnd", 0))
        start, end = max(0, start), min(len(text), end)
        rule = str(error.get("sRuleId") or "")
        kind = str(error.get("sType") or "")
        if end <= start or not self._wanted(text, start, end, rule, kind):
            return None
        suggestions = [str(s) for s in error.get("aSuggestions") or []]
        if kind == "WORD":
            message = f"“{text[start:end]}” is not in Grammalecte's French dictionary"
        else:
            message = str(error.get("sMessage") or "grammar")
        if rule:
            message += f" [{rule}]"
        return Flag(
            start=start,
            end=end,
            category=CATEGORIES.get(kind, "Fluency/Grammar"),
            severity="minor",
            origins=(grammar_origin(kind),),
            message=message,
            suggestion=suggestions[0] if suggestions else None,
        )

    def _wanted(self, text: str, start: int, end: int, rule: str, kind: str) -> bool:
        if not self.settings.grammar_typography and TYPOGRAPHY_RULES.match(rule):
            return False
        word = text[start:end]
        if word.casefold() in {w.casefold() for w in self.settings.allowed_words}:
            return False
        if kind == "WORD" and any(c.isupper() for c in word):
            # Unknown capitalised words are names (Zhovtis, Navalny) unless they open the
            # segment; acronyms are left to the name-variant check.
            return start == len(text) - len(text.lstrip()) and not word.isupper()
        return True
