"""The theme tagger: the committed artifact, the done-when checks on real letters with the real
model, merging data labels with model tags, and the ``tag`` command through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from indexer import tagger as tg

LETTERS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "letters"
LETTER_2021 = LETTERS / "000_12e2e18f93ed9b55.txt"
LETTER_2016 = LETTERS / "001_e83354df6d6c8eba.txt"


@pytest.fixture(scope="module")
def tagger() -> tg.ThemeTagger:
    return tg.load_tagger()


def _letter(path: Path) -> str:
    if not path.is_file():
        pytest.skip(f"the shared letters are not at {path}")
    return path.read_text(encoding="utf-8")


def _paragraph(text: str, needle: str) -> str:
    return next(" ".join(p.split()) for p in text.split("\n\n") if needle in p)


# --- the artifact ------------------------------------------------------------------------------
def test_artifact_is_small_plain_arrays_and_json(tagger: tg.ThemeTagger) -> None:
    size = sum(f.stat().st_size for f in tg.MODEL_DIR.iterdir() if f.is_file())
    assert size < 1_000_000
    with np.load(tg.MODEL_DIR / tg.MODEL_FILE, allow_pickle=False) as z:  # no pickled objects inside
        assert "thresholds" in z.files
    meta = json.loads((tg.MODEL_DIR / tg.META_FILE).read_text(encoding="utf-8"))
    assert meta["embedder"] == "all-MiniLM-L6-v2" and meta["dimension"] == 384
    assert len(tagger.labels) == 52 and "Other" not in tagger.labels and "General" not in tagger.labels
    assert {"Death penalty", "Civil society", "UPR process"} <= set(tagger.labels)
    assert tagger.dimension == 384
    assert ((tagger.thresholds > 0) & (tagger.thresholds < 1)).all()


def test_figures_meet_the_done_when_targets() -> None:
    figures = json.loads((tg.MODEL_DIR / "figures.json").read_text(encoding="utf-8"))
    assert figures["micro_f1"] >= 0.87
    assert figures["macro_f1"] >= 0.80


# --- meaning, with the real model --------------------------------------------------------------
@pytest.mark.model
def test_death_penalty_ask_of_the_2021_letter(tagger: tg.ThemeTagger, embedder) -> None:  # type: ignore[no-untyped-def]
    text = _letter(LETTER_2021)
    tags = {t.theme: t for t in tagger.tag_text(text, embedder)}
    assert "Death penalty" in tags
    assert "abolish the death penalty" in (tags["Death penalty"].sentence or "")
    # The ask as the pipeline passes it: its text and the vector it already has.
    ask = _paragraph(text, "abolish the death penalty")
    [passage_tags] = tg.tag_passages([ask], embedder.embed_passages([ask]), tagger)
    assert "Death penalty" in {t.theme for t in passage_tags}
    assert all(t.source == "model" and 0 < t.confidence <= 1 for t in passage_tags)


@pytest.mark.model
def test_consultation_asks_of_the_2016_letter(tagger: tg.ThemeTagger, embedder) -> None:  # type: ignore[no-untyped-def]
    text = _letter(LETTER_2016)
    wanted = {"Civil society", "UPR process"}
    asks = [
        _paragraph(text, "Civil society consultations offer an important opportunity"),
        _paragraph(text, "These summaries should be made available to civil society"),
    ]
    for ask, tags in zip(asks, tg.tag_passages(asks, embedder.embed_passages(asks), tagger), strict=True):
        assert wanted & {t.theme for t in tags}, (ask[:80], tags)
    whole = {t.theme: t for t in tagger.tag_text(text, embedder)}
    assert wanted & set(whole)
    assert "consult" in (whole.get("Civil society") or whole["UPR process"]).sentence.lower()  # type: ignore[union-attr]


@pytest.mark.model
def test_theme_vector_ranks_the_right_theme_first(tagger: tg.ThemeTagger, embedder) -> None:  # type: ignore[no-untyped-def]
    texts = [
        "Abolish the death penalty and commute all death sentences",
        "Ensure free primary education for all girls",
    ]
    vectors = embedder.embed_passages(texts)
    for probs in (tg.theme_vector(vectors, tagger=tagger), tg.theme_vector(vectors, texts, tagger=tagger)):
        assert probs.shape == (2, 52) and ((probs >= 0) & (probs <= 1)).all()
        assert tagger.labels[int(probs[0].argmax())] == "Death penalty"
        assert tagger.labels[int(probs[1].argmax())] == "Right to education"


def test_a_vector_of_another_model_is_a_clear_error(tagger: tg.ThemeTagger) -> None:
    with pytest.raises(tg.TaggerUnavailableError, match="384-d"):
        tagger.proba(np.zeros((1, 768), np.float32), ["text"])


# --- merging data labels and model tags --------------------------------------------------------
def test_a_label_from_the_data_wins_and_a_upr_info_row_is_complete() -> None:
    model = [tg.Tag("Death penalty", 0.91), tg.Tag("Justice", 0.6)]
    themes, tags = tg.merge_tags(["Death penalty", "Other"], model)
    assert themes == ["Death penalty", "Other"]
    assert tags == [
        {"theme": "Death penalty", "confidence": 1.0, "source": "label"},
        {"theme": "Other", "confidence": 1.0, "source": "label"},
    ]


def test_ohchr_themes_map_onto_the_vocabulary_and_model_tags_fill_in() -> None:
    model = [tg.Tag("Women's rights", 0.8), tg.Tag("Right to health", 0.7), tg.Tag("Poverty", 0.6)]
    themes, tags = tg.merge_tags(["Sexual & reproductive health and rights"], model)
    assert themes == ["Right to health", "Women's rights", "Poverty"]
    assert [t["source"] for t in tags] == ["label", "label", "model"]


def test_one_theme_shows_once_whatever_the_data_calls_it() -> None:
    """Issue 16: "NHRI" and "National Human Rights Institution (NHRI)" are one theme."""
    for label in (
        "NHRI",
        "National Human Rights Institution (NHRI)",
        "A45 National Human Rights Institution (NHRI)",
    ):
        assert tg.merge_tags([label], [])[0] == ["NHRI"]
    themes, _ = tg.merge_tags(
        ["Acceptance of international norms", "A12 Acceptance of international norms"], []
    )
    assert themes == ["International instruments"]
    # a label with no place in the vocabulary is no theme (the record's labels keep it)
    assert tg.merge_tags(["Something else entirely"], [])[0] == []
    # model tags outside the vocabulary are ignored
    assert tg.merge_tags([], [tg.Tag("Not a theme", 0.9)])[0] == []


@pytest.mark.shared
def test_every_label_of_the_corpus_has_a_place_in_the_vocabulary(shared_corpus: Path) -> None:
    from corpus.loader import load_document
    from hrsearch.settings import Settings
    from indexer.themes import VOCABULARY, vocabulary_themes

    labels: set[str] = set()
    for name in (
        "recommendations/upr_info_sessions01-20_recommendations.csv",
        "recommendations/us_upr_cycle3_recommendations.csv",
        "recommendations/slovenia/slovenia_upr_cycles2-4_thematic_list_parsed.csv",
        "treaty_observations/uhri_sample_CESCR_Australia_E-C.12-AUS-CO-6.jsonl",
    ):
        labels |= {t for row in load_document(shared_corpus / name, Settings()).rows for t in row.themes}
    assert len(labels) > 190
    assert "F31 Children: definition; general principles; protection" in labels  # one label, not three
    assert not {"general principles", "protection"} & labels
    assert [label for label in sorted(labels) if not vocabulary_themes(label)] == []
    assert {t for label in labels for t in vocabulary_themes(label)} <= set(VOCABULARY)


def test_without_data_themes_the_model_tags_are_the_themes() -> None:
    themes, tags = tg.merge_tags([], [tg.Tag("Death penalty", 0.9123)])
    assert themes == ["Death penalty"]
    assert tags == [{"theme": "Death penalty", "confidence": 0.9123, "source": "model"}]


@pytest.mark.model
def test_tag_records_as_the_pipeline_calls_it(tagger: tg.ThemeTagger, embedder) -> None:  # type: ignore[no-untyped-def]
    records = [
        {"text": "Abolish the death penalty", "themes": ["Death penalty", "Justice"]},
        {"text": "We urge you to abolish the death penalty and to consult civil society", "themes": []},
        {
            "text": "Ratify the Optional Protocol to the Convention against Torture",
            "themes": ["Acceptance of international norms"],
        },
    ]
    tg.tag_records(records, embedder.embed_passages([r["text"] for r in records]), tagger)
    assert records[0]["themes"] == ["Death penalty", "Justice"]
    assert records[0]["labels"] == ["Death penalty", "Justice"]
    assert {t["source"] for t in records[0]["tags"]} == {"label"}
    assert {"Death penalty", "Civil society"} <= set(records[1]["themes"])
    assert {t["source"] for t in records[1]["tags"]} == {"model"}
    assert records[2]["labels"] == ["Acceptance of international norms"]  # the data's own, as given
    assert records[2]["themes"][0] == "International instruments"
    assert "Torture and other CID treatment" in records[2]["themes"]  # added by the model


def test_tag_records_with_another_embedder_keeps_data_labels_only(tagger: tg.ThemeTagger) -> None:
    records = [
        {"text": "Abolish the death penalty", "themes": []},
        {"text": "x", "themes": ["B32 Racial discrimination"]},
    ]
    tg.tag_records(records, np.ones((2, 768), np.float32) / np.sqrt(768), tagger)
    assert records[0]["themes"] == [] and records[0]["tags"] == []
    assert records[1]["themes"] == ["Racial discrimination"]
    assert records[1]["labels"] == ["B32 Racial discrimination"]


def test_tag_records_without_vectors_maps_the_data_labels_only() -> None:
    records = [
        {"text": "x", "themes": ["National Human Rights Institution (NHRI)"]},
        {"text": "y", "themes": []},
    ]
    tg.tag_records(records, None)
    assert [r["themes"] for r in records] == [["NHRI"], []]


@pytest.mark.parametrize(
    ("name", "mapped"),
    [
        ("B32 Racial discrimination", ["Racial discrimination"]),
        ("F31 Children: definition; general principles; protection", ["Rights of the Child"]),
        ("Cooperation & consultation with civil society", ["Civil society"]),
        ("Human rights & counter-terrorism", ["Counter-terrorism"]),
        ("Constitutional & legislative framework", ["General"]),
        ("National Human Rights Institution (NHRI)", ["NHRI"]),
        ("NHRI", ["NHRI"]),
        ("Not a theme of any list", []),
    ],
)
def test_vocabulary_themes(name: str, mapped: list[str]) -> None:
    from indexer.themes import vocabulary_themes

    assert vocabulary_themes(name) == mapped


def test_sentences_leave_out_headings_and_signatures() -> None:
    text = (
        "Follow-Up Letter to Feb. 11, 2016 Meeting\n\nDear Sir:\n\nWe urge you to abolish the death penalty. "
        "We also ask for a meeting; Soon.\n\nMS Food Justice Collaborative\n\nThe GAP Gyrlz and GAP Gyz Movement"
    )
    assert tg.split_sentences(text) == [
        "We urge you to abolish the death penalty.",
        "We also ask for a meeting;",
    ]


# --- the command -------------------------------------------------------------------------------
@pytest.fixture
def hrsearch_main():  # type: ignore[no-untyped-def]
    """The real entry point (the tagger commands are registered by hrsearch.cli)."""
    from hrsearch import cli

    return cli.main


@pytest.mark.model
def test_tag_command_json(hrsearch_main, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    code = hrsearch_main(
        [
            "tag",
            "We urge the Government to abolish the death penalty. It should also meet civil society.",
            "--json",
        ]
    )
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    tags = {t["theme"]: t for t in out["tags"]}
    assert tags["Death penalty"]["sentence"] == "We urge the Government to abolish the death penalty."
    assert tags["Death penalty"]["source"] == "model" and 0.5 < tags["Death penalty"]["confidence"] <= 1


def test_tag_command_without_text_is_a_usage_error(hrsearch_main, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    assert hrsearch_main(["tag", "  "]) == 2
    assert "no text to tag" in capsys.readouterr().err


def test_tagger_train_without_corpus_is_a_usage_error(
    hrsearch_main, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    assert hrsearch_main(["tagger", "train", "--corpus", str(tmp_path), "--out", str(tmp_path / "m")]) == 2
    assert "upr_info_sessions01-20_recommendations.csv" in capsys.readouterr().err


def test_the_command_writes_where_the_library_loads() -> None:
    from hrsearch.cli import tagger as tagger_cli

    assert tagger_cli.MODEL_DIR == tg.MODEL_DIR
