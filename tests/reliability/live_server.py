"""A real uvicorn server over an index, in its own process, for tests that need a real event loop
(one request must not hold up the others) rather than the in-process test client.

``python -m tests.reliability.live_server PORT`` serves ``create_app(Settings())`` (the settings
from the environment) with the HashingEmbedder, so the server starts in a second and the tests
are about serving, not about the model; ``real_model=True`` serves with the configured model
(load tests, whose figures should be the product's).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from hrsearch.settings import Settings
from tests.reliability.helpers import PYTHON, REPO, cli_env
from tests.server_mode import _free_port


@contextmanager
def live_server(settings: Settings, log: Path, *, real_model: bool = False, **env: str) -> Iterator[str]:
    """Serve ``settings``'s index (plus ``env`` settings) on a free port; yields the base URL."""
    port = _free_port()
    env = {**env, "HRSEARCH_MODEL": settings.model, **({"LIVE_SERVER_REAL_MODEL": "1"} if real_model else {})}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [PYTHON, "-m", "tests.reliability.live_server", str(port)],
            cwd=REPO,
            env=cli_env(settings, **env),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                assert proc.poll() is None, log.read_text(errors="replace")
                try:
                    if httpx.get(f"{url}/ready", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
            yield url
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def main() -> None:
    import uvicorn

    from search_api.app import create_app
    from tests.doubles import HashingEmbedder

    settings = Settings()
    if os.environ.get("LIVE_SERVER_REAL_MODEL"):
        app = create_app(settings)
    else:
        app = create_app(settings, embedder=HashingEmbedder())
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")


if __name__ == "__main__":
    main()
