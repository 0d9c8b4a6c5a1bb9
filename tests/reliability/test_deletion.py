"""Deletion that deletes: a withdrawn letter leaves the catalog, Chroma and BM25, no search finds
it, and its text is in no byte of any file under the index folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from hrsearch.errors import IndexMissing
from indexer.deletion import delete_documents
from indexer.index import Index
from indexer.pipeline import run_index
from search_api.retrieval import Searcher, SearchRequest
from tests.doubles import HashingEmbedder
from tests.reliability.corpus import letter_text, make_corpus
from tests.reliability.helpers import index_state, settings_for

SECRET = "The Quillwort Coalition names its informant Ysolde Varga-Tremaine at the Northgate checkpoint"
SECRET_BYTES = [SECRET.encode("utf-8"), "Varga-Tremaine".encode("utf-16-le"), b"Varga-Tremaine"]


def _files_holding(root: Path, needles: list[bytes]) -> list[str]:
    hits = []
    for f in sorted(root.rglob("*")):
        if f.is_file():
            data = f.read_bytes()
            hits += [f"{f.relative_to(root)}: {n!r}" for n in needles if n in data]
    return hits


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    import random

    docs = make_corpus(tmp_path / "docs", letters=6, paragraphs=8)
    rng = random.Random(5)
    (docs / "withdrawn.txt").write_text(letter_text(rng, 6, marker=SECRET + "."), encoding="utf-8")
    return docs


def test_deleting_a_withdrawn_letter_removes_its_text_from_every_file(tmp_path: Path, corpus: Path) -> None:
    settings = settings_for(tmp_path / "index", "delete")
    run_index([corpus], settings, lambda: HashingEmbedder())
    before = index_state(settings)
    assert _files_holding(settings.index_dir, SECRET_BYTES), "the secret should be indexed first"
    withdrawn = str((corpus / "withdrawn.txt").resolve())
    doc_id = next(d for d, p in before.documents.items() if p == withdrawn)
    doomed = {i for i in before.ids if i.startswith(doc_id + ":")}

    report = delete_documents(settings, [withdrawn])
    assert report.deleted == [{"doc_id": doc_id, "files": [withdrawn], "passages": len(doomed)}]
    assert report.passages_removed == len(doomed) and report.files_removed == 1 and not report.not_found
    if settings.chroma_url:  # server mode: the server's own files are the server's to vacuum
        assert {"chroma log", "catalog"} <= set(report.purged)
        assert any("chroma vacuum" in w for w in report.warnings)
    else:
        assert {"chroma log", "chroma sqlite", "catalog"} <= set(report.purged)
    assert any("still exists" in w for w in report.warnings)

    after = index_state(settings)  # catalog, Chroma and BM25 agree
    assert after.ids == before.ids - doomed and withdrawn not in after.files
    assert _files_holding(settings.index_dir, SECRET_BYTES) == []

    searcher = Searcher(Index.open(settings), HashingEmbedder(), settings)
    for mode in ("hybrid", "dense", "lexical"):
        hits = searcher.search(SearchRequest(q=SECRET, k=50, mode=mode)).hits
        assert not any(h.id in doomed or "Varga" in h.text for h in hits), mode
    assert searcher.search(SearchRequest(q="abolition of the death penalty", k=5)).hits  # the rest answers
    searcher.index.close()

    # Indexing the folder again without the file keeps it out; with it, it comes back.
    (corpus / "withdrawn.txt").unlink()
    again = run_index([corpus], settings, lambda: HashingEmbedder(), prune=True)
    assert again.files_indexed == 0 and again.passages_total == len(after.ids)


def test_delete_by_document_id_and_unknown_names(tmp_path: Path, corpus: Path) -> None:
    settings = settings_for(tmp_path / "index", "delete-id")
    copy = corpus / "copy-of-withdrawn.txt"
    copy.write_bytes((corpus / "withdrawn.txt").read_bytes())  # same bytes: one document, two files
    run_index([corpus], settings, lambda: HashingEmbedder())
    state = index_state(settings)
    doc_id = next(d for d, p in state.documents.items() if p.endswith("withdrawn.txt"))

    by_path = delete_documents(settings, [str(copy), "nope.txt", "0123456789abcdef"])
    assert by_path.not_found == ["nope.txt", "0123456789abcdef"]
    assert by_path.deleted == [] and by_path.passages_removed == 0
    assert any("is kept" in w for w in by_path.warnings)  # the other file still holds it

    by_id = delete_documents(settings, [doc_id])
    assert [d["doc_id"] for d in by_id.deleted] == [doc_id] and by_id.passages_removed > 0
    assert _files_holding(settings.index_dir, SECRET_BYTES) == []
    assert not any(i.startswith(doc_id) for i in index_state(settings).ids)


def test_deleting_every_document_leaves_an_empty_consistent_index(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "only.txt").write_text(
        f"Dear Sir,\n\n{SECRET}. We urge the authorities to act.\n", encoding="utf-8"
    )
    settings = settings_for(tmp_path / "index", "delete-all")
    run_index([docs], settings, lambda: HashingEmbedder())
    report = delete_documents(settings, [str(docs / "only.txt")])
    assert report.passages_total == 0 and report.documents_total == 0
    assert index_state(settings).ids == set()
    assert _files_holding(settings.index_dir, SECRET_BYTES) == []


def test_delete_without_an_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing, match="no index"):
        delete_documents(settings_for(tmp_path / "none", "none"), ["x.txt"])
