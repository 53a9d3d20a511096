"""Measures of a state's power other than POWER.

- Empowerment (``_empowerment``): the channel capacity from an agent's next n
  actions to its state n steps on, in bits (Klyubin, Polani and Nehaniv, 2005).
- Comparison (``_compare``): POWER and empowerment side by side, their rank
  correlation with a bootstrap interval, and the states where they part.
"""

from __future__ import annotations

from ._compare import MeasureComparison, compare_measures
from ._empowerment import MAX_CHANNEL_ENTRIES, Empowerment, empowerment

__all__ = [
    "MAX_CHANNEL_ENTRIES",
    "Empowerment",
    "MeasureComparison",
    "compare_measures",
    "empowerment",
]
