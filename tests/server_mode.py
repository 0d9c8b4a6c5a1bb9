"""Server mode for the test suite: ``pytest --chroma-server`` runs the tests against a real
``chroma run`` on 127.0.0.1 instead of embedded Chroma.

Register it once in ``tests/conftest.py`` with ``pytest_plugins = ["tests.server_mode"]``. With the
option (or ``HRSEARCH_TEST_CHROMA_SERVER=1``) the session starts
``.venv/bin/chroma run --path TMP --host 127.0.0.1 --port FREE``, waits for its heartbeat, sets
``HRSEARCH_CHROMA_URL`` for every test (after the conftest's clean environment) and for the
subprocesses the tests start, and stops the server at the end. Each test, and each fixture of a
wider scope, gets its own collection name (``HRSEARCH_COLLECTION``), so indexes built by
different tests never share a collection on the one server. Without the option nothing changes.
"""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

_URL_VAR, _COLLECTION_VAR = "HRSEARCH_CHROMA_URL", "HRSEARCH_COLLECTION"
_counter = itertools.count(1)
_active_url: str | None = None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--chroma-server",
        action="store_true",
        default=os.environ.get("HRSEARCH_TEST_CHROMA_SERVER", "") not in ("", "0"),
        help="run the tests against a real `chroma run` server on 127.0.0.1 (server mode)",
    )


STORE_INDEPENDENT = (
    "store-independent (retrieval quality and the evaluation's plumbing, the same whichever way "
    "Chroma runs): run once, embedded, by `make test`"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In server mode, skip the tests marked ``store_independent``: what they measure (figures of
    the evaluation, its runner and CLI) reads the store through the same snapshot as every other
    test, which server mode does run; running them twice costs CI minutes and checks nothing new."""
    if not config.getoption("--chroma-server"):
        return
    skip = pytest.mark.skip(reason=STORE_INDEPENDENT)
    for item in items:
        if item.get_closest_marker("store_independent") is not None:
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _chroma_cli() -> str:
    beside = Path(sys.executable).with_name("chroma")
    found = str(beside) if beside.exists() else shutil.which("chroma")
    if not found:
        pytest.exit(
            "--chroma-server: the `chroma` command (installed with chromadb) is missing", returncode=4
        )
    return found


def start_chroma_server(
    path: Path, log: Path, timeout_s: float = 60.0
) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``chroma run`` on a free loopback port and wait for its heartbeat."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [_chroma_cli(), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"chroma run exited with {proc.returncode}: {log.read_text(errors='replace')[-2000:]}"
            )
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1.0).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"chroma run did not answer its heartbeat within {timeout_s:g} s")


@pytest.fixture(scope="session")
def chroma_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str | None]:
    """The URL of the session's Chroma server in server mode, else None."""
    global _active_url
    if not request.config.getoption("--chroma-server"):
        yield None
        return
    root = tmp_path_factory.mktemp("chroma-server")
    proc, url = start_chroma_server(root / "data", root / "server.log")
    previous = os.environ.get(_URL_VAR)
    os.environ[_URL_VAR] = url  # seen by fixtures of module scope, which run before _clean_env
    _active_url = url
    try:
        yield url
    finally:
        _active_url = None
        if previous is None:
            os.environ.pop(_URL_VAR, None)
        else:
            os.environ[_URL_VAR] = previous
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


_module_collections: dict[str, str] = {}


def _collection_name(label: str) -> str:
    clean = "".join(c if c.isalnum() else "-" for c in label)[-40:].strip("-") or "t"
    return f"t{next(_counter)}-{clean}"


@pytest.fixture(autouse=True)
def _server_mode_env(request: pytest.FixtureRequest, chroma_server: str | None) -> Iterator[None]:
    """In server mode: this test's Chroma URL and its own collection (after the clean environment)."""
    if chroma_server is None:
        yield
        return
    for name in ("_clean_env", "_clean_hrsearch_env"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
    monkeypatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setenv(_URL_VAR, chroma_server)
    # A test reads the index its module's fixtures built (the CLI reads HRSEARCH_COLLECTION);
    # a test of a module without such an index gets a collection of its own.
    shared = _module_collections.get(request.module.__name__) if request.module else None
    monkeypatch.setenv(_COLLECTION_VAR, shared or _collection_name(request.node.name))
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[object], request: pytest.FixtureRequest
) -> Iterator[None]:
    """Fixtures of module or session scope build indexes before any test's environment is set:
    give each its own collection too."""
    if _active_url is None or fixturedef.scope == "function":
        yield
        return
    previous = os.environ.get(_COLLECTION_VAR)
    name = _collection_name(fixturedef.argname)
    os.environ[_COLLECTION_VAR] = name
    try:
        yield
        # The innermost module fixture finishes first: that is the one that built the index.
        if fixturedef.scope == "module" and getattr(request, "module", None) is not None:
            _module_collections.setdefault(request.module.__name__, name)
    finally:
        if previous is None:
            os.environ.pop(_COLLECTION_VAR, None)
        else:
            os.environ[_COLLECTION_VAR] = previous


def store_env(settings: object) -> dict[str, str]:
    """The environment that makes a command (or ``Settings()``) open the same Chroma store as
    ``settings``: in server mode its URL and collection, embedded nothing (the index folder holds
    the store)."""
    url = str(getattr(settings, "chroma_url", "") or "")
    if not url:
        return {}
    return {_URL_VAR: url, _COLLECTION_VAR: str(getattr(settings, "collection", ""))}
