"""FastAPI dependencies, in one place: settings, searcher, linker (``Annotated`` aliases)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from hrsearch.settings import Settings
from search_api.retrieval import Linker, Searcher
from search_api.state import AppState


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.hrsearch
    return state


def get_settings(request: Request) -> Settings:
    return get_state(request).settings


def get_searcher(request: Request) -> Searcher:
    return get_state(request).searcher()


def get_linker(request: Request) -> Linker:
    return get_state(request).linker()


StateDep = Annotated[AppState, Depends(get_state)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
SearcherDep = Annotated[Searcher, Depends(get_searcher)]
LinkerDep = Annotated[Linker, Depends(get_linker)]
