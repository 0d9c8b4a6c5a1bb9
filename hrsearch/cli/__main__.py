"""``python -m hrsearch.cli``: the same as the ``hrsearch`` console script."""

import sys

from hrsearch.cli import main

sys.exit(main())
