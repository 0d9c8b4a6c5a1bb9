"""Asks: the sentences of a letter or submission that request something.

A sentence is an ask when its author requests, urges, recommends or calls for an action ("we
urge", "we respectfully request", "we suggest that", "X should ...", "it will be essential to
...", "now is the time to ..."), or when it is an imperative item of a list introduced as asks.
A closing pleasantry asks for nothing in particular and is not an ask: "Now is the time to take
action, and we welcome the opportunity to help with this effort" (``closing_pleasantry``).
Reported speech and the past are not asks ("should have", "the State said it should").
A sentence that points back ("the implementation of these recommendations is long overdue")
carries the sentence before it, which names what is asked.

Letters in Spanish, French and Portuguese ask in their own words ("instamos al Gobierno a",
"nous demandons", "recomendamos que", "el Estado debería", "l'État doit"; infinitives open
their list items: "Garantizar", "Ratifier", "Adotar"): ``_STRONG_ROMANCE``, ``_MODAL_ROMANCE``
and ``IMPERATIVES``. None of these words is English, so English text segments as before.
Letters in Arabic likewise ("نحث الحكومة على", "نطالب", "ندعو", "يجب على"; a verbal noun opens a
list item: "إلغاء", "التصديق على", "ضمان"): ``_STRONG_ARABIC``, ``_MODAL_ARABIC`` and
``ARABIC_IMPERATIVES``; a sentence may start with an Arabic letter and end with "؟".
"""

from __future__ import annotations

import re

from indexer.segment.common import Out
from indexer.segment.text import Mapped

