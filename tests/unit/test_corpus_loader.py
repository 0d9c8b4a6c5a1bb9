"""Discovery, loading limits, content hashes, sidecars and folder manifests."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import pytest

import corpus.readers.html
from corpus.loader import SUPPORTED_SUFFIXES, content_hash, discover, load_document
from hrsearch.errors import CorpusError, FileTooLarge, UnsupportedFormat
from hrsearch.settings import Settings

SUMMARY = (
    "United Nations\nA/HRC/WG.6/48/SVN/3\nDistr.: General 6 November 2024\n"
    "Summary of stakeholders' submissions on Slovenia*\n"
    "1. The Ombudsman noted that Slovenia had not yet adopted a comprehensive anti-discrimination strategy.\n"
)
PLAIN = "The coalition asks the Government to adopt a national action plan on business and human rights.\n"


def make_tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_supported_suffixes() -> None:
    assert sorted(SUPPORTED_SUFFIXES) == [".csv", ".docx", ".htm", ".html", ".jsonl", ".pdf", ".tsv", ".txt"]


def test_discover_walks_folders_and_skips_what_is_not_a_document(tmp_path: Path) -> None:
    names = [
        "a.txt", "B.PDF", "t.tsv", "table.jsonl", "x.docx", "sub/deep/c.html", "sub/d.htm", "r.csv",
        ".hidden.txt", ".git/x.txt", "sub/.cache/y.pdf", "notes.md", "data.json", "script.py",
        "a.txt.meta.toml", "a.meta.toml", "hrsearch.toml", "sub/hrsearch.toml", "~$lock.docx", "unknown.xyz", "noext",
    ]  # fmt: skip
    make_tree(tmp_path, dict.fromkeys(names, "x"))
    expected = [
        tmp_path / n
        for n in ("B.PDF", "a.txt", "r.csv", "sub/d.htm", "sub/deep/c.html", "t.tsv", "table.jsonl", "x.docx")
    ]
    assert discover([tmp_path]) == expected
    # A file given twice (directly and through its folder) is listed once; a skipped file given directly is skipped.
    assert discover([tmp_path / "a.txt", tmp_path, tmp_path / "notes.md"]) == expected
    assert discover([tmp_path / "sub"]) == [tmp_path / "sub/d.htm", tmp_path / "sub/deep/c.html"]


def test_discover_refuses_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no such file or folder"):
        discover([tmp_path / "missing"])


@pytest.mark.shared
def test_discover_the_shared_corpus(shared_corpus: Path) -> None:
    files = discover([shared_corpus])
    assert len(files) == 342
    assert Counter(p.suffix for p in files) == {".txt": 330, ".pdf": 4, ".csv": 4, ".docx": 3, ".jsonl": 1}
    assert files == sorted(files)


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text("x" * 2000, encoding="utf-8")
    settings = Settings(index_dir=tmp_path / "index", max_file_bytes=1000)
    with pytest.raises(FileTooLarge, match="2,000 bytes, larger than the limit of 1,000 bytes"):
        load_document(path, settings)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("notes.md", "unsupported file type '.md'"),
        ("data.json", "unsupported file type '.json'"),
        ("report.pdf.meta.toml", "a metadata file"),
        ("hrsearch.toml", "a metadata file"),
    ],
)
def test_unsupported_files_are_refused(tmp_path: Path, settings: Settings, name: str, reason: str) -> None:
    path = tmp_path / name
    path.write_text("x", encoding="utf-8")
    with pytest.raises(UnsupportedFormat, match=reason):
        load_document(path, settings)


def test_missing_file(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(CorpusError, match="no such file"):
        load_document(tmp_path / "gone.txt", settings)


def test_unexpected_parser_errors_become_corpus_errors(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The safety net for parser bugs cannot be reached with a real input, so the reader is replaced.
    def broken_reader(data: bytes, path: Path) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(corpus.readers.html, "read_html", broken_reader)
    path = tmp_path / "deep.html"
    path.write_text("<p>x</p>", encoding="utf-8")
    with pytest.raises(
        CorpusError, match=r"not a readable HTML page \(truncated or corrupt\): RecursionError"
    ) as err:
        load_document(path, settings)
    assert isinstance(err.value.__cause__, RecursionError)


def test_hash_is_the_sha256_of_the_bytes_without_metadata_files(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "a.txt"
    path.write_text(PLAIN, encoding="utf-8")
    expected = hashlib.sha256(PLAIN.encode()).hexdigest()
    doc = load_document(path, settings)
    assert doc.content_hash == expected == content_hash(path)
    assert doc.doc_id == expected[:16]


def test_editing_the_sidecar_changes_the_hash(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "a.txt"
    path.write_text(PLAIN, encoding="utf-8")
    plain = content_hash(path)
    sidecar = tmp_path / "a.txt.meta.toml"
    sidecar.write_text('country = "Kenya"\n', encoding="utf-8")
    first = load_document(path, settings).content_hash
    sidecar.write_text('country = "Uganda"\n', encoding="utf-8")
    second = load_document(path, settings).content_hash
    assert len({plain, first, second}) == 3
    assert second == content_hash(path)


def test_sidecar_overrides_kind_and_country(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "summary.txt"
    path.write_text(SUMMARY, encoding="utf-8")
    inferred = load_document(path, settings).meta
    assert (inferred.kind, inferred.country, inferred.session, inferred.cycle) == (
        "stakeholder_summary",
        "Slovenia",
        48,
        4,
    )
    (tmp_path / "summary.meta.toml").write_text(
        'kind = "submission"\ncountry = "Republic of Croatia"\nsource_url = "https://example.org/s"\n'
        '[extra]\nreviewed_by = "lead"\n',
        encoding="utf-8",
    )
    meta = load_document(path, settings).meta
    assert (meta.kind, meta.symbol, meta.session, meta.cycle, meta.year) == (
        "submission",
        "A/HRC/WG.6/48/SVN/3",
        48,
        4,
        2024,
    )
    # "Republic of Croatia" is not a UN name hrsearch knows: kept as written.
    assert meta.country == "Republic of Croatia"
    assert meta.extra == {"source_url": "https://example.org/s", "reviewed_by": "lead"}


def test_sidecar_symbol_feeds_the_inference(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "download.txt"
    path.write_text(PLAIN, encoding="utf-8")
    (tmp_path / "download.txt.meta.toml").write_text(
        'symbol = "A/HRC/WG.6/36/USA/3"\ncountry = "USA"\n', encoding="utf-8"
    )
    meta = load_document(path, settings).meta
    assert (meta.symbol, meta.kind, meta.country, meta.mechanism, meta.session, meta.cycle) == (
        "A/HRC/WG.6/36/USA/3",
        "stakeholder_summary",
        "United States of America",
        "UPR",
        36,
        3,
    )


def test_manifest_defaults_file_entries_and_sidecar_precedence(tmp_path: Path, settings: Settings) -> None:
    make_tree(
        tmp_path,
        {
            "hrsearch.toml": '[defaults]\nkind = "submission"\nmechanism = "upr"\nyear = 2020\n'
            '[files."sub/b.txt"]\ncountry = "Kenya"\nyear = 2019\n',
            "sub/hrsearch.toml": "[defaults]\nyear = 2021\n",
            "a.txt": PLAIN,
            "sub/b.txt": PLAIN,
            "sub/c.txt": PLAIN,
            "sub/b.txt.meta.toml": 'title = "Kenya coalition submission"\n',
        },
    )
    a = load_document(tmp_path / "a.txt", settings).meta
    b = load_document(tmp_path / "sub/b.txt", settings).meta
    c = load_document(tmp_path / "sub/c.txt", settings).meta
    assert (a.kind, a.mechanism, a.year, a.country, a.cycle) == ("submission", "UPR", 2020, None, 3)
    assert (c.kind, c.year) == ("submission", 2021)  # the nearer folder's defaults win
    assert (b.kind, b.country, b.year, b.title) == ("submission", "Kenya", 2019, "Kenya coalition submission")
    (tmp_path / "sub/b.txt.meta.toml").write_text("year = 2022\n", encoding="utf-8")
    assert load_document(tmp_path / "sub/b.txt", settings).meta.year == 2022  # the sidecar wins over all


def test_manifest_entries_change_only_their_files_hash(tmp_path: Path, settings: Settings) -> None:
    make_tree(tmp_path, {"a.txt": PLAIN, "b.txt": PLAIN})
    before = (content_hash(tmp_path / "a.txt"), content_hash(tmp_path / "b.txt"))
    (tmp_path / "hrsearch.toml").write_text('[files."b.txt"]\ncountry = "Kenya"\n', encoding="utf-8")
    after = (content_hash(tmp_path / "a.txt"), content_hash(tmp_path / "b.txt"))
    assert after[0] == before[0]
    assert after[1] != before[1]
    assert load_document(tmp_path / "b.txt", settings).content_hash == after[1]


@pytest.mark.parametrize(
    ("sidecar", "reason"),
    [
        ('kind = "submission\n', "malformed sidecar (not valid UTF-8 TOML)"),
        ('kind = "report"\n', "kind 'report' is not one of letter, submission"),
        ('year = "2020"\n', "year must be a whole number, not '2020'"),
        ('mechanism = "UNESCO"\n', "mechanism 'UNESCO' is not one of UPR"),
        ("[columns]\ntext = 3\n", "[columns] text must be a column name in quotes"),
    ],
)
def test_malformed_sidecar_names_the_sidecar(
    tmp_path: Path, settings: Settings, sidecar: str, reason: str
) -> None:
    path = tmp_path / "a.txt"
    path.write_text(PLAIN, encoding="utf-8")
    meta_path = tmp_path / "a.txt.meta.toml"
    meta_path.write_text(sidecar, encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        load_document(path, settings)
    assert err.value.path == str(meta_path)
    assert reason in err.value.reason


def test_malformed_manifest_names_the_manifest(tmp_path: Path, settings: Settings) -> None:
    make_tree(tmp_path, {"a.txt": PLAIN, "hrsearch.toml": "[defaults\n"})
    with pytest.raises(CorpusError, match="malformed folder manifest") as err:
        content_hash(tmp_path / "a.txt")
    assert err.value.path == str(tmp_path / "hrsearch.toml")


def test_two_sidecars_the_full_name_wins(tmp_path: Path, settings: Settings) -> None:
    make_tree(tmp_path, {"a.txt": PLAIN, "a.txt.meta.toml": "year = 2001\n", "a.meta.toml": "year = 2002\n"})
    doc = load_document(tmp_path / "a.txt", settings)
    assert doc.meta.year == 2001
    assert doc.warnings == ["sidecar a.meta.toml ignored: a.txt.meta.toml takes precedence"]


def test_toml_dates_in_extra_stay_json_serialisable(tmp_path: Path, settings: Settings) -> None:
    make_tree(tmp_path, {"a.txt": PLAIN, "a.txt.meta.toml": "received = 2024-03-01\n"})
    assert load_document(tmp_path / "a.txt", settings).meta.extra == {"received": "2024-03-01"}
