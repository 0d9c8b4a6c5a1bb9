"""Entry of a measured child process: ``python -m benchmarks.child MODULE:FUNC KWARGS_JSON OUT``."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path


def main() -> None:
    task, kwargs, out = sys.argv[1], json.loads(sys.argv[2]), Path(sys.argv[3])
    module, _, func = task.partition(":")
    result = getattr(importlib.import_module(module), func)(**kwargs)
    out.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
