"""Retrieval as stages that search and linking compose.

=============  ============================================================================
``query``      the query as the arms see it: phrases, acronyms spelled out, country scope
``dense``      the dense arm: nearest passages by embedding, rescored with their context
``lexical``    the lexical arm: BM25 over the snapshot's passages
``complete``   both arms' scores for every candidate either arm found
``fusion``     one ranking from two (rrf, minmax, zscore, zmix)
``adjust``     after fusion: country boost, lead-in penalty, theme feedback
``pipeline``   the stages above in order (``rank``)
``fold``       duplicate recommendations folded into one hit
``hits``       hits for the page: citation, metadata, highlight, arm ranks
``search``     ``Searcher``: rank, fold, page, hits
``link``       ``Linker``: the same with the linker's parameters and a target kind
``params``     ``RankingParams``: one value per pipeline and per evaluation variant
=============  ============================================================================

Every stage is a function of the request, the parameters and one index snapshot
(``indexer.snapshot``).
"""

from search_api.retrieval.adjust import introduces_list
from search_api.retrieval.hits import Hit
from search_api.retrieval.link import Linker, LinkResult
from search_api.retrieval.params import FUSION_METHODS, RankingParams
from search_api.retrieval.pipeline import MODES
from search_api.retrieval.query import phrase_regex, phrases, unquoted
from search_api.retrieval.search import Searcher, SearchRequest, SearchResult

__all__ = [
    "FUSION_METHODS",
    "MODES",
    "Hit",
    "LinkResult",
    "Linker",
    "RankingParams",
    "SearchRequest",
    "SearchResult",
    "Searcher",
    "introduces_list",
    "phrase_regex",
    "phrases",
    "unquoted",
]
