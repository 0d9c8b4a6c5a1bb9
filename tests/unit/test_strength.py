"""Strength of wording (UPR Info's action category 1-5): the committed model on real wordings with
the real embedder, the record fields it fills, the baselines and figures it is measured by, and a
rebuild that gives the same bytes (plumbing: the hashing double stands in for the embedder)."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from indexer import strength as st
from tests.doubles import HashingEmbedder
from training import strength as ts
from training.tagger_data import UPR_INFO_CSV


@pytest.fixture(scope="module")
def model() -> st.StrengthModel:
    return st.load_strength_model()


# --- the artifact ------------------------------------------------------------------------------
def test_artifact_is_plain_arrays_and_json(model: st.StrengthModel) -> None:
    size = sum(f.stat().st_size for f in st.MODEL_DIR.iterdir() if f.is_file())
    assert size < 1_000_000
    with np.load(st.MODEL_DIR / st.MODEL_FILE, allow_pickle=False) as z:  # no pickled objects inside
        assert {"W", "b"} <= set(z.files)
    meta = json.loads((st.MODEL_DIR / st.META_FILE).read_text(encoding="utf-8"))
    assert meta["embedder"] == "all-MiniLM-L6-v2" and meta["dimension"] == 384 == model.dimension
    assert meta["sessions"] == {"train": [1, 14], "valid": [15, 16], "test": [17, 20]}
    figures = json.loads((st.MODEL_DIR / "figures.json").read_text(encoding="utf-8"))
    test, base = figures["model"]["test"], figures["baselines"]
    # measured on the session split: above both baselines, on every category
    assert test["accuracy"] > base["verb_rule"]["test"]["accuracy"] > base["majority"]["test"]["accuracy"]
    assert test["macro_f1"] > base["verb_rule"]["test"]["macro_f1"]
    assert sum(map(sum, test["confusion"])) == test["n"] == figures["split"]["test"]


def test_a_vector_of_another_model_is_a_clear_error(model: st.StrengthModel) -> None:
    with pytest.raises(st.StrengthUnavailableError, match="384-d"):
        model.proba(np.zeros((1, 768), np.float32), ["Ratify the CRC"])


# --- the model on real wordings ----------------------------------------------------------------
@pytest.mark.model
def test_considering_is_weaker_than_doing(model: st.StrengthModel, embedder) -> None:  # type: ignore[no-untyped-def]
    """Issue 16: "Consider ratifying the CRC" (3) is rated below "Ratify the CRC" (4-5)."""
    texts = [
        "Consider ratifying the CRC",
        "Ratify the CRC",
        "Consider ratifying the Convention on the Rights of the Child",
        "Ratify the Convention on the Rights of the Child",
        "Continue its efforts to combat trafficking in persons",
        "Take measures to combat trafficking in persons",
        "Abolish the death penalty",
        "Consider abolishing the death penalty",
    ]
    got = [c for c, _ in model.predict(embedder.embed_passages(texts), texts)]
    assert got[0] == 3 and got[1] >= 4
    assert got[2] == 3 and got[3] >= 4
    assert got[4] == 2
    assert got[5] == 4
    assert got[6] == 5 and got[7] == 3


# --- the record fields -------------------------------------------------------------------------
def test_strength_records_the_data_wins_and_the_model_fills_in(model: st.StrengthModel) -> None:
    records = [
        {"kind": "recommendation", "text": "Consider ratifying the CRC", "action_category": 5},
        {"kind": "recommendation", "text": "Consider ratifying the CRC", "action_category": None},
        {"kind": "paragraph", "text": "The delegation noted ...", "action_category": None},
        {"kind": "paragraph", "text": "Pledge to ratify the CRC", "action_category": 4},  # a pledge
    ]
    vectors = HashingEmbedder(dimension=384).embed_passages([r["text"] for r in records])
    st.strength_records(records, vectors, model)
    assert [(r["strength"], r["strength_source"]) for r in records[:1] + records[2:]] == [
        (5, "data"),
        (None, None),
        (4, "data"),
    ]
    assert records[1]["strength_source"] == "model" and records[1]["strength"] in st.CATEGORIES
    assert [r["action_category"] for r in records] == [5, None, None, 4]  # its meaning is kept


def test_strength_records_without_the_model_keeps_the_data_only(model: st.StrengthModel) -> None:
    records = [
        {"kind": "recommendation", "text": "Ratify the CRC", "action_category": None},
        {"kind": "recommendation", "text": "Ratify the CRC", "action_category": 3},
    ]
    st.strength_records(records, np.ones((2, 768), np.float32), model)  # another embedder
    assert [(r["strength"], r["strength_source"]) for r in records] == [(None, None), (3, "data")]
    st.strength_records(records, None)  # tagging turned off
    assert [(r["strength"], r["strength_source"]) for r in records] == [(None, None), (3, "data")]


def test_lead_text_is_the_first_words() -> None:
    assert st.lead_text("Consider ratifying the CRC and the CAT") == (
        "lead_consider lead_ratifying lead_the lead_crc"
    )
    assert st.lead_text("To consider ratifying ICCPR") == "lead_consider lead_ratifying lead_iccpr"
    assert st.lead_text("That the Government consider the ratification") == (
        "lead_consider lead_the lead_ratification"
    )


# --- baselines and figures ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Consider ratifying the CRC", 3),
        ("Continue its efforts to combat trafficking", 2),
        ("Ratify the Optional Protocol to CAT", 5),
        ("Take further measures to protect children", 4),
        ("Seek technical assistance from OHCHR", 1),
        ("In line with its commitments, explore ways to improve prisons", 3),
        ("Its national plan of action", 4),  # no verb of the rule: the commonest category
    ],
)
def test_verb_rule(text: str, category: int) -> None:
    assert ts.verb_rule(text) == category


def test_figures_against_hand_computed_values() -> None:
    f = ts.figures([3, 3, 4, 5, 5, 2], [3, 4, 4, 5, 1, 2])
    assert f["accuracy"] == pytest.approx(4 / 6, abs=1e-4)
    # per category F1: 1: 0 (no prediction), 2: 1, 3: 2/3, 4: 2/3, 5: 2/3 -> macro 0.6
    assert f["macro_f1"] == pytest.approx(0.6, abs=1e-4)
    assert f["per_category"]["3"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "support": 1}
    assert f["confusion"][0] == [0, 0, 0, 0, 1]  # the true 1 was called a 5
    assert f["mean_abs_error"] == pytest.approx((0 + 1 + 0 + 0 + 4 + 0) / 6, abs=1e-4)


def test_session_split_drops_test_texts_seen_before() -> None:
    rows = [
        ts.Row("a", 4, 3, "r1"),
        ts.Row("b", 4, 15, "r2"),
        ts.Row("a", 4, 17, "r3"),  # seen in training
        ts.Row("c", 3, 20, "r4"),
    ]
    split = ts.session_split(rows)
    assert (split.train, split.valid, split.test, split.test_dropped) == ([0], [1], [3], 1)


# --- training ----------------------------------------------------------------------------------
_WORDINGS = {
    1: "Share its experience with other countries on {t}",
    2: "Continue its efforts on {t}",
    3: "Consider ratifying the convention on {t}",
    4: "Take measures to improve {t}",
    5: "Ratify the convention on {t}",
}


def _write_corpus(folder: Path) -> None:
    topics = ["children", "torture", "education", "women", "migrants", "prisons", "health", "water"]
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / UPR_INFO_CSV).open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["rec_id", "session", "recommendation", "action_category"])
        n = 0
        for session in range(1, 21):
            for cat, wording in _WORDINGS.items():
                for k in range(3):
                    topic = topics[(session + k) % len(topics)]
                    w.writerow([f"UPRINFO-{n:06d}", session, wording.format(t=f"{topic} {session}-{k}"), cat])
                    n += 1


def test_train_rebuilds_the_same_artifact(tmp_path: Path) -> None:
    corpus = tmp_path / "recommendations"
    _write_corpus(corpus)
    variant = ts.Variant("small", lexical=200)
    digests = []
    for run in ("a", "b"):
        out = tmp_path / run
        result = ts.train(
            corpus, out, lambda: HashingEmbedder(dimension=64), cache_dir=tmp_path / "cache", variant=variant
        )
        digests.append(hashlib.sha256((out / st.MODEL_FILE).read_bytes()).hexdigest())
        assert result["model"]["test"]["accuracy"] == 1.0
        assert result["split"]["train"] == 14 * 15
    assert digests[0] == digests[1]
    loaded = st.StrengthModel.load(tmp_path / "a")
    texts = ["Consider ratifying the convention on prisons", "Ratify the convention on prisons"]
    assert [c for c, _ in loaded.predict(HashingEmbedder(dimension=64).embed_passages(texts), texts)] == [
        3,
        5,
    ]


# --- the commands, through the real entry point ------------------------------------------------
@pytest.mark.model
def test_tag_command_gives_the_strength_of_a_wording(capsys: pytest.CaptureFixture[str]) -> None:
    from hrsearch import cli

    assert cli.main(["tag", "Consider ratifying the CRC", "--json"]) == 0
    strength = json.loads(capsys.readouterr().out)["strength"]
    assert (strength["category"], strength["label"]) == (3, "considering action")
    assert cli.main(["tag", "Ratify the CRC"]) == 0
    assert "strength of wording: 5 (specific action" in capsys.readouterr().out


def test_train_strength_without_corpus_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hrsearch import cli

    assert (
        cli.main(["tagger", "train-strength", "--corpus", str(tmp_path), "--out", str(tmp_path / "m")]) == 2
    )
    assert "upr_info_sessions01-20_recommendations.csv" in capsys.readouterr().err


def test_the_command_writes_where_the_library_loads() -> None:
    from hrsearch.cli import tagger as tagger_cli

    assert tagger_cli.STRENGTH_DIR == st.MODEL_DIR
