"""OpenMP waits passively from every entry point, before any model loads (hrsearch.runtime).

The effect (a 200-ask Spanish alignment: 130 s of CPU and 320 s wall before, 17.5 s and 33 s
after) is measured by ``benchmarks/request_cost.py``; what is tested here is that the CLI and the
app factory set the policy and that a user's own choice is kept.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hrsearch.runtime import passive_openmp


def test_passive_unless_the_user_chose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    passive_openmp()
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    passive_openmp()
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"


def test_the_cli_sets_it_before_parsing_anything(monkeypatch: pytest.MonkeyPatch) -> None:
    from hrsearch.cli import main

    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    with pytest.raises(SystemExit):
        main(["--help"])
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"


def test_the_app_factory_sets_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from hrsearch.settings import Settings
    from search_api.app import create_app

    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    create_app(Settings(index_dir=tmp_path / "index"))
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
