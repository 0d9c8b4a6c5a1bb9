"""From retrieved units to a ranked list of judged references, independent of chunking.

A system returns *units* (passages, chunks, table rows) in rank order. Each unit is mapped to the
refs it satisfies:

* a row ref ``(file, rec_id)`` when the unit comes from that file and carries that ``rec_id``,
  or, a chunk of a report's text, shows that recommendation's number at the start of a line
  (``86.21.``: the naive baseline's chunks of a Working Group report);
* an answer ref ``(file, contains)`` when the unit comes from that file and its normalised text
  contains the normalised answer;
* for TREC sets, any unit from the set's row file with a ``rec_id`` is the ref named by that
  bare ``rec_id``, judged or not (so run files can be scored against the qrels as they are).

Each unit takes one rank, as the best-graded ref it holds that no higher unit held (a long
chunk holding three answers is one hit, not three); a unit that satisfies nothing becomes a
placeholder ref of its own (non-relevant), so it still takes a rank; a unit whose refs all
appeared higher up is dropped (first occurrence wins). The
file of a unit is an absolute path; a judged file (relative to the corpus root) matches it by
path suffix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePath

from evaluation.datasets import Ref

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "′": "'", "“": '"', "”": '"', "„": '"', "″": '"'})


@dataclass(frozen=True)
class Unit:
    """One retrieved item as the evaluation sees it."""

    id: str
    file: str
    text: str
    rec_id: str | None = None
    # recommendation numbers a chunk of a report's text shows ("86.21."), each a row ref it holds
    labels: tuple[str, ...] = ()


def normalise(text: str) -> str:
    """Text for answer matching: NFKC, straight quotes, one space for any whitespace run.

    Case is kept: the sets define an answer as a verbatim (whitespace-normalised) substring.
    """
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).translate(_QUOTES)).strip()


@lru_cache(maxsize=8192)
def _normalised_answer(text: str) -> str:
    return normalise(text)


@lru_cache(maxsize=4096)
def _parts(path: str) -> tuple[str, ...]:
    return tuple(p for p in PurePath(path.replace("\\", "/")).parts if p not in ("/", "."))


def file_matches(path: str, rel: str) -> bool:
    """Whether absolute ``path`` is the file ``rel`` (relative to some root): a path-suffix match."""
    want, have = _parts(rel), _parts(path)
    return bool(want) and len(have) >= len(want) and have[-len(want) :] == want


def placeholder(unit: Unit) -> str:
    """The non-relevant ref standing for a unit that satisfies no judged ref."""
    # The parts of one table row share one placeholder.
    key = f"{PurePath(unit.file).name}#{unit.rec_id}" if unit.rec_id else unit.id
    return "~" + "_".join(key.split())


def unit_refs(unit: Unit, judged: Sequence[Ref], *, row_file: str | None = None) -> list[str]:
    """Ids of the refs ``unit`` satisfies, in judgment order."""
    if row_file is not None and unit.rec_id and file_matches(unit.file, row_file):
        return [unit.rec_id]
    out: list[str] = []
    text: str | None = None
    for ref in judged:
        if ref.file is not None and not file_matches(unit.file, ref.file):
            continue
        if ref.rec_id is not None:
            if unit.rec_id == ref.rec_id or ref.rec_id in unit.labels:
                out.append(ref.id)
        elif ref.contains is not None:
            if text is None:
                text = normalise(unit.text)
            if _normalised_answer(ref.contains) in text:
                out.append(ref.id)
    return out


def ranked_refs(
    units: Iterable[Unit],
    judged: Sequence[Ref],
    *,
    row_file: str | None = None,
    depth: int = 100,
    grades: Mapping[str, int] | None = None,
) -> list[str]:
    """The ranked list of ref ids (at most ``depth``) that the ranked ``units`` amount to: one
    entry per unit.

    A unit is one hit, at one rank, with one grade: the best-graded ref it holds that no unit
    above it held (``grades``; judgment order breaks ties). All the refs it holds count as seen,
    so a later unit holding only those is a copy of what the reader already has and is dropped.
    A unit holding several answers (a long chunk) therefore counts once, as the dataset's README
    specifies ("score the passage once with the highest grade"); counting each answer at its own
    rank would let one long chunk fill several ranks, and a whole document all of them.
    """
    grades = grades or {}
    seen: set[str] = set()
    out: list[str] = []
    for unit in units:
        refs = unit_refs(unit, judged, row_file=row_file)
        if not refs:
            ph = placeholder(unit)  # the parts of one table row share it: one rank
            if ph in seen:
                continue
            seen.add(ph)
            out.append(ph)
        else:
            new = [r for r in refs if r not in seen]
            if not new:
                continue
            seen.update(refs)
            out.append(max(new, key=lambda r: grades.get(r, 0)))  # max keeps the first of ties
        if len(out) >= depth:
            break
    return out[:depth]


def reachable_refs(units: Iterable[Unit], refs: Sequence[Ref], *, row_file: str | None = None) -> set[str]:
    """Ids of the ``refs`` (and, with ``row_file``, bare row ids) that at least one unit satisfies.

    Tells whether a unit set can hold each judged answer at all: a chunking that cuts an answer
    string in two makes it unreachable for every ranking built on it.
    """
    by_file: dict[str, list[Ref]] = {}
    found: set[str] = set()
    for unit in units:
        if unit.file not in by_file:
            by_file[unit.file] = [r for r in refs if r.file is None or file_matches(unit.file, r.file)]
        found.update(unit_refs(unit, by_file[unit.file], row_file=row_file))
    return found
