"""Training the tagger: text as the indexer stores it, the session split, thresholds, figures, and
a rebuild that gives the same bytes (plumbing: the hashing double stands in for the embedder)."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import numpy as np
import pytest

from indexer import tagger as tg
from tests.doubles import HashingEmbedder
from training import tagger as tt
from training import tagger_data as td
from training import tagger_fit as tf


def test_training_text_is_the_indexed_text() -> None:
    assert td.training_text("Abolish the death penalty.") == "Abolish the death penalty"
    assert (
        td.training_text("Ratify the OP-CRC (Portugal, Slovakia);", "Portugal, Slovakia")
        == "Ratify the OP-CRC"
    )
    # A final parenthesis that is not the States stays.
    assert td.training_text("Ratify the Convention (CAT).", "Chile") == "Ratify the Convention (CAT)"


def _item(text: str, session: int, *labels: str) -> td.Item:
    return td.Item(text, tuple(labels), session, "upr_info" if session else "slovenia", text[:8])


def test_session_split_drops_test_texts_seen_before() -> None:
    items = [
        _item("a", 3, "Justice"),
        _item("b", 15, "Justice"),
        _item("a", 17, "Justice"),  # seen in training
        _item("b", 18, "Justice"),  # seen in validation
        _item("c", 20, "Justice"),
        _item("x", 0, "Justice"),  # extra set: training only
        _item("x", 19, "Justice"),
    ]
    with_extra = td.session_split(items, with_extra=True)
    assert (with_extra.train, with_extra.valid, with_extra.test, with_extra.test_dropped) == (
        [0, 5],
        [1],
        [4],
        3,
    )
    main = td.session_split(items, with_extra=False)
    assert (main.train, main.test, main.test_dropped) == ([0], [4, 6], 2)


def test_thresholds_maximise_f1_per_label_and_fall_back_to_a_global_one() -> None:
    probs = np.array([[0.9, 0.2], [0.7, 0.6], [0.4, 0.1], [0.2, 0.3]] * 3, dtype=np.float32)
    targets = np.array([[1, 0], [1, 1], [0, 0], [0, 0]] * 3, dtype=np.int8)
    t = tf.choose_thresholds(probs, targets, min_positives=3)
    assert 0.4 < t[0] <= 0.7 and 0.3 < t[1] <= 0.6
    t = tf.choose_thresholds(probs, targets, min_positives=4)  # label 1 has 3 positives: global threshold
    assert t[1] == t[1] and 0.3 < t[1] <= 0.7


def test_scores_table_against_hand_computed_values() -> None:
    pred = np.array([[1, 0], [1, 1], [0, 0]], dtype=bool)
    gold = np.array([[1, 0], [0, 1], [0, 1]], dtype=np.int8)
    f = tf.scores_table(pred, gold, ["A", "B"])
    # A: tp 1 fp 1 fn 0 -> F1 2/3; B: tp 1 fp 0 fn 1 -> F1 2/3; micro: tp 2 fp 1 fn 1 -> 2/3
    assert f["micro_f1"] == pytest.approx(0.6667, abs=1e-4)
    assert f["macro_f1"] == pytest.approx(0.6667, abs=1e-4)
    assert f["per_label"]["A"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "support": 1}


def _write_corpus(folder: Path) -> None:
    """A small labelled set in the three formats: sessions 1-20, four themes."""
    themes = {
        "Death penalty": "abolish the death penalty and commute death sentences",
        "Right to education": "ensure free primary education for girls and boys",
        "Women's rights": "combat violence against women and domestic violence",
        "Civil society": "consult civil society organisations on the follow-up",
    }
    rng = np.random.default_rng(0)
    upr = folder / td.UPR_INFO_CSV
    upr.parent.mkdir(parents=True, exist_ok=True)
    with upr.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["rec_id", "session", "recommendation", "issues"])
        n = 0
        for session in range(1, 21):
            for _ in range(12):
                chosen = sorted(rng.choice(list(themes), size=int(rng.integers(1, 3)), replace=False))
                words = " ".join(themes[c] for c in chosen) + f" in region {rng.integers(1000)}"
                w.writerow(
                    [f"UPRINFO-{n:06d}", session, words.capitalize() + ".", ",".join([*chosen, "Other"])]
                )
                n += 1
    with (folder / td.US_CSV).open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["rec_id", "text", "themes"])
        w.writerow(["26.1", "Abolish the death penalty at federal level", "Death penalty"])
    (folder / td.SLOVENIA_CSV).parent.mkdir(parents=True, exist_ok=True)
    with (folder / td.SLOVENIA_CSV).open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["cycle", "paragraph", "recommendation", "recommending_states_raw", "themes"])
        w.writerow(
            [
                "2",
                "115.1",
                "Consult civil society on the UPR follow-up (Chile);",
                "Chile",
                "Cooperation & consultation with civil society",
            ]
        )


def test_train_rebuilds_the_same_artifact(tmp_path: Path) -> None:
    corpus = tmp_path / "recommendations"
    _write_corpus(corpus)
    variant = tt.Variant("small", lexical=200, min_df=1, C=4.0, extra=True)
    digests = []
    for run in ("a", "b"):
        out = tmp_path / run
        figures = tt.train(
            corpus, out, lambda: HashingEmbedder(dimension=64), cache_dir=tmp_path / "cache", variant=variant
        )
        digests.append(hashlib.sha256((out / tg.MODEL_FILE).read_bytes()).hexdigest())
        assert figures["micro_f1"] > 0.9
        assert figures["split"]["train"] == 14 * 12 + 2
    assert digests[0] == digests[1]
    loaded = tg.ThemeTagger.load(tmp_path / "a")
    assert loaded.labels == ["Civil society", "Death penalty", "Right to education", "Women's rights"]
    vec = HashingEmbedder(dimension=64).embed_passages(["abolish the death penalty"])
    [tags] = loaded.tag(["abolish the death penalty"], vec)
    assert [t.theme for t in tags] == ["Death penalty"]
