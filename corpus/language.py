"""Language of a document (ISO 639-1), detected with langdetect on a bounded sample of its text."""

from __future__ import annotations

import re

from langdetect import DetectorFactory, LangDetectException, detect

# langdetect is randomised; a fixed seed makes the same text always give the same answer.
DetectorFactory.seed = 0

MIN_LETTERS = 40  # below this, detection is a guess
SAMPLE_CHARS = 3000  # per slice; three slices (start, middle, end) bound the work on long texts


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the main language of ``text`` ("en", "fr", "zh"), or None if too short to tell."""
    sample = _sample(text)
    if len(re.findall(r"[^\W\d_]", sample)) < MIN_LETTERS:
        return None
    try:
        code = detect(sample)
    except LangDetectException:
        return None
    return code.split("-")[0]  # "zh-cn" -> "zh"


def _sample(text: str) -> str:
    if len(text) <= 3 * SAMPLE_CHARS:
        return text
    middle = len(text) // 2
    return " ".join((text[:SAMPLE_CHARS], text[middle : middle + SAMPLE_CHARS], text[-SAMPLE_CHARS:]))
