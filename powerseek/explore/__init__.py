"""Conjecture search over MDPs.

:mod:`.search` runs hypothesis searches and exhaustive enumerations of
:class:`Conjecture` objects; :mod:`.conjectures` holds the built-in conjectures and
resolves them by name; :mod:`.families` enumerates small MDPs up to isomorphism; :mod:`.games`
holds the cases of conjectures about games;
:mod:`.strategies` holds the hypothesis strategies for MDPs, rewards and
permutations (imported with hypothesis).
"""

from __future__ import annotations

try:  # the explorer's searches are hypothesis searches; the rest of powerseek needs none
    import hypothesis  # noqa: F401
except ImportError:
    from ..exceptions import MissingExtraError

    raise MissingExtraError(
        'the conjecture explorer needs hypothesis: pip install "powerseek[explore]".'
    ) from None

from . import strategies  # noqa: E402
from .conjectures import (
    CONJECTURES,
    conjecture,
    copies_fraction,
    fractional_copies,
    load_predicate,
    power_seeking_implies_optimal,
)
from .families import count_successor_graphs, deterministic_mdps, terminal_choice
from .search import (
    Case,
    Conjecture,
    Exploration,
    Finding,
    GameCase,
    Verdict,
    exhaustive_cases,
    exhaustive_search,
    explore,
    search_cases,
)

__all__ = [
    "CONJECTURES",
    "Case",
    "Conjecture",
    "Exploration",
    "Finding",
    "GameCase",
    "Verdict",
    "conjecture",
    "copies_fraction",
    "count_successor_graphs",
    "deterministic_mdps",
    "exhaustive_cases",
    "exhaustive_search",
    "explore",
    "fractional_copies",
    "load_predicate",
    "power_seeking_implies_optimal",
    "search_cases",
    "strategies",
    "terminal_choice",
]
