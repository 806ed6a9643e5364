"""Which question each column of a responses CSV answers, and answers written as labels → codes.

Three layouts are recognised from their headers (see ``docs/survey-data.md``):

==============  ==========================================================================
``kobo``        KoboToolbox CSV exports, "XML values and headers" or "Labels": headers are
                question names or labels, with or without the group path (``safety/safe_dark``);
                a multiple choice is one space-separated column and/or one 0/1 column per
                choice (``avoidance/avoid_places/parks``); ``_uuid`` is the response id,
                ``_submission_time`` the time; ``start``, ``end``, ``_id``, ``_index``,
                ``_validation_status``, ``__version__``… are ignored.
``limesurvey``  LimeSurvey CSV exports with "question code" headings: ``id``, ``submitdate``,
                ``startlanguage``, multiple choices as ``code[choice]`` columns holding ``Y``;
                ``code[other]`` is LimeSurvey's free-text "Other". LimeSurvey codes cannot hold
                ``_``, so ``safedark`` answers ``safe_dark`` (case, ``_``, ``-``, ``.`` ignored).
``urbansafety`` our own export (``exports.py``): ``response_id``, ``submitted_at``,
                ``language``, ``source``, then question names.
==============  ==========================================================================
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from urbansafety.survey.answers import Territories
from urbansafety.survey.model import Choice, Question, Questionnaire, Text

SOURCES = ("kobo", "limesurvey", "urbansafety")
OURS_META = ("response_id", "submitted_at", "language", "source")
KOBO_MARKERS = frozenset(
    {"_uuid", "_submission_time", "_id", "_index", "_validation_status", "__version__"}
)
KOBO_META = frozenset(
    {"start", "end", "today", "deviceid", "username", "phonenumber", "simserial",
     "subscriberid", "email", "audit", "audit_url", "instanceid", "rootuuid", "deprecatedid",
     "uuid"}
)  # fmt: skip
KOBO_ID = ("_uuid", "meta/instanceid", "instanceid", "_id")
LIME_MARKERS = frozenset({"submitdate", "startlanguage", "lastpage", "seed", "datestamp"})
LIME_META = frozenset(
    {"id", "submitdate", "lastpage", "startlanguage", "seed", "token", "startdate", "datestamp",
     "ipaddr", "refurl", "interviewtime"}
)  # fmt: skip
FLAG_TRUE = frozenset({"1", "1.0", "true", "vrai", "y", "yes", "oui", "o"})
FLAG_FALSE = frozenset(
    {"0", "0.0", "false", "faux", "n", "no", "non", "not selected", "non sélectionné"}
)
_SPACES = re.compile(r"\s+")
_INTEGER_POINT = re.compile(r"([+-]?[0-9]+)\.0*\Z")
_MIDNIGHT = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[ T]00:00(:00(\.0+)?)?\Z")


def norm(text: str) -> str:
    """Return text compared loosely: NFC, no-break spaces as spaces, one space, case folded."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("\u202f", " ")
    return _SPACES.sub(" ", text).strip().casefold()


def code_key(text: str) -> str:
    """Return a name compared as LimeSurvey allows codes: case folded, without _ - . or spaces."""
    return re.sub(r"[_\-.\s]", "", text).casefold()


@dataclass(frozen=True)
class Column:
    """A file column that answers a question (or one choice of a multiple choice)."""

    index: int
    header: str
    question: str
    choice: str | None = None  # a 0/1 (Y/empty) column of one choice
    other_text: bool = False  # LimeSurvey's free-text "Other" of the question


@dataclass
class Layout:
    """Where a file keeps the response id, the time, the language and each answer."""

    source: str
    id_column: int | None = None
    time_column: int | None = None
    language_column: int | None = None
    columns: list[Column] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def detect_source(headers: Sequence[str]) -> str | None:
    """Return the layout the headers belong to: kobo, limesurvey, urbansafety; None if unknown."""
    low = {h.strip().lower() for h in headers}
    if {"response_id", "submitted_at"} <= low:
        return "urbansafety"
    if low & KOBO_MARKERS or "meta/instanceid" in low:
        return "kobo"
    if "id" in low and low & LIME_MARKERS:
        return "limesurvey"
    return None


