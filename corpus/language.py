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


# Query languages hrsearch handles beyond English (the multilingual query path): what a
# detection may answer. Anything else, and anything unclear, is English.
QUERY_LANGUAGES = ("en", "es", "fr", "pt", "ar")
QUERY_FUNCTION_WORDS = {
    "en": FUNCTION_WORDS["en"]
    | frozenset(["a", "an", "it", "not", "or", "at", "we", "our", "should", "all", "any", "has", "have"]),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "de",
            "del",
            "a",
            "y",
            "en",
            "para",
            "con",
            "por",
            "que",
            "un",
            "una",
            "es",
            "son",
            "al",
            "se",
            "sus",
            "su",
            "lo",
            "como",
            "más",
            "sobre",
            "entre",
        ]
    ),
    "fr": frozenset(
        [
            "le",
            "la",
            "les",
            "des",
            "du",
            "de",
            "et",
            "à",
            "au",
            "aux",
            "un",
            "une",
            "pour",
            "dans",
            "sur",
            "par",
            "que",
            "qui",
            "est",
            "sont",
            "ses",
            "leur",
            "leurs",
            "ce",
            "cette",
        ]
    ),
    "pt": frozenset(
        [
            "o",
            "a",
            "os",
            "as",
            "de",
            "do",
            "da",
            "dos",
            "das",
            "e",
            "em",
            "no",
            "na",
            "nos",
            "nas",
            "para",
            "com",
            "por",
            "que",
            "um",
            "uma",
            "é",
            "são",
            "ao",
            "pelo",
            "pela",
        ]
    ),
}
_ACCENTS = {"es": set("ñáíóú¿¡"), "fr": set("çéèêàùâîôûëïœ"), "pt": set("ãõçáéíóúâêô")}
QUERY_MIN_PROB = 0.9


def query_language(text: str) -> str:
    """The language of a query or an ask among ``QUERY_LANGUAGES``: English unless the text is
    clearly in another (a short English query taken for Spanish would lose more than a Spanish
    one taken for English: its English path is the better one).

    Arabic script is Arabic. Otherwise the function words of each language vote, with its
    accented letters: English words at least as many as any other's make it English; two or more
    votes for one other language make it that language (langdetect breaks a tie between them,
    "la ... de" being Spanish and French alike). Weaker evidence needs three words and
    langdetect at a probability of 0.9 or more."""
    letters = re.findall(r"[^\W\d_]", text)
    if not letters:
        return "en"
    if sum("\u0600" <= ch <= "\u06ff" for ch in letters) > len(letters) / 2:
        return "ar"
    words = re.findall(r"[^\W\d_]+", text.lower())
    votes = {lang: sum(w in fw for w in words) for lang, fw in QUERY_FUNCTION_WORDS.items()}
    chars = set(text.lower())
    for lang, accents in _ACCENTS.items():
        votes[lang] += 2 * len(chars & accents)
    foreign = {k: v for k, v in votes.items() if k != "en"}
    top = max(foreign.values())
    if votes["en"] >= 1 and votes["en"] >= top:
        return "en"
    if top >= 2:
        tied = [k for k, v in foreign.items() if v == top]
        if len(tied) == 1:
            return tied[0]
        for guess in _detected(text):
            if guess[0] in tied:
                return guess[0]
        return tied[0]
    if len(words) >= 3:
        for code, prob in _detected(text)[:1]:
            if code in QUERY_LANGUAGES and prob >= QUERY_MIN_PROB:
                return code
    return "en"


def _detected(text: str) -> list[tuple[str, float]]:
    """langdetect's guesses, most probable first."""
    try:
        return [(str(g.lang).split("-")[0], float(g.prob)) for g in detect_langs(text)]
    except LangDetectException:
        return []
