"""Language of a document (ISO 639-1), detected with langdetect on a bounded sample of its text,
and of a passage where it clearly differs from its document's."""

from __future__ import annotations

import re

from langdetect import DetectorFactory, LangDetectException, detect, detect_langs

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


# The commonest function words of the languages a passage is checked against. A passage in which
# its document's are frequent is in that language; only the others go to langdetect (10-15 ms).
FUNCTION_WORDS = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the of and to in for on with that by is are be as from this its their",
        "fr": "le la les des du de et à au aux un une pour dans sur par que qui est sont",
        "es": "el la los las de del y en para con por que un una es son al se",
    }.items()
}
PASSAGE_MIN_LETTERS = 100  # shorter passages (most table rows) keep their document's language
FUNCTION_WORD_SHARE = 0.08  # English passages of 100+ letters: 1% quantile 0.14 (measured, docs/LINKING.md)
PASSAGE_MIN_PROB = 0.9


def passage_language(text: str, document_language: str | None) -> str | None:
    """The language of a passage when it clearly differs from its document's, else None.

    Costs about 0.1 ms a passage: langdetect runs only on passages of 100+ letters in which the
    document language's function words are rare (0.2% of the shared corpus's passages).
    """
    if document_language not in FUNCTION_WORDS:
        return None
    words = re.findall(r"[^\W\d_]+", text.lower())
    if sum(map(len, words)) < PASSAGE_MIN_LETTERS:
        return None
    if sum(w in FUNCTION_WORDS[document_language] for w in words) / len(words) >= FUNCTION_WORD_SHARE:
        return None
    try:
        top = detect_langs(text)[0]
    except LangDetectException:
        return None
    code = str(top.lang).split("-")[0]
    return code if code != document_language and top.prob >= PASSAGE_MIN_PROB else None


def _sample(text: str) -> str:
    if len(text) <= 3 * SAMPLE_CHARS:
        return text
    middle = len(text) // 2
    return " ".join((text[:SAMPLE_CHARS], text[middle : middle + SAMPLE_CHARS], text[-SAMPLE_CHARS:]))
