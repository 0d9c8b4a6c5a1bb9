"""The work one request costs, in units the rate limit charges (``HRSEARCH_RATE_LIMIT_PER_MINUTE``).

A search, a link or a facet query costs one unit; an alignment costs one unit per ask it links.
The rate limit middleware (``search_api.security``) opens a ``Meter`` for each request it limits;
the service that does the work adds to it (``charge``) once it knows the cost, from whatever
thread it runs in (the meter travels in a context variable, which the thread pool copies), and
the middleware charges the client what the meter says when the request is done. Without a
meter (the CLI, or no rate limit) ``charge`` does nothing.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass
class Meter:
    """Units of work done for one request."""

    units: int = 0


CURRENT: ContextVar[Meter | None] = ContextVar("hrsearch_work_meter", default=None)


def charge(units: int) -> None:
    """Add ``units`` to the current request's meter (if it has one)."""
    meter = CURRENT.get()
    if meter is not None:
        meter.units += units