# "Now is the time to ..." asks for something only when an action follows that is more than acting.
GENERIC_ACTION = (
    r"(?:take\s+(?:(?:bold|urgent|decisive|concrete)\s+)?action|act|do\s+(?:more|better|the\s+right\s+thing)"
    r"|move\s+forward|work\s+together|step\s+up|lead|make\s+(?:a\s+)?(?:change|difference))\b"
)
_TIME_TO_ACT = re.compile(r"\bnow\s+is\s+the\s+time\s+to\s+" + GENERIC_ACTION, re.I)
_ADVERBS = r"(?:(?:also|further|therefore|thus|strongly|respectfully|urgently|again|hereby|once\s+again|would|must|continue\s+to|would\s+like\s+to)\s+){0,3}"
_STRONG = re.compile(
    r"\b(?:we|i)\s+"
    + _ADVERBS
    + r"(?:urge|recommend|request|ask|call\s+(?:on|upon|for)|suggest|encourage|propose"
    r"|invite|appeal\s+to|implore|demand|insist|exhort)\b"
    r"|\b(?:are|am)\s+writing\s+to\s+(?:urge|ask|request|call|recommend|encourage)\b"
    r"|\bcalls?\s+(?:on|upon)\s+(?:the|all|you|your|this|states?|governments?|congress)\b"
    r"|\burge[sd]?\s+(?:you|your|the|all|this|states?|governments?|congress)\b"
    r"|\bit\s+(?:is|will\s+be|would\s+be|remains)\s+(?:essential|critical|crucial|imperative|vital|necessary|urgent)\s+(?:to|that|for)\b"
    r"|\bnow\s+is\s+the\s+time\s+to\s+(?!" + GENERIC_ACTION + r")|\bis\s+long\s+overdue\b"
    r"|(?<!we\s)\b(?:is|are)\s+(?:(?:also|further|strongly|again)\s+)?(?:encouraged|urged|invited|requested|called\s+upon)"
    r"\s+to\b(?!\s+(?:learn|see|note|hear|read|know))"
    r"|^please\s+(?!contact|let|feel|accept|find|note\s+that|do\s+not\s+hesitate)",
    re.I,
)
# Spanish, French and Portuguese: "(nous) demandons / exhortons", "instamos", "recomendamos",
# "solicitamos", "hacemos un llamado", "appelons", "pedimos", "exigimos".
_STRONG_ROMANCE = re.compile(
    r"\b(?:(?:nous|nosotros|nosotras|n[oó]s)\s+)?(?:(?:tamb[ié]m|también|aussi|respetuosamente|respeitosamente|respectueusement|encarecidamente)\s+)?"
    r"(?:instamos|exhortamos|recomendamos|solicitamos|pedimos|exigimos|urgimos|sugerimos|proponemos|propomos|apelamos"
    r"|demandons|exhortons|recommandons|appelons|prions|sollicitons|invitons|exigeons|proposons|insistons)\b"
    r"|\bhacemos\s+un\s+(?:llamado|llamamiento)\b|\bfazemos\s+um\s+apelo\b|\blan[cç]ons\s+un\s+appel\b"
    r"|\b(?:es|ser[áa]|resulta)\s+(?:esencial|fundamental|urgente|imprescindible|necesario|crucial)\s+(?:que|para)\b"
    r"|\bil\s+(?:est|sera)\s+(?:essentiel|crucial|urgent|indispensable|n[ée]cessaire|imp[ée]ratif)\s+(?:de|que)\b",
    re.I,
)
# Arabic: "(و/ف/كما) نحث / نطالب / ندعو / نوصي / نناشد / نلتمس / نطلب / نقترح / نشجع / نهيب",
# "من الضروري / من الأهمية بمكان / من الملح"; "يجب / ينبغي / يتعين / يتوجب" (on someone, that ...).
_STRONG_ARABIC = re.compile(
    r"(?<!\w)[وف]?(?:نحث|نطالب|ندعو|نوصي|نناشد|نلتمس|نطلب|نقترح|نشجع|نهيب)(?!\w)"
    r"|(?<!\w)من\s+(?:الضروري|الأهمية\s+بمكان|الملح|الواجب)(?!\w)"
)
_MODAL_ARABIC = re.compile(r"(?<!\w)[وف]?(?:يجب|ينبغي|ينبغى|يتعين|يتوجب)(?!\w)")
# said, stated, announced, reported, was / were: reported speech or the past before the modal
_REPORTED_ARABIC = re.compile(
    r"(?<!\w)[وف]?(?:قال|قالت|ذكر|ذكرت|أعلن|أعلنت|أفاد|أفادت|أكد|أكدت|كان|كانت|كانوا)(?!\w)"
)
_MODAL_ROMANCE = re.compile(
    r"\b(?:deber[íi]an?|deben|debe|tiene[n]?\s+que|devrait|devraient|doit|doivent|deveria[m]?|devem|deve)\b"
    r"(?!\s+(?:haber|avoir|ter)\b)",
    re.I,
)
_MODAL = re.compile(
    r"\b(?<!that\s)(?<!which\s)(?<!who\s)(?:should|must|ought\s+to|needs?\s+to)\b(?!\s+(?:not\s+)?have\b)",
    re.I,
)
_REPORTED = re.compile(
    r"\b(?:said|stated|noted|argued|claimed|believed|thought|felt|was|were|had|announced|reported|recommended)\b",
    re.I,
)
_NOT_ASK = re.compile(r"^(?:if\s+you\s+have\s+any\s+questions|thank\s+you)\b", re.I)
_BACK_REFERENCE = re.compile(
    r"\b(?:these|those|such|the\s+above)\s+(?:\w+\s+)?(?:recommendations|concerns|steps|measures|issues|proposals"
    r"|suggestions|actions|priorities|commitments|reforms|asks|requests)\b",
    re.I,
)
BACK_REFERENCE_WITHIN = 50  # characters from the start of the sentence (its subject)
# Verbs that open an imperative ask item ("Ensure ...", "Lift the sanctions ...").
_IMPERATIVE_WORDS = """abolish accede accept address adopt align allocate allow amend appoint ban bring cease close
collect combat commit commute conduct consider consult continue cooperate create decriminalize decriminalise designate develop
disseminate eliminate enact end engage ensure establish expand extend fund guarantee halt hold implement
improve include incorporate increase invite investigate issue join lift limit make monitor prevent prioritize
prioritise prohibit promote prosecute protect provide publish ratify recognize recognise reduce reform reinstate rejoin
release remove repeal rescind respect restore revoke sign stop strengthen submit support take train
undertake uphold withdraw"""
# Infinitives that open an ask item in Spanish, French and Portuguese.
_ROMANCE_IMPERATIVES = [
    "abolir",
    "adoptar",
    "adopter",
    "adotar",
    "aprobar",
    "aprovar",
    "asegurar",
    "assegurar",
    "assurer",
    "cesar",
    "combatir",
    "combattre",
    "consultar",
    "consulter",
    "crear",
    "créer",
    "criar",
    "derogar",
    "abroger",
    "revogar",
    "despenalizar",
    "dépénaliser",
    "descriminalizar",
    "eliminar",
    "éliminer",
    "elaborar",
    "élaborer",
    "erradicar",
    "éradiquer",
    "establecer",
    "établir",
    "estabelecer",
    "fortalecer",
    "renforcer",
    "fortalecer",
    "garantizar",
    "garantir",
    "implementar",
    "mettre",
    "modificar",
    "modifier",
    "poner",
    "prohibir",
    "interdire",
    "proibir",
    "proteger",
    "protéger",
    "ratificar",
    "ratifier",
    "reconocer",
    "reconnaître",
    "reconhecer",
    "reformar",
    "réformer",
    "retirar",
    "retirer",
    "suprimir",
    "supprimer",
    "velar",
    "veiller",
]
# Verbal nouns that open an ask item in Arabic ("إلغاء عقوبة الإعدام", "التصديق على ..."), with
# and without the article; a leading "و" (and) is dropped before the lookup (``imperative``).
_ARABIC_IMPERATIVE_WORDS = """إلغاء الغاء التصديق تصديق الانضمام انضمام ضمان كفالة اعتماد وضع تعديل إنشاء انشاء
حماية الإفراج الافراج رفع وقف تجريم سن تعزيز إجراء اجراء التحقيق تحقيق سحب احترام مكافحة حظر توفير تنفيذ إصلاح
اصلاح منع إدماج ادماج تخصيص دعم إتاحة اتاحة الاعتراف اعتراف إنهاء انهاء إطلاق اطلاق اتخاذ مراجعة مواءمة
توجيه قبول دعوة إزالة ازالة معالجة ملاحقة محاسبة"""
ARABIC_IMPERATIVES = frozenset(_ARABIC_IMPERATIVE_WORDS.split())
IMPERATIVES = frozenset(_IMPERATIVE_WORDS.split()) | frozenset(_ROMANCE_IMPERATIVES) | ARABIC_IMPERATIVES

