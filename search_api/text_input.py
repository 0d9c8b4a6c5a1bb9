"""Text that is not text, refused at the edge: lone surrogates, which is what invalid UTF-8
becomes on its way in.

JSON may escape a surrogate (``"\\ud800"``), and Python decodes the UTF-8 of one (``ED A0 80``)
in a JSON body and undecodable bytes in a command line (``surrogateescape``) to such code points.
No tokenizer, store or JSON encoder downstream accepts them, so every text field and filter value
is checked here once: a ``QueryError`` naming the field (422 over HTTP, exit code 2 in the CLI).
"""

from __future__ import annotations

import re

from hrsearch.errors import QueryError

_SURROGATE = re.compile("[\ud800-\udfff]")
MESSAGE = "is not valid text: it holds invalid UTF-8 or a lone surrogate (U+D800-U+DFFF); send UTF-8 text"


def is_valid_text(value: str) -> bool:
    """Whether ``value`` can be encoded as UTF-8 (holds no lone surrogate)."""
    return _SURROGATE.search(value) is None


def check_text(field: str, value: str) -> str:
    """``value``, or ``QueryError(field, ...)`` when it is not valid text."""
    if not is_valid_text(value):
        raise QueryError(field, MESSAGE)
    return value
