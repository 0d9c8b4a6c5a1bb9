"""What an index run meets in a folder that a person would not think of (issue 18, items 3 and 7,
and the smaller ones): a file name that is not UTF-8, a file rewritten while it is read, a file
named on the command line that cannot be indexed, a symbolic link to nothing."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

import indexer.pipeline as pipeline
from corpus.models import Document
from hrsearch.settings import Settings
from indexer.index import Index
from indexer.pipeline import run_index
from search_api.retrieval import Searcher, SearchRequest
from tests.doubles import HashingEmbedder
from tests.reliability.helpers import PYTHON, REPO, cli_env, index_state, run_index_cli, settings_for

GOOD = "Dear Sir,\n\nWe urge the Government to close the Northgate detention centre.\n"


def paragraphs(n: int) -> str:
    topics = (
        "water",
        "housing",
        "prisons",
        "schools",
        "courts",
        "police",
        "land",
        "health",
        "press",
        "unions",
    )
    return "\n\n".join(
        f"Paragraph {i} asks the Government to protect the {topics[i]} of Eastmarch." for i in range(n)
    )


def test_a_file_name_that_is_not_utf8_is_reported_and_the_good_file_indexed(tmp_path: Path) -> None:
    """The index records paths as text (catalog, Chroma metadata, citations, JSON reports); a name
    that is not text could only be stored under an alias that does not exist on disk, which
    ``--prune`` would remove and ``delete PATH`` could not find. So the file is refused, with its
    name shown with the undecodable bytes escaped, and the user renames it."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(GOOD, encoding="utf-8")
    with open(os.fsencode(docs) + b"/bad\xffname.txt", "wb") as f:
        f.write(b"Dear Sir,\n\nWe urge the Government to release the detained journalists.\n")
    settings = settings_for(tmp_path / "index", "badname")
    for _ in range(2):  # every re-run the same
        code, report, err = run_index_cli(settings, str(docs))
        assert code == 1 and report is not None, err
        assert [f["path"] for f in report["files_failed"]] == [f"{docs}/bad\\xffname.txt"]
        assert "not valid UTF-8" in report["files_failed"][0]["error"]
        assert report["files_indexed"] + report["files_unchanged"] == 1
    state = index_state(settings)
    assert list(state.files) == [str(docs / "good.txt")]
    # The real command prints the report, the name escaped, without a traceback.
    proc = subprocess.run(
        [PYTHON, "-m", "hrsearch.cli", "index", str(docs)],
        cwd=REPO, env=cli_env(settings), capture_output=True, timeout=600,
    )  # fmt: skip
    out = proc.stdout.decode()
    assert proc.returncode == 1 and "FAILED" in out and "bad\\xffname.txt" in out, proc.stderr.decode()[
        -2000:
    ]
    assert b"Traceback" not in proc.stderr


def test_a_file_rewritten_between_hashing_and_parsing_is_read_again_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer rewrites the letter while it is indexed: the run hashes the whole letter (10
    paragraphs), reads it when only 3 are written, and the writer then finishes. The hash recorded
    is that of the bytes parsed, so the next run sees the letter changed and reads it whole."""
    docs = tmp_path / "docs"
    docs.mkdir()
    letter = docs / "letter.txt"
    letter.write_text(paragraphs(10), encoding="utf-8")
    real_load = pipeline.load_document_limited

    def rewritten_while_read(path: Path, settings: Settings) -> Document:
        # The moment between the run's two reads of the file, when the writer is half done.
        letter.write_text(paragraphs(3), encoding="utf-8")
        try:
            return real_load(path, settings)
        finally:
            letter.write_text(paragraphs(10), encoding="utf-8")

    settings = settings_for(tmp_path / "index", "rewritten")
    monkeypatch.setattr(pipeline, "load_document_limited", rewritten_while_read)
    first = run_index([docs], settings, lambda: HashingEmbedder())
    monkeypatch.undo()
    assert first.files_indexed == 1 and first.passages_total == 3
    second = run_index([docs], settings, lambda: HashingEmbedder())
    assert second.files_unchanged == 0 and second.files_indexed == 1, second
    assert second.passages_total == 10
    searcher = Searcher(Index.open(settings), HashingEmbedder(), settings)
    hits = searcher.search(SearchRequest(q="protect the unions of Eastmarch", k=1, mode="lexical")).hits
    assert hits and "Paragraph 9" in hits[0].text
    searcher.index.close()
    assert run_index([docs], settings, lambda: HashingEmbedder()).files_unchanged == 1


def test_a_file_named_that_cannot_be_indexed_and_a_dangling_link_are_reported(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(GOOD, encoding="utf-8")
    (docs / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    (docs / "notes.md").write_text("# notes, not a document\n", encoding="utf-8")  # skipped in a folder
    script = tmp_path / "script.sh"
    script.write_text("#!/bin/sh\necho hello\n", encoding="utf-8")
    settings = settings_for(tmp_path / "index", "named")

    code, report, err = run_index_cli(settings, str(script))
    assert code == 4 and report is not None, err  # nothing could be done
    assert report["files_seen"] == 1
    assert (
        report["files_failed"] == [{"path": str(script), "error": report["files_failed"][0]["error"]}]
        and "unsupported file type '.sh'" in report["files_failed"][0]["error"]
    )

    code, report, err = run_index_cli(settings, str(docs))
    assert code == 1 and report is not None, err
    failed: dict[str, Any] = {f["path"]: f["error"] for f in report["files_failed"]}
    assert list(failed) == [str(docs / "gone.txt")]
    assert (
        "symbolic link" in failed[str(docs / "gone.txt")] and "nowhere.txt" in failed[str(docs / "gone.txt")]
    )
    assert report["files_indexed"] == 1 and report["files_seen"] == 2
