"""Exit codes of every subcommand, one meaning each, so a script can tell what happened.

0: all good. 1: failed (a usage error included: nothing was done, or not all of it).
2: finished, but skipped records, labels or files (``import``): look at its problems.
"""

from __future__ import annotations

EXIT_OK, EXIT_FAILED, EXIT_SKIPPED = 0, 1, 2
