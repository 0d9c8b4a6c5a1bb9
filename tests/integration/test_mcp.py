"""The MCP server through the MCP SDK's own client, over stdio (the real ``hrsearch mcp``
command) and streamable HTTP (uvicorn on 127.0.0.1), on a real small index."""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from hrsearch.settings import Settings
from search_api.mcp_server import TOOL_NAMES, create_mcp_server, http_app
from tests.server_mode import store_env

pytestmark = [pytest.mark.model]
US = "United States of America"
LETTER = (
    "Dear Members of the Human Rights Council,\n\n"
    "We urge the United States to lift sanctions against the International Criminal Court and to "
    "cooperate with it.\n\n"
    "We also call on the government to abolish the death penalty at the federal level.\n"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def http_url(small_index: Settings, embedder) -> Iterator[str]:  # type: ignore[no-untyped-def]
    import uvicorn

    port = _free_port()
    app = http_app(create_mcp_server(small_index, embedder=embedder), small_index)
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/mcp"
    srv.should_exit = True
    thread.join(timeout=10)


def _stdio(settings: Settings) -> Any:
    from mcp.client.stdio import StdioServerParameters

    env = {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "PYTHONPATH": os.getcwd(),
        **store_env(settings),
    }
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "hrsearch.cli", "mcp", "--index-dir", str(settings.index_dir)],
        env=env,
    )


def _data(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    if result.structured_content is not None:
        return dict(result.structured_content)
    return json.loads(result.content[0].text)


async def _session(target: Any) -> dict[str, Any]:
    """List the tools and call each once, as an assistant would."""
    from mcp.client import Client

    out: dict[str, Any] = {}
    async with Client(target, read_timeout_seconds=120) as client:
        tools = (await client.list_tools()).tools
        out["tools"] = {t.name: t for t in tools}
        out["search"] = _data(
            await client.call_tool(
                "search",
                {
                    "query": "abolish the death penalty",
                    "k": 5,
                    "filters": {"country": [US], "kind": "recommendation"},
                },
            )
        )
        out["link"] = _data(await client.call_tool("link", {"text": "end capital punishment", "k": 5}))
        first = out["search"]["hits"][0]["id"]
        out["link_back"] = _data(
            await client.call_tool("link", {"passage_id": first, "target": "recommendation", "k": 3})
        )
        out["precedent"] = _data(
            await client.call_tool("precedent", {"text": "abolish the death penalty", "k": 8})
        )
        out["align"] = _data(await client.call_tool("align", {"country": US, "cycle": 3, "letter": LETTER}))
        out["passage"] = _data(await client.call_tool("passage", {"passage_id": first, "neighbours": 1}))
        out["bad_k"] = await client.call_tool("search", {"query": "death penalty", "k": 10_000})
        out["bad_filter"] = await client.call_tool("search", {"query": "x", "filters": {"colour": ["red"]}})
        out["missing"] = await client.call_tool("passage", {"passage_id": "nope:1"})
    return out


def _check(out: dict[str, Any]) -> None:
    assert set(out["tools"]) == set(TOOL_NAMES)
    for tool in out["tools"].values():
        assert tool.annotations is not None and tool.annotations.read_only_hint is True
        assert tool.description
    assert "filters" in out["tools"]["search"].input_schema["properties"]

    hits = out["search"]["hits"]
    assert len(hits) == 5
    for h in hits:  # the death-penalty question returns death-penalty recommendations, cited
        assert "death penalty" in h["text"].lower() or "capital punishment" in h["text"].lower()
        assert h["citation"].startswith("A/HRC/46/15, para. 26.")
        assert h["metadata"]["country"] == US and h["kind"] == "recommendation"
        assert "highlight" not in h and "arms" not in h

    linked = out["link"]["hits"]
    assert linked and all(h["kind"] == "recommendation" and h["citation"] for h in linked)
    assert sum("death penalty" in h["text"].lower() for h in linked) >= 4
    assert all(0 < h["link"]["similarity"] <= 1 for h in linked)
    assert out["link_back"]["source"]["id"] == hits[0]["id"]
    assert hits[0]["id"] not in {h["id"] for h in out["link_back"]["hits"]}

    prec = out["precedent"]["hits"]
    assert prec and all(h["metadata"].get("response") == "supported" for h in prec)
    # the precedent finder's order: those that say the same thing (similarity >= the taken-up
    # threshold) strongest wording first, then the rest closest first
    same = [h for h in prec if h["link"]["similarity"] >= 0.6]
    rest = [h for h in prec if h["link"]["similarity"] < 0.6]
    assert same and prec == same + rest
    strengths = [h["metadata"].get("strength") or 0 for h in same]
    assert strengths == sorted(strengths, reverse=True)
    assert [h["link"]["similarity"] for h in rest] == sorted(
        (h["link"]["similarity"] for h in rest), reverse=True
    )

    report = out["align"]
    icc = [a for a in report["asks"] if "International Criminal Court" in a["ask"]["text"]]
    assert icc and icc[0]["verdict"] == "taken up"
    assert icc[0]["matches"][0]["citation"].startswith("A/HRC/46/15, para. 26.")

    ctx = out["passage"]
    assert ctx["passage"]["id"] == hits[0]["id"] and ctx["passage"]["citation"] == hits[0]["citation"]
    assert len(ctx["before"]) <= 1 and len(ctx["after"]) <= 1

    for bad, words in (
        (out["bad_k"], "k"),
        (out["bad_filter"], "unknown filter"),
        (out["missing"], "no passage"),
    ):
        assert bad.is_error and words in bad.content[0].text


def test_mcp_over_streamable_http(http_url: str) -> None:
    _check(anyio.run(_session, http_url))


def test_mcp_over_stdio_through_the_command(small_index: Settings) -> None:
    _check(anyio.run(_session, _stdio(small_index)))


def test_the_mcp_http_app_keeps_the_read_key(small_index: Settings, embedder) -> None:  # type: ignore[no-untyped-def]
    from starlette.testclient import TestClient

    keyed = small_index.model_copy(update={"read_api_key": "k-read"})
    app = http_app(create_mcp_server(keyed, embedder=embedder), keyed)
    with TestClient(app) as client:
        denied = client.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        assert denied.status_code == 403 and denied.json()["error"]["field"] == "X-API-Key"
