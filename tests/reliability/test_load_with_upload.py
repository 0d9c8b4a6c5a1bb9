"""Load with a hostile upload in flight (issue 18): a real uvicorn server with the real model
keeps answering ``/health`` and ``/search`` while a 1.1 MB HTML file of 100,000 nested ``<div>``
is being parsed (a core busy for the whole parse timeout) and alignments of 200 asks, the most
one request may hold, are asked for one after another.

The scenario is the benchmark's (``benchmarks.hostile_load``); this test asserts what does not
depend on the machine's speed: no request fails, the upload is refused, every alignment is
answered, and both kinds of client are served throughout (a server blocked by the parse answers
a handful, not hundreds). Its latency target (p99 under a second) is a speed target and is
checked by ``make bench`` (BENCHMARKS.md), not here, where another test may share the cores.

``LOAD_SECONDS`` (default 30) sets how long the clients ask; the figures are printed (``-s``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks import hostile_load

pytestmark = pytest.mark.model

LOAD_SECONDS = float(os.environ.get("LOAD_SECONDS", "30"))


def test_health_and_search_keep_answering_with_a_hostile_upload_in_flight(tmp_path: Path) -> None:
    out = hostile_load.run(tmp_path, LOAD_SECONDS)
    figures, alignments = out["figures"], out["alignments"]
    print(
        f"load for {LOAD_SECONDS:g} s, {out['search_clients']} search clients, {len(alignments)} "
        f"alignments of 200 asks {set(alignments)}, the HTML upload {out['uploads']}: {figures}"
    )
    assert out["upload_in_parser_throughout"], "the nested HTML was not in the parser for the whole run"
    assert not out["errors"], out["errors"][:5]
    assert out["uploads"] == [422] and alignments and set(alignments) == {200}, (out["uploads"], alignments)
    assert figures["health"]["requests"] > 50 and figures["search"]["requests"] > 50, figures
