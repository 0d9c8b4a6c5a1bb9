"""The naive baseline's loading and splitting reproduce LangChain's defaults exactly."""

from __future__ import annotations

from pathlib import Path

from evaluation.naive import CHUNK_OVERLAP, CHUNK_SIZE, load_documents, split_documents


def test_csv_rows_render_like_csvloader(tmp_path: Path) -> None:
    f = tmp_path / "t.csv"
    f.write_text(
        'rec_id,text,recommending_state\n26.178,"Abolish the death penalty ",Namibia\n26.2, Ratify ,Ghana\n'
    )
    docs = load_documents(f)
    assert docs == [
        (
            "rec_id: 26.178\ntext: Abolish the death penalty\nrecommending_state: Namibia",
            {"row": 0, "rec_id": "26.178"},
        ),
        ("rec_id: 26.2\ntext: Ratify\nrecommending_state: Ghana", {"row": 1, "rec_id": "26.2"}),
    ]
    chunks = split_documents(f, "ab" * 32)
    assert [c.rec_id for c in chunks] == ["26.178", "26.2"]
    assert chunks[0].id == "naive:abababababababab:0"


def test_text_is_split_in_1000_character_chunks_with_200_overlap(tmp_path: Path) -> None:
    words = " ".join(f"w{i:04d}" for i in range(1200))  # 7,199 characters, no paragraph breaks
    f = tmp_path / "long.txt"
    f.write_text(words)
    chunks = split_documents(f, "0" * 64)
    assert (CHUNK_SIZE, CHUNK_OVERLAP) == (1000, 200)
    assert len(chunks) == 9
    assert all(len(c.text) <= 1000 for c in chunks) and len(chunks[0].text) > 990
    # Consecutive chunks overlap by about 200 characters (whole words).
    tail = chunks[0].text[-150:]
    assert tail in chunks[1].text
    assert all(c.rec_id is None for c in chunks)


def test_pdf_gives_one_document_per_page(shared_corpus: Path) -> None:
    pdf = shared_corpus / "pdf" / "UPR_WG_report_USA_2011_A-HRC-16-11.pdf"
    docs = load_documents(pdf)
    assert len(docs) > 10 and [m["page"] for _, m in docs[:3]] == [0, 1, 2]
    assert "Human Rights Council" in docs[0][0] and "Universal Periodic Review" in docs[0][0]
