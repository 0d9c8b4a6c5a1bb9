"""The English side of the query-translation lexicon: the terms of the corpus worth translating.

``python -m training.lexicon_terms CORPUS`` reads every document of the corpus the way the indexer
does (``corpus.loader.load_document`` then ``indexer.segmentation.segment``), keeps the texts of
recommendations, paragraphs and observations (each distinct text once), and writes
``training/data/lexicon_terms_en.tsv`` (term, frequency, kind), sorted by kind then frequency.

The rule, in order:

* ``word``: lower-case word tokens (hyphenated words kept whole, a possessive 's dropped), without
  stop words, numbers, single letters, acronyms (tokens written in capitals in at least half of
  their occurrences) and single-word country names. Forms are grouped under a light lemma
  (irregular plurals such as women/woman, -ies/-y, -es, -s); the groups are taken by total
  frequency and every form of a group that is frequent by itself (>= ``MIN_WORD`` and >= 5 % of its
  group) is listed: 4,658 forms in ``../shared/corpus``. Until session 9 the list stopped at the
  first 2,500 forms; an advocate's question uses words below that line ("voters", "caste",
  "guardianship"), which then reached BM25 untranslated, so the frequency floor alone decides.
* ``phrase``: n-grams of 2 to ``MAX_N`` tokens inside one clause (no punctuation crossed) that
  start and end with a content word, whose inner tokens are content words or connectors ("of",
  "with", "against", "the" ...), that do not start with a verb of an ask ("ensure", "ratify" ...)
  or a mere modifier ("further", "appropriate" ...), that contain no word of the reports' narrative
  ("Italy made recommendations") and no capitalised token of a country name, that occur at least
  ``MIN_PHRASE`` times, and that are not a fragment of a longer name: dropped when a longer
  candidate containing it has 80 % of its frequency ("rights institution" inside "national human
  rights institution") or when one neighbouring word accompanies 80 % of its occurrences
  ("persons from enforced disappearance", nearly always after "all"). The first ``N_PHRASES`` by
  frequency are kept.
* ``instrument``, ``body``, ``mechanism``: the core UN human rights treaties and their optional
  protocols, the treaty bodies and the Charter-based mechanisms, from the lists below.
* ``upr_issue``: the UPR Info issue tags (column ``issues`` of the UPR Info export).
* ``uhri_theme``: the UHRI themes of the Slovenia thematic lists (column ``themes``), without the
  old letter-number codes, "&" written "and".
* ``country``: the UN short names of ``corpus.country_names``.

Frequencies of the listed kinds are their counts as whole phrases in the same texts.
"""

from __future__ import annotations

import argparse
import csv
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

log = logging.getLogger(__name__)


def words(text: str) -> frozenset[str]:
    """The set of the whitespace-separated words of ``text`` (the word lists below are data)."""
    return frozenset(text.split())


N_PHRASES = 2000
MIN_WORD = 20
MIN_PHRASE = 15
MAX_N = 6
NESTED = 0.8  # a candidate is a fragment when a longer one containing it has this share of it
BOUND = 0.8  # ... or when one neighbouring word accompanies this share of its occurrences
KINDS = ("recommendation", "paragraph", "observation")
OUT = Path(__file__).parent / "data" / "lexicon_terms_en.tsv"
UPR_INFO_CSV = "recommendations/upr_info_sessions01-20_recommendations.csv"
SLOVENIA_CSV = "recommendations/slovenia/slovenia_upr_cycles2-4_thematic_list_parsed.csv"

