"""Downloading UN documents by symbol from the UN's official document system.

``BASE?s=SYMBOL&l=LANG&t=pdf`` (the base URL is the ``fetch_base_url`` setting). Each PDF is
saved as ``A_HRC_46_15.pdf`` with a sidecar ``A_HRC_46_15.pdf.meta.toml`` holding what the
symbol tells (symbol, language, and kind, mechanism, country, session where the symbol shows
them). Files already present are skipped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from hrsearch.errors import FetchError
from hrsearch.settings import Settings

US_UPR_2020 = (
    "A/HRC/46/15",
    "A/HRC/46/15/Add.1",
    "A/HRC/WG.6/36/USA/1",
    "A/HRC/WG.6/36/USA/2",
    "A/HRC/WG.6/36/USA/3",
)


@dataclass
class FetchReport:
    fetched: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def file_name(symbol: str, lang: str = "en") -> str:
    stem = symbol.strip().replace("/", "_").replace(" ", "")
    return f"{stem}.pdf" if lang == "en" else f"{stem}.{lang}.pdf"


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def sidecar_text(symbol: str, lang: str) -> str:
    """TOML sidecar with the metadata a symbol tells."""
    from corpus.symbols import metadata_from_symbol

    meta: dict[str, Any] = {"symbol": symbol, "language": lang}
    for k, v in metadata_from_symbol(symbol).items():
        if v is not None and k not in meta:
            meta[k] = v
    lines = ["# written by `hrsearch fetch`; edit to correct or add metadata"]
    lines += [f"{k} = {_toml_value(v)}" for k, v in meta.items()]
    return "\n".join(lines) + "\n"


def fetch(symbols: list[str], settings: Settings, *, lang: str = "en", into: Path) -> FetchReport:
    """Download each symbol's PDF into ``into``; never raises for one bad symbol."""
    into.mkdir(parents=True, exist_ok=True)
    report = FetchReport()
    with httpx.Client(timeout=settings.fetch_timeout_s, follow_redirects=True) as client:
        for symbol in symbols:
            target = into / file_name(symbol, lang)
            if target.exists() and target.stat().st_size > 0:
                report.skipped.append(str(target))
                continue
            try:
                data = _download(client, settings.fetch_base_url, symbol, lang)
            except FetchError as e:
                report.failed.append({"symbol": symbol, "error": str(e)})
                continue
            tmp = target.with_suffix(".part")
            tmp.write_bytes(data)
            tmp.replace(target)
            (into / (target.name + ".meta.toml")).write_text(sidecar_text(symbol, lang), encoding="utf-8")
            report.fetched.append(str(target))
    return report


def _download(client: httpx.Client, base: str, symbol: str, lang: str) -> bytes:
    try:
        resp = client.get(base, params={"s": symbol, "l": lang, "t": "pdf"})
    except httpx.HTTPError as e:
        raise FetchError(f"{symbol}: cannot reach {base} ({e.__class__.__name__}: {e})") from e
    if resp.status_code == 404:
        raise FetchError(f"{symbol}: not found at {base}")
    if resp.status_code >= 400:
        raise FetchError(f"{symbol}: {base} answered HTTP {resp.status_code}")
    if not resp.content.startswith(b"%PDF"):
        raise FetchError(
            f"{symbol}: the answer is not a PDF ({resp.headers.get('content-type', 'no content type')})"
        )
    return resp.content
