"""Models that learn from a project's own labels: pure training, evaluation and prediction.

No Qt, no storage: :mod:`storage.learning` reads the labelled articles, calls these functions
and keeps the model bytes and their held-out scores in the project. Both learners are
python-crfsuite models: a linear-chain CRF over word tokens for entities, and the same
library on one-item sequences (a maximum-entropy classifier) for stance.
"""

from __future__ import annotations