STOP_WORDS = words(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each either etc few for
    from further had has have having he her here hers herself him himself his how however i if in
    into is it its itself just may me might more most must my myself no nor not now of off on once
    only or other others our ours ourselves out over own per same shall she should so some such than
    that the their theirs them themselves then there these they this those through thus to too under
    until up upon very via was we were what when where whether which while who whom whose why will
    with within without would yet you your yours therein thereof whereby hereby whereas namely inter
    alia e g ie i.e viz un para paras cf see ibid annex add rev corr wg hrc sess no nos
    ii iii iv vi vii viii ix xi xii xiii xiv xv xvi xvii xviii xix xx th st nd rd mr mrs ms mme
    de la le les des du del el en et los las rec ral secr"""
)
# Inner words a multi-word term may contain ("rights of the child", "violence against women").
CONNECTORS = words("of on for with against and the in to from by all at into")
# Words that begin an ask or qualify it: an n-gram starting with one is a clause, not a term.
NON_STARTERS = words(
    """ensure continue take adopt consider strengthen ratify implement promote protect establish
    provide guarantee improve accede develop intensify step enhance pursue redouble combat eliminate
    bring make put increase undertake seek ensuring continuing taking adopting considering
    strengthening implementing promoting protecting establishing providing improving developing
    further appropriate necessary relevant effective concrete additional specific particular various
    new current existing possible including certain concerned adequate sufficient measures steps
    efforts recommended recommends recommend notes noted welcomed welcomes encouraged encourages
    urged urges called calls requested requests invited invites expressed supported accepted
    remains remain well fully effectively particularly especially notably order line accordance
    source view light"""
)
# Words of the reports' narrative ("Italy made recommendations", "questions prepared in advance"):
# an n-gram containing one is boilerplate, not a term.
NARRATIVE = words(
    """made noted welcomed commended asked stated recommended acknowledged accepts accepted
    appreciated wished expressed congratulated encouraged urged praised highlighted referred
    inquired enquired remained said mentioned indicated thanked explained added pointed requested
    supported adopted selected issued prepared facilitate recommends recommend following wanted
    informed submitted"""
)
NON_ENDERS = words(
    """including particular well related regarding concerning based aimed order relating especially
    inter alia regard respect"""
)
_LEFT_FREE = words("the a an and or of to in on for with by as that this its their his her all")
IRREGULAR = {"women": "woman", "men": "man", "children": "child", "people": "person", "persons": "person"}
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")
_TOKEN = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*(?:'s)?|\d+|[.,;:()\[\]\"?!]")

TREATIES = (
    "Universal Declaration of Human Rights",
    "International Covenant on Civil and Political Rights",
    "International Covenant on Economic, Social and Cultural Rights",
    "Optional Protocol to the International Covenant on Civil and Political Rights",
    "Second Optional Protocol to the International Covenant on Civil and Political Rights, aiming at the abolition of the death penalty",
    "Optional Protocol to the International Covenant on Economic, Social and Cultural Rights",
    "International Convention on the Elimination of All Forms of Racial Discrimination",
    "Convention on the Elimination of All Forms of Discrimination against Women",
    "Optional Protocol to the Convention on the Elimination of All Forms of Discrimination against Women",
    "Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or Punishment",
    "Optional Protocol to the Convention against Torture",
    "Convention on the Rights of the Child",
    "Optional Protocol to the Convention on the Rights of the Child on the involvement of children in armed conflict",
    "Optional Protocol to the Convention on the Rights of the Child on the sale of children, child prostitution and child pornography",
    "Optional Protocol to the Convention on the Rights of the Child on a communications procedure",
    "International Convention on the Protection of the Rights of All Migrant Workers and Members of Their Families",
    "Convention on the Rights of Persons with Disabilities",
    "Optional Protocol to the Convention on the Rights of Persons with Disabilities",
    "International Convention for the Protection of All Persons from Enforced Disappearance",
    "Rome Statute of the International Criminal Court",
    "Convention relating to the Status of Refugees",
    "Protocol relating to the Status of Refugees",
    "Convention relating to the Status of Stateless Persons",
    "Convention on the Reduction of Statelessness",
    "Convention on the Prevention and Punishment of the Crime of Genocide",
    "Declaration on the Rights of Indigenous Peoples",
    "Declaration on Human Rights Defenders",
    "Paris Principles",
    "Istanbul Convention",
    "Palermo Protocol",
    "Beijing Declaration and Platform for Action",
    "2030 Agenda for Sustainable Development",
    "Sustainable Development Goals",
    "Geneva Conventions",
    "Durban Declaration and Programme of Action",
    "Guiding Principles on Business and Human Rights",
    "Standard Minimum Rules for the Treatment of Prisoners",
    "Nelson Mandela Rules",
    "Bangkok Rules",
    "Indigenous and Tribal Peoples Convention",
    "Domestic Workers Convention",
    "Worst Forms of Child Labour Convention",
    "Minimum Age Convention",
    "Convention against Discrimination in Education",
    "Arms Trade Treaty",
)
BODIES = (
    "Human Rights Committee",
    "Committee on Economic, Social and Cultural Rights",
    "Committee on the Elimination of Racial Discrimination",
    "Committee on the Elimination of Discrimination against Women",
    "Committee against Torture",
    "Subcommittee on Prevention of Torture",
    "Committee on the Rights of the Child",
    "Committee on Migrant Workers",
    "Committee on the Rights of Persons with Disabilities",
    "Committee on Enforced Disappearances",
    "Human Rights Council",
    "Office of the United Nations High Commissioner for Human Rights",
    "United Nations High Commissioner for Human Rights",
    "Office of the United Nations High Commissioner for Refugees",
    "United Nations Children's Fund",
    "United Nations Educational, Scientific and Cultural Organization",
    "International Labour Organization",
    "International Criminal Court",
    "General Assembly",
    "Security Council",
    "United Nations",
    "Working Group on Arbitrary Detention",
    "Working Group on Enforced or Involuntary Disappearances",
    "Special Rapporteur on torture",
    "Special Rapporteur on the situation of human rights defenders",
    "Special Rapporteur on freedom of expression",
    "Special Rapporteur on violence against women",
    "Special Rapporteur on extrajudicial, summary or arbitrary executions",
    "Special Rapporteur on the rights of indigenous peoples",
    "Independent Expert",
    "national preventive mechanism",
    "Ombudsman",
)
MECHANISMS = (
    "universal periodic review",
    "treaty bodies",
    "special procedures",
    "standing invitation",
    "individual communications",
    "communications procedure",
    "concluding observations",
    "general comment",
    "general recommendation",
    "national mechanism for reporting and follow-up",
    "mid-term report",
    "voluntary pledges",
    "working group",
    "special rapporteur",
    "country visit",
    "periodic report",
)


def tokens(text: str) -> list[str]:
    """Word tokens and punctuation marks, in order; a possessive 's is dropped."""
    out = []
    for t in _TOKEN.findall(text.replace("\u2019", "'")):
        out.append(t[:-2] if t.endswith("'s") else t)
    return out


def lemma(word: str) -> str:
    """A light lemma for grouping forms: irregular plurals, -ies, -sses, -ches/-shes/-xes, -s."""
    if word in IRREGULAR:
        return IRREGULAR[word]
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def is_content(word: str) -> bool:
    """A word that can carry meaning: alphabetic (hyphens allowed), not a stop word or one letter."""
    return len(word) > 1 and word not in STOP_WORDS and _WORD.fullmatch(word) is not None


def passage_texts(corpus: Path) -> list[str]:
    """The distinct texts of the corpus's recommendations, paragraphs and observations."""
    from corpus.loader import discover, load_document
    from hrsearch.errors import CorpusError
    from hrsearch.settings import Settings
    from indexer.segmentation import segment

    settings = Settings()
    seen: dict[str, None] = {}
    for path in discover([corpus]):
        try:
            doc = load_document(path, settings)
        except CorpusError as e:  # a damaged file of the shared corpus is skipped, not fatal
            log.warning("skipped: %s", e)
            continue
        for p in segment(doc, settings):
            if p.kind in KINDS:
                seen.setdefault(" ".join(p.text.split()), None)
    return list(seen)


def clauses(text: str) -> Iterator[list[str]]:
    """Runs of lower-cased word tokens between punctuation marks."""
    run: list[str] = []
    for t in tokens(text):
        if t[0].isalnum():
            run.append(t.lower())
        else:
            if run:
                yield run
            run = []
    if run:
        yield run


def proper_names(texts: Iterable[str], countries: Iterable[str]) -> set[str]:
    """Lower-cased tokens of country names that the texts capitalise (>= 90 %): "kitts", "czech".

    Tokens of country names that are also ordinary words ("democratic", "islands") stay.
    """
    name_tokens = {w.lower() for c in countries for w in tokens(c) if w[0].isalpha()}
    seen: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    for text in texts:
        for t in tokens(text):
            low = t.lower()
            if low in name_tokens:
                seen[low] += 1
                capital[low] += t[0].isupper()
    return {w for w in name_tokens if seen[w] and capital[w] >= 0.9 * seen[w]}


def count_words(texts: Iterable[str], exclude: set[str]) -> list[tuple[str, int]]:
    """The ``word`` terms with their token frequencies (see the module docstring)."""
    counts: Counter[str] = Counter()
    upper: Counter[str] = Counter()
    for text in texts:
        for t in tokens(text):
            if t[0].isalpha():
                low = t.lower()
                counts[low] += 1
                if len(t) > 1 and t.isupper():
                    upper[low] += 1
    groups: dict[str, list[str]] = {}
    for w, n in counts.items():
        if is_content(w) and w not in exclude and upper[w] * 2 < n:
            groups.setdefault(lemma(w), []).append(w)
    ranked = sorted(groups.values(), key=lambda forms: (-sum(counts[f] for f in forms), min(forms)))
    out: list[tuple[str, int]] = []
    for forms in ranked:
        total = sum(counts[f] for f in forms)
        for f in sorted(forms, key=lambda f: (-counts[f], f)):
            if counts[f] >= MIN_WORD and counts[f] >= 0.05 * total:
                out.append((f, counts[f]))
    return out


def _starts_term(word: str, exclude: set[str]) -> bool:
    return is_content(word) and word not in NON_STARTERS and word not in NARRATIVE and word not in exclude


def _candidates(run: list[str], exclude: set[str]) -> Iterator[tuple[int, tuple[str, ...]]]:
    """(start, n-gram) of the candidate terms of one clause."""
    for i, first in enumerate(run):
        if not _starts_term(first, exclude):
            continue
        for n in range(2, MAX_N + 1):
            gram = tuple(run[i : i + n])
            if len(gram) < n:
                break
            last = gram[-1]
            if last in NARRATIVE or last in exclude:
                break
            if not all(is_content(w) or w in CONNECTORS for w in gram[1:-1]):
                break
            if any(w in NARRATIVE or w in exclude for w in gram[1:-1]):
                break
            if is_content(last) and last not in NON_ENDERS:
                yield i, gram


def count_phrases(texts: list[str], exclude: set[str]) -> list[tuple[str, int]]:
    """The ``phrase`` terms with their frequencies (see the module docstring)."""
    counts: Counter[tuple[str, ...]] = Counter()
    for text in texts:
        for run in clauses(text):
            counts.update(g for _, g in _candidates(run, exclude))
    frequent = {g: n for g, n in counts.items() if n >= MIN_PHRASE}
    longer: dict[tuple[str, ...], int] = {}
    for g, n in frequent.items():
        for size in range(2, len(g)):
            for j in range(len(g) - size + 1):
                sub = g[j : j + size]
                if sub in frequent:
                    longer[sub] = max(longer.get(sub, 0), n)
    kept = {g: n for g, n in frequent.items() if longer.get(g, 0) < NESTED * n}
    # A fragment of a longer name ("international covenant on civil") nearly always has the
    # same word beside it; the neighbours are counted for the survivors only.
    left: dict[tuple[str, ...], Counter[str]] = {g: Counter() for g in kept}
    right: dict[tuple[str, ...], Counter[str]] = {g: Counter() for g in kept}
    for text in texts:
        for run in clauses(text):
            for i, g in _candidates(run, exclude):
                if g in kept:
                    if i > 0 and run[i - 1] not in _LEFT_FREE:
                        left[g][run[i - 1]] += 1
                    j = i + len(g)
                    if j < len(run):
                        right[g][run[j]] += 1

    def bound(g: tuple[str, ...]) -> bool:
        top = max([*left[g].values(), *right[g].values(), 0])
        return top >= BOUND * kept[g]

    out = [(" ".join(g), n) for g, n in kept.items() if not bound(g)]
    out.sort(key=lambda x: (-x[1], x[0]))
    return out[:N_PHRASES]


def listed_terms(corpus: Path) -> list[tuple[str, str]]:
    """(term, kind) of the fixed lists, the UPR Info issues, the UHRI themes and the countries."""
    from corpus.country_names import STATES

    out = [(t, "instrument") for t in TREATIES] + [(t, "body") for t in BODIES]
    out += [(t, "mechanism") for t in MECHANISMS]
    with (corpus / UPR_INFO_CSV).open(encoding="utf-8", newline="") as f:
        issues = {i.strip() for row in csv.DictReader(f) for i in row["issues"].split(",") if i.strip()}
    out += [(i, "upr_issue") for i in sorted(issues)]
    themes: set[str] = set()
    with (corpus / SLOVENIA_CSV).open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            for theme in row["themes"].split("|"):
                theme = re.sub(r"^[A-G]\d+\s+", "", theme.strip())
                theme = re.sub(r"\s*&\s*", " and ", theme)
                if theme:
                    themes.add(theme)
    out += [(t, "uhri_theme") for t in sorted(themes)]
    out += [(name, "country") for name, _, _ in STATES]
    return out


def phrase_count(haystack: str, term: str) -> int:
    needle = " " + " ".join(w.lower() for w in tokens(term) if w[0].isalnum()) + " "
    return haystack.count(needle)


def build(corpus: Path) -> list[tuple[str, int, str]]:
    """All the terms: (term, frequency, kind), words, phrases, then the listed kinds."""
    texts = passage_texts(corpus)
    log.info("%d distinct passage texts", len(texts))
    listed = listed_terms(corpus)
    countries = [t for t, k in listed if k == "country"]
    names = proper_names(texts, countries)
    rows: list[tuple[str, int, str]] = []
    rows += [(w, n, "word") for w, n in count_words(texts, names)]
    rows += [(p, n, "phrase") for p, n in count_phrases(texts, names)]
    haystack = " " + " ".join(" ".join(run) for text in texts for run in clauses(text)) + " "
    # A listed term found among the frequent ones keeps its row, under its listed kind.
    at = {t: i for i, (t, _, _) in enumerate(rows)}
    for term, kind in listed:
        key = term.lower()
        if key in at:
            i = at[key]
            if rows[i][2] in ("word", "phrase"):
                rows[i] = (rows[i][0], rows[i][1], kind)
        else:
            at[key] = len(rows)
            rows.append((term, phrase_count(haystack, term), kind))
    return rows


def main() -> None:  # pragma: no cover - a developer's tool that writes training/data/
    p = argparse.ArgumentParser(description="the English terms of the query-translation lexicon")
    p.add_argument("corpus", type=Path, help="the corpus folder (../shared/corpus)")
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    rows = build(args.corpus)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        f.write("term\tfrequency\tkind\n")
        for term, n, kind in rows:
            f.write(f"{term}\t{n}\t{kind}\n")
    log.info("%d terms -> %s", len(rows), args.out)


if __name__ == "__main__":
    main()