def layout_for(form: Questionnaire, headers: Sequence[str], source: str) -> Layout:
    """Return the layout of the headers for a form, as a file from source writes them."""
    if source == "kobo":
        return _kobo(form, headers)
    if source == "limesurvey":
        return _limesurvey(form, headers)
    return _ours(form, headers)


def _answered(form: Questionnaire) -> dict[str, Question]:
    return {q.name: q for q in form.questions() if q.answered}


def _ours(form: Questionnaire, headers: Sequence[str]) -> Layout:
    layout = Layout("urbansafety")
    questions = {q.name for q in form.questions()}
    answered = _answered(form)
    for i, h in enumerate(headers):
        name = h.strip()
        if name == "response_id":
            layout.id_column = i
        elif name == "submitted_at":
            layout.time_column = i
        elif name == "language":
            layout.language_column = i
        elif name in answered:
            layout.columns.append(Column(i, h, name))
        elif name not in questions and name not in OURS_META:
            layout.unknown.append(h)
    return layout


def _kobo_targets(form: Questionnaire) -> dict[str, tuple[str, str | None] | None]:
    """Return normalised header → (question, choice or None); None marks an ambiguous text."""
    targets: dict[str, tuple[str, str | None] | None] = {}

    def add(key: str, target: tuple[str, str | None]) -> None:
        if not key:
            return
        if key in targets and targets[key] != target:
            targets[key] = None
        else:
            targets[key] = target

    # Names first so that a label equal to another question's name cannot hide it.
    for q in form.questions():
        add(norm(q.name), (q.name, None))
        if q.type == "select_multiple":
            for c in form.choice_lists.get(q.choices or "", ()):
                add(norm(f"{q.name}/{c.name}"), (q.name, c.name))
    for q in form.questions():
        for label in {q.label.fr, q.label.en} - {""}:
            add(norm(label), (q.name, None))
            if q.type == "select_multiple":
                for c in form.choice_lists.get(q.choices or "", ()):
                    for choice_label in {c.label.fr, c.label.en} - {""}:
                        add(norm(f"{label}/{choice_label}"), (q.name, c.name))
    return targets


def _kobo_meta(header: str) -> bool:
    low = header.strip().lower()
    last = low.rsplit("/", 1)[-1]
    return last.startswith("_") or last in KOBO_META or low.startswith(("meta/", "formhub/"))


def _kobo(form: Questionnaire, headers: Sequence[str]) -> Layout:
    layout = Layout("kobo")
    targets = _kobo_targets(form)
    answered = _answered(form)
    lower = [h.strip().lower() for h in headers]
    for key in KOBO_ID:
        if key in lower:
            layout.id_column = lower.index(key)
            break
    if "_submission_time" in lower:
        layout.time_column = lower.index("_submission_time")
    for i, h in enumerate(headers):
        target = _suffix_match(h, targets)
        if target is None:
            if not _kobo_meta(h):
                layout.unknown.append(h)
            continue
        name, choice = target
        if name in answered:
            layout.columns.append(Column(i, h, name, choice))
    return layout


def _suffix_match(
    header: str, targets: Mapping[str, tuple[str, str | None] | None]
) -> tuple[str, str | None] | None:
    """Return the target of the longest end of header that starts after a '/' (or the whole)."""
    text = norm(header)
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "/"]
    for start in starts:
        found = targets.get(text[start:].strip())
        if found is not None:
            return found
    return None


_LIME_HEADER = re.compile(r"([^\[\]]+)(?:\[([^\[\]]*)\])?\Z")


def _limesurvey(form: Questionnaire, headers: Sequence[str]) -> Layout:
    layout = Layout("limesurvey")
    by_key = {code_key(q.name): q for q in form.questions()}
    for i, h in enumerate(headers):
        low = h.strip().lower()
        if low == "id":
            layout.id_column = i
            continue
        if low == "submitdate":
            layout.time_column = i
            continue
        if low == "startlanguage":
            layout.language_column = i
            continue
        m = _LIME_HEADER.match(h.strip())
        q = by_key.get(code_key(m.group(1))) if m else None
        if m is None or q is None:
            timing = low.endswith("time") and code_key(low[:-4]) in by_key
            if not (low in LIME_META or low.startswith("grouptime") or timing):
                layout.unknown.append(h)
            continue
        if not q.answered:
            continue
        sub = m.group(2)
        if sub is None:
            layout.columns.append(Column(i, h, q.name))
            continue
        codes = {code_key(c.name): c.name for c in form.choice_lists.get(q.choices or "", ())}
        if code_key(sub) == "other":
            layout.columns.append(Column(i, h, q.name, codes.get("other"), other_text=True))
        elif q.type == "select_multiple" and code_key(sub) in codes:
            layout.columns.append(Column(i, h, q.name, codes[code_key(sub)]))
        else:
            layout.unknown.append(h)
    return layout


