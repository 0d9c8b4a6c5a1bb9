"""How a ranking is made: one value per pipeline, so search, linking and evaluation variants
are values of one type rather than copies of a searcher with other settings.

``RankingParams.for_search(settings)`` is the search default and ``for_linking(settings)`` the
linker's (``HRSEARCH_LINK_*``); an evaluation variant is ``dataclasses.replace(params, ...)``.
Every choice was measured (EVALUATION.md); the settings' descriptions say what each does.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from hrsearch.settings import Settings

Fusion = Literal["rrf", "minmax", "zscore", "zmix"]
FUSION_METHODS: tuple[str, ...] = ("rrf", "minmax", "zscore", "zmix")
QueryVector = Literal["mean", "expanded"]
ThemeSource = Literal["top", "ask", "both", "ask-en"]


@dataclass(frozen=True)
class RankingParams:
    """The parameters of one ranking pipeline (both arms, fusion and what follows fusion)."""

    # candidates
    candidate_depth: int = 100  # each arm's candidates (at least 3 x the page's end)
    enforce_phrases: bool = True  # a "quoted phrase" must appear in every hit
    country_scoping: bool = True  # a query naming a State also draws that State's passages
    # the query
    expand_acronyms: bool = True  # CEDAW, LGBTQ, ICC spelled out for both arms
    query_vector: QueryVector = "mean"  # mean of the query as typed and expanded, or the expanded one
    embed_chars: int = 2000  # characters of the query that are embedded (the models read the start)
    # the multilingual path (a query detected as Spanish, French, Portuguese or Arabic)
    multilingual: bool = True
    crosslingual_weight: float = 0.5  # share of the mapped e5 vector in a non-English query's vector
    dictionary: bool = True  # translate a query in es/fr/pt into English terms (BM25, the model's own vector)
    # share of the mapped e5 vector in an *English* query's vector too: the two embedders as an
    # ensemble (measured in session 18, not adopted, docs/LINKING.md; off at 0)
    english_e5_weight: float = 0.0
    # the translation also matches words by their Snowball stems (measured, not adopted)
    dictionary_stems: bool = False
    # the dense arm
    context_weight: float = 0.5  # weight of cos(query, the passage's context key)
    # fusion
    fusion: Fusion = "minmax"
    rrf_k: float = 60.0
    dense_weight: float = 0.5
    complete_scores: bool = True  # every candidate scored by both arms (score fusion only)
    # zmix: BM25's share scaled by the largest share of the ask's term weight (IDF) that any
    # candidate contains (``lexical.best_coverage``; measured in session 17, docs/LINKING.md)
    lexical_coverage: bool = False
    # zmix: BM25's lift (positive z) scaled by the normal CDF of the candidate's cosine z
    # (``fusion.zmix``; measured in session 18, not adopted, docs/LINKING.md)
    lexical_gate: bool = False
    # after fusion
    country_boost: float = 0.0  # passages of a State the query names
    lead_in_penalty: float = 0.0  # a short passage that only introduces a list
    theme_weight: float = 0.0  # theme feedback from the best candidates' themes
    theme_top: int = 5
    theme_temperature: float = 10.0
    # where the theme votes come from: the best candidates ("top", pseudo-relevance feedback), the
    # ask itself as the theme tagger reads it ("ask"), or the mean of the two ("both"); "ask-en":
    # the ask's own for an English ask, the best candidates' for one read through a translation
    theme_source: ThemeSource = "top"
    # dense pseudo-relevance feedback (``prf.rocchio``): the query moved towards the centroid of
    # the dense arm's best ``prf_top`` candidates, for fusion's order only (off at 0)
    prf_weight: float = 0.0
    prf_top: int = 3
    # what a reader is shown (the product's search; off in the evaluation, which ranks and never cuts)
    relevance_floor: float | None = None  # dense score a result must reach (``floor.above_floor``)
    closest_when_none: int = 3  # results shown, marked weak, when none reaches the floor
    result_pool: int | None = None  # candidates per arm whatever the page: the total does not move
    result_depth: int = 0  # passages the dense arm looks at for results past the pool (``floor``)

    @classmethod
    def for_search(cls, settings: Settings) -> RankingParams:
        """The search pipeline as configured (``HRSEARCH_FUSION``, ``HRSEARCH_DENSE_WEIGHT``, ...)."""
        return cls(
            candidate_depth=settings.candidate_depth,
            country_scoping=settings.country_scoping,
            multilingual=settings.multilingual,
            crosslingual_weight=settings.crosslingual_weight,
            expand_acronyms=settings.expand_acronyms,
            embed_chars=settings.max_embed_chars,
            context_weight=settings.context_weight,
            fusion=settings.fusion,  # type: ignore[arg-type]  # validated by Settings
            rrf_k=settings.rrf_k,
            dense_weight=settings.dense_weight,
            complete_scores=settings.complete_scores,
            country_boost=settings.country_boost,
            lead_in_penalty=settings.lead_in_penalty,
            relevance_floor=settings.search_floor(),
            result_pool=max(settings.candidate_depth, settings.result_pool),
            result_depth=settings.result_depth,
        )

    @classmethod
    def for_linking(cls, settings: Settings) -> RankingParams:
        """The linker as configured (``HRSEARCH_LINK_*``): cosine and BM25 z-scored over the pool
        of both arms' candidates and mixed, plus theme feedback (docs/LINKING.md). The cosine
        stays the passage's own (no context), since verdicts are thresholds on it."""
        return cls(
            candidate_depth=settings.link_depth,
            enforce_phrases=False,
            country_scoping=False,
            multilingual=settings.multilingual,
            crosslingual_weight=settings.link_crosslingual_weight,
            expand_acronyms=True,
            query_vector="expanded",
            embed_chars=settings.max_embed_chars,
            context_weight=0.0,
            fusion="zmix",
            dense_weight=1.0 - settings.link_lexical_weight,
            complete_scores=True,
            theme_weight=settings.link_theme_weight,
            theme_top=settings.link_theme_top,
        )

    def depth(self, offset: int, k: int) -> int:
        """Candidates each arm contributes for a page ending at ``offset + k``: the fixed
        ``result_pool`` when set (every page of a query then ranks the same candidates, so its
        total and its order do not move while paging), else enough for the page."""
        if self.result_pool is not None:
            return self.result_pool
        return max(self.candidate_depth, (offset + k) * 3)

    def ranking_only(self) -> RankingParams:
        """These parameters without what only a reader is shown (floor, fixed pool): what the
        evaluation measures, so that neither can move an evaluation figure."""
        return replace(self, relevance_floor=None, result_pool=None, result_depth=0)
