"""Child processes: a measured task in a fresh interpreter (for its own peak RSS) and servers.

Peak memory is the child's ``ru_maxrss`` from ``os.wait4`` on that one child, so each figure
belongs to one process and is not the maximum over every child this run has waited for.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


@dataclass
class ChildResult:
    result: dict[str, Any]
    peak_rss_mib: float
    wall_s: float


def _env(extra: dict[str, str] | None, lib: Path | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("TOKENIZERS_PARALLELISM", "false")
    front = [str(lib)] if lib else []
    env["PYTHONPATH"] = os.pathsep.join(
        [*front, str(ROOT), *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])]
    )
    env.update(extra or {})
    return env


def run_child(
    task: str,
    kwargs: dict[str, Any],
    env: dict[str, str] | None = None,
    timeout: float = 7200,
    lib: Path | None = None,
) -> ChildResult:
    """Run ``task`` ("module:function", called with ``kwargs``) in a new interpreter.

    ``lib`` is a folder holding another copy of the library packages (``indexer``,
    ``search_api``, ...), for example with a patch applied; the child imports them from there
    and only ``benchmarks`` from this tree.
    """
    with tempfile.TemporaryDirectory(prefix="hrsearch-bench-") as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, "-m", "benchmarks.child", task, json.dumps(kwargs), str(out)]
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, cwd=lib or ROOT, env=_env(env, lib))
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                p.kill()
                _, status, usage = os.wait4(p.pid, 0)
                break
            time.sleep(0.05)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0 or not out.exists():
            raise RuntimeError(f"benchmark task {task} failed with exit code {p.returncode}")
        return ChildResult(json.loads(out.read_text()), round(usage.ru_maxrss / 1024, 1), wall)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mib(pid: int) -> dict[str, float]:
    """Current and peak resident memory of a live process (``VmRSS``, ``VmHWM``) in MiB."""
    out: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


class Server:
    """A server process started for a benchmark and stopped (by its own pid) afterwards."""

    def __init__(
        self,
        cmd: list[str],
        url: str,
        ready_path: str,
        env: dict[str, str] | None = None,
        log: Path | None = None,
        timeout: float = 900,
        lib: Path | None = None,
    ) -> None:
        self.url = url
        self._log = open(log or os.devnull, "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd, cwd=lib or ROOT, env=_env(env, lib), stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.perf_counter() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{cmd[0]} exited with {self.proc.returncode} before it was ready")
            try:
                if httpx.get(url + ready_path, timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.perf_counter() > deadline:
                self.stop()
                raise RuntimeError(f"{cmd[0]} not ready after {timeout} s")
            time.sleep(0.5)

    def memory(self) -> dict[str, float]:
        return rss_mib(self.proc.pid)

    def stop(self) -> float:
        """Stop the server; return its peak RSS in MiB."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            _, _, usage = os.wait4(self.proc.pid, 0)
        except ChildProcessError:
            return float("nan")
        finally:
            self._log.close()
        self.proc.returncode = 0
        return round(usage.ru_maxrss / 1024, 1)


def chroma_server(path: Path, log: Path | None = None) -> Server:
    """``chroma run`` on 127.0.0.1 serving the persistent directory ``path``."""
    port = free_port()
    cmd = [str(VENV_BIN / "chroma"), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)]
    return Server(cmd, f"http://127.0.0.1:{port}", "/api/v2/heartbeat", log=log)


def hrsearch_server(
    index_dir: Path, chroma_url: str = "", log: Path | None = None, lib: Path | None = None
) -> Server:
    """``hrsearch serve`` on 127.0.0.1 over ``index_dir``; ready once ``/ready`` answers 200."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "hrsearch.cli",
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--index-dir",
        str(index_dir),
    ]
    env = {"HRSEARCH_CHROMA_URL": chroma_url}
    return Server(cmd, f"http://127.0.0.1:{port}", "/ready", env=env, log=log, lib=lib)