class ChoiceCodes:
    """Turns answers written as codes or labels (French or English) into choice codes."""

    def __init__(self, form: Questionnaire, territories: Territories | None = None) -> None:
        self.form = form
        self.territories = territories or {}
        self._cache: dict[str, tuple[set[str], dict[str, str], dict[str, str]]] = {}

    def _lookup(self, q: Question) -> tuple[set[str], dict[str, str], dict[str, str]]:
        """Return (codes, normalised label → code, LimeSurvey-style code key → code)."""
        key = f"{q.type}:{q.choices}:{q.layer}"
        if key not in self._cache:
            choices: list[Choice] = list(self.form.choice_lists.get(q.choices or "", ()))
            if q.type == "neighbourhood":
                for code, name in self.territories.get(q.layer or "", ()):
                    label = name if isinstance(name, Text) else Text(name, name)
                    choices.insert(0, Choice(code, label))
            codes = {c.name for c in choices}
            labels: dict[str, str] = {}
            for c in choices:
                for text in (c.label.fr, c.label.en):
                    if text and norm(text) not in labels:
                        labels[norm(text)] = c.name
            keys = {code_key(c.name): c.name for c in choices}
            self._cache[key] = (codes, labels, keys)
        return self._cache[key]

    def one(self, q: Question, text: str) -> str:
        """Return the code of one answer; the text unchanged when it is neither code nor label."""
        codes, labels, keys = self._lookup(q)
        if text in codes:
            return text
        return labels.get(norm(text)) or keys.get(code_key(text)) or text

    def many(self, q: Question, text: str) -> list[str]:
        """Return the codes of a multiple choice written as codes, labels, or 'a | b' labels."""
        codes, labels, _keys = self._lookup(q)
        if "|" in text:
            return [self.one(q, part) for part in text.split("|") if part.strip()]
        tokens = text.split()
        if all(t in codes for t in tokens):
            return tokens
        if norm(text) in labels:
            return [labels[norm(text)]]
        segmented = _segment(norm(text), labels)
        return segmented if segmented is not None else [self.one(q, t) for t in tokens]


def _segment(text: str, labels: Mapping[str, str]) -> list[str] | None:
    """Return the codes of labels that, joined by spaces, make text (Kobo's label exports)."""
    words = text.split(" ")
    best: list[list[str] | None] = [None] * (len(words) + 1)
    best[0] = []
    for end in range(1, len(words) + 1):
        for start in range(end):
            done = best[start]
            if done is not None and (code := labels.get(" ".join(words[start:end]))):
                best[end] = [*done, code]
                break
    return best[-1]


def flag(text: str, choice: str | None, labels: Sequence[str] = ()) -> bool | None:
    """Return whether a per-choice column says chosen; None when its text is not a flag."""
    low = norm(text)
    if not low or low in FLAG_FALSE:
        return False
    if low in FLAG_TRUE or (choice is not None and low == choice.casefold()):
        return True
    if any(low == norm(label) for label in labels if label):
        return True
    return None


def raw_value(q: Question, text: str, codes: ChoiceCodes) -> str | list[str] | None:
    """Return a cell as clean_answers takes it: codes for choices, tidy numbers and dates."""
    text = text.strip()
    if not text:
        return None
    if q.type in ("select_one", "neighbourhood"):
        return codes.one(q, text)
    if q.type == "select_multiple":
        return codes.many(q, text)
    if q.type == "integer" and (m := _INTEGER_POINT.match(text)):
        return m.group(1)  # LimeSurvey and spreadsheets write 3 as 3.0000000000
    if q.type == "date" and (m := _MIDNIGHT.match(text)):
        return m.group(1)  # LimeSurvey writes dates as 2024-05-03 00:00:00
    return text
