"""``Records``: passage records kept as JSON, read as dicts."""

from __future__ import annotations

import json

import pytest

from indexer.snapshot import Records


def test_records_read_like_a_list_of_dicts() -> None:
    rows = [{"id": f"p{i}", "kind": "paragraph", "pages": [i], "extra": {"n": i}} for i in range(5)]
    recs = Records([json.dumps(r) for r in rows], cache_size=2)
    assert len(recs) == 5
    assert recs[0] == rows[0] and recs[-1] == rows[4]
    assert recs[1:3] == rows[1:3]
    assert list(recs) == rows
    assert [r["id"] for r in recs if r["pages"][0] % 2] == ["p1", "p3"]
    with pytest.raises(IndexError):
        recs[5]
    with pytest.raises(IndexError):
        recs[-6]
    assert recs[2] is recs[2]  # recently read records are kept decoded
