"""Index-run progress (``indexer.progress``) and the demo's first-part list (``corpus.selection``)."""

from __future__ import annotations

from pathlib import Path

from corpus.selection import read_selection
from indexer.progress import Progress, read_progress, writer_active
from indexer.writer import write_lock


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_progress_counts_files_passages_and_time_left_by_bytes(tmp_path: Path) -> None:
    clock = Clock()
    p = Progress(tmp_path, clock=clock)
    p.plan(files_total=4, bytes_total=1000, passages_total=10)
    with write_lock(tmp_path):
        got = read_progress(tmp_path)
        assert got is not None and got["active"] and got["state"] == "indexing"
        assert (got["files_done"], got["files_total"], got["passages"], got["eta_seconds"]) == (
            0,
            4,
            10,
            None,
        )
        p.skipped()  # an unchanged file: no bytes to do
        p.reading(300)
        clock.now += 10
        p.embedded(512, 1024, 512)  # half of the batch holding those 300 bytes
        got = read_progress(tmp_path)
        assert got is not None and got["files_done"] == 1 and got["passages_embedded"] == 512
        assert got["eta_seconds"] == round((1000 - 150) * 10 / 150, 1)  # 150 bytes in 10 s
        clock.now += 10
        p.written(files=1, passages_total=400)
        got = read_progress(tmp_path)
        assert got is not None and (got["files_done"], got["passages"]) == (2, 400)
        assert got["eta_seconds"] == round(700 * 20 / 300, 1)
        p.finish(passages_total=900)
    done = read_progress(tmp_path)
    assert done is not None and not done["active"] and done["state"] == "done"
    assert (done["files_done"], done["passages"], done["eta_seconds"]) == (4, 900, 0.0)


def test_a_run_that_died_reads_as_stopped(tmp_path: Path) -> None:
    Progress(tmp_path).plan(files_total=3, bytes_total=10, passages_total=0)
    assert not writer_active(tmp_path)
    got = read_progress(tmp_path)
    assert got is not None and got["state"] == "stopped" and not got["active"] and got["eta_seconds"] is None
    assert read_progress(tmp_path / "nothing-here") is None


def test_selection_keeps_order_skips_what_matches_nothing(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "letters").mkdir(parents=True)
    for name in ("letters/b.txt", "letters/a.txt", "table.csv", "notes.md", "letters/a.txt.meta.toml"):
        (root / name).write_text("x", encoding="utf-8")
    listing = tmp_path / "first.txt"
    listing.write_text(
        "# a comment\ntable.csv\n\nletters/*.txt  # both letters\nmissing/*.pdf\ntable.csv\nnotes.md\n"
    )
    assert read_selection(listing, root) == [
        (root / "table.csv").resolve(),
        (root / "letters/a.txt").resolve(),
        (root / "letters/b.txt").resolve(),
    ]
