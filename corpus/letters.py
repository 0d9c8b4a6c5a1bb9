"""What names a letter: its subject line ("Re: ...") or heading, and who signed it.

A letter has no UN symbol and often an opaque file name; people cite it by its author and its
subject ("US Human Rights Network UPR Task Force, “U.S. participation in the third Universal
Periodic Review ...”"). Pure functions of the text.
"""

from __future__ import annotations

import re

_SUBJECT = re.compile(
    r"^\s*(?:re|subject|ref|objet|asunto)\s*[:.]\s*(\S.{3,300}?)\s*$", re.IGNORECASE | re.MULTILINE
)
_SALUTATION = re.compile(
    r"^\s*(?:dear\b|to\s+whom\b|your\s+excellency|excellency|estimad[oa]s?\b|madame|monsieur)", re.I
)
_HEADING_WORDS = re.compile(r"\b(?:letter|carta|lettre|submission|statement|appeal|petition)\b", re.I)
_CLOSING = re.compile(
    r"^\s*(?:(?:yours\s+)?(?:sincerely|faithfully|respectfully|truly)(?:\s+yours)?|(?:with\s+)?(?:best|kind|warm)\s+regards"
    r"|regards|atentamente|cordialement|cordialmente|respectueusement)\s*(?:,\s*(?P<same_line>\S.*)|,?\s*)$",
    re.IGNORECASE | re.MULTILINE,
)
_TRAILING_NOTE = re.compile(r"\s*\((?:[^)]*\b(?:below|listed|see|attached)\b[^)]*)\)\s*$", re.I)
_DATE_LINE = re.compile(r"^\s*(?:\w+\s+\d{1,2},\s+\d{4}|\d{1,2}\s+\w+\s+\d{4})\s*$")
MAX_LABEL = 160


def _clean(line: str) -> str:
    return " ".join(line.replace("*", " ").split()).strip(" ,;:")[:MAX_LABEL]


def letter_title(text: str) -> str | None:
    """The subject line ("Re: U.S. participation in ...") or, before the salutation, a heading
    that calls itself a letter, submission or statement; None when there is neither."""
    head = text[:4000]
    m = _SUBJECT.search(head)
    if m:
        return _clean(m.group(1)) or None
    for line in head.splitlines():
        if _SALUTATION.match(line):
            break
        line = _clean(line)
        if 10 <= len(line) <= MAX_LABEL and _HEADING_WORDS.search(line) and not _DATE_LINE.match(line):
            return line
    return None


def letter_author(text: str) -> str | None:
    """Who signed: the first line after the closing ("Sincerely,"), else the first short line
    after the last paragraph of prose (a list of signatories: "Rebecca Landy, US Human Rights
    Network (USHRN)"), with "and others" when more signatories follow; None when neither."""
    closings = list(_CLOSING.finditer(text))
    lines: list[str]
    if closings and closings[-1].group("same_line"):  # "Sincerely, A coalition of ..."
        return _TRAILING_NOTE.sub("", _clean(closings[-1].group("same_line"))) or None
    if closings:
        lines = [ln for ln in text[closings[-1].end() :].splitlines() if ln.strip()]
        if lines:
            return _TRAILING_NOTE.sub("", _clean(lines[0])) or None
        return None
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    last_prose = max((i for i, ln in enumerate(lines) if len(ln) > 200), default=None)
    if last_prose is None:
        return None
    after = [ln for ln in lines[last_prose + 1 :] if len(ln) <= MAX_LABEL]
    if not after or ("," not in after[0] and len(after) > 1 and "," not in after[1]):
        return None
    first = _TRAILING_NOTE.sub("", _clean(after[0]))
    return f"{first}, and others" if len(after) > 1 else first or None