# A sentence ends at . ! ? (after a closing quote or bracket) followed by a capital; not after
# an abbreviation ("U.S.", "Mr.", "e.g.") unless a typical sentence opener follows.
_BOUNDARY = re.compile(r"(?<=[.!?؟])[\"”’)\]]?\s+(?=[\"“(\[¿¡«]?[A-Z0-9¿¡\u0621-\u064a])")
_ABBREV = re.compile(
    r"(?:\b(?:[A-Z]\.){1,3}|\b(?:Mr|Mrs|Ms|Dr|Prof|St|No|Nos|para|paras|art|e\.g|i\.e|etc|vs|Inc|Co|Jr|Sr|Feb|Jan|Aug|Sept|Oct|Nov|Dec)\.)$"
)
_OPENER_WORDS = "The This These That Those We It In Such However Our They There As For A An If"
_OPENERS = frozenset(_OPENER_WORDS.split())


def sentences(s: str) -> list[tuple[int, int]]:
    """Character ranges of the sentences of ``s``."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in _BOUNDARY.finditer(s):
        before = s[start : m.start()]
        if _ABBREV.search(before):
            nxt = s[m.end() :].split(" ", 1)[0]
            if nxt not in _OPENERS:
                continue
        out.append((start, m.start()))
        start = m.end()
    if start < len(s):
        out.append((start, len(s)))
    return [(a, _end_with_closer(s, b)) for a, b in out if s[a:b].strip()]


def _end_with_closer(s: str, b: int) -> int:
    while b < len(s) and s[b] in '"”’)]':
        b += 1
    return b


def is_ask(sentence: str) -> bool:
    if _NOT_ASK.search(sentence):
        return False
    if _STRONG.search(sentence) or _STRONG_ROMANCE.search(sentence) or _STRONG_ARABIC.search(sentence):
        return True
    m = _MODAL.search(sentence) or _MODAL_ROMANCE.search(sentence) or _MODAL_ARABIC.search(sentence)
    if not m or re.search(r"[?؟]$", sentence.strip()):
        return False
    # reported or past speech before the modal: "the State said that it should ..."
    before = sentence[: m.start()]
    return not (_REPORTED.search(before) or _REPORTED_ARABIC.search(before))


def closing_pleasantry(sentence: str) -> bool:
    """A sentence whose only call is to act in general ("Now is the time to take action, and we
    welcome the opportunity to help"): it closes a letter and asks for nothing to be done."""
    return bool(_TIME_TO_ACT.search(sentence)) and not is_ask(sentence)


def imperative(sentence: str) -> bool:
    words = sentence.lstrip("•·-–*o ").split(" ", 2)
    if not words:
        return False
    first = words[0].lower().strip(",:;،؛")
    if first == "to" and len(words) > 1:
        first = words[1].lower()
    if first.startswith("و") and first[1:] in ARABIC_IMPERATIVES:  # "وضمان" (and ensure)
        return True
    return first in IMPERATIVES


def emit_asks(out: Out, m: Mapped, label: str, heading_path: list[str], list_item: bool = False) -> None:
    """Emit the ask sentences of paragraph ``m`` as ``ask:<label>.<n>`` passages."""
    if not m:
        return
    spans = sentences(m.s)
    flags = [is_ask(m.s[a:b]) for a, b in spans]
    if list_item and spans and imperative(m.s[spans[0][0] : spans[0][1]]):
        flags[0] = True
    n = 0
    limit = out.settings.ask_context_chars
    for k, ((a, b), flag) in enumerate(zip(spans, flags, strict=True)):
        if not flag:
            continue
        back = _BACK_REFERENCE.search(m.s, a, b)
        if k > 0 and not flags[k - 1] and back is not None and back.start() - a < BACK_REFERENCE_WITHIN:
            a = spans[k - 1][0]  # "The implementation of these recommendations is long overdue"
        n += 1
        part = m.slice(a, b)
        out.emit(
            part,
            f"ask:{label}.{n}",
            "ask",
            context=_context(m.s, a, b, limit),
            paragraph=label,
            heading_path=list(heading_path),
            section=heading_path[0] if heading_path else None,
        )


def _context(s: str, a: int, b: int, limit: int) -> str | None:
    """The paragraph, or a window of it around the ask of at most ``limit`` characters."""
    if limit <= 0:
        return None
    if len(s) <= limit:
        return s
    room = max(0, limit - (b - a))
    lo = max(0, a - room // 2)
    hi = min(len(s), lo + limit)
    lo = max(0, hi - limit)
    if lo > 0:
        cut = s.find(" ", lo)
        lo = cut + 1 if 0 <= cut < a else lo
    if hi < len(s):
        cut = s.rfind(" ", b, hi)
        hi = cut if cut > b else hi
    return s[lo:hi]
