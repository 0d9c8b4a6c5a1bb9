"""The linking sets hold what their READMEs say: every ask verbatim in its source, every
judgment naming exactly one recommendation of its scope, translations covering exactly the asks
(``evaluation/datasets/validate_linking_sets.py`` against the real corpus in ``../shared``)."""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

DATASETS = Path(__file__).resolve().parents[2] / "evaluation" / "datasets"
SETS = sorted(
    p.parent.name
    for p in DATASETS.glob("*/set.json")
    if json.loads(p.read_text(encoding="utf-8")).get("restrict_to_scope") is True
)


@functools.cache
def _validator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "validate_linking_sets", DATASETS / "validate_linking_sets.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_scoped_set_is_found() -> None:
    assert {
        "slovenia_stakeholder_asks",
        "usa_stakeholder_asks",
        "treaty_and_other_asks",
        "un_compilation_asks",
        "un_compilation_asks_afg_brb_brn",
    } <= set(SETS)


@pytest.mark.parametrize("name", SETS)
def test_linking_set_resolves_against_the_corpus(name: str, shared_corpus: Path) -> None:
    v = _validator()
    problems, summary = v.check_set(v.Corpus(shared_corpus.resolve()), DATASETS / name)
    assert problems == [], summary
    asks = [
        json.loads(x)
        for x in (DATASETS / name / "queries.jsonl").read_text(encoding="utf-8").splitlines()
        if x
    ]
    assert asks and all(a["judgments"] for a in asks), (
        f"{name}: an ask without judgments"
    )  # not an empty shell
