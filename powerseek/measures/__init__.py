"""Measures of a state's power other than POWER.

- Empowerment (``_empowerment``): the channel capacity from an agent's next n
  actions to its state n steps on, in bits (Klyubin, Polani and Nehaniv, 2005).
"""

from __future__ import annotations

from ._empowerment import MAX_CHANNEL_ENTRIES, Empowerment, empowerment

__all__ = ["MAX_CHANNEL_ENTRIES", "Empowerment", "empowerment"]
