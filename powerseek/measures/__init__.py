"""Measures of a state's power other than POWER.

- Empowerment (``_empowerment``): the channel capacity from an agent's next n
  actions to its state n steps on, in bits (Klyubin, Polani and Nehaniv, 2005).
- Comparison (``_compare``): POWER and empowerment side by side, their rank
  correlation with a bootstrap interval, and the states where they part.
- Simplicity priors (``_simplicity``): a finite reward language weighted by
  description length, where the power-seeking action's chance of being optimal is
  set exactly against the symmetry's description length.
"""

from __future__ import annotations

from ._compare import MeasureComparison, compare_measures
from ._empowerment import MAX_CHANNEL_ENTRIES, Empowerment, empowerment
from ._simplicity import MAX_REWARDS, SimplicityPrior, description_bits, simplicity_prior

__all__ = [
    "MAX_CHANNEL_ENTRIES",
    "MAX_REWARDS",
    "Empowerment",
    "MeasureComparison",
    "SimplicityPrior",
    "compare_measures",
    "description_bits",
    "empowerment",
    "simplicity_prior",
]
