"""Conjecture search over MDPs.

``_search`` runs hypothesis searches and exhaustive enumerations of
:class:`Conjecture` objects; ``_conjectures`` holds the built-in conjectures and
resolves them by name; ``_families`` enumerates small MDPs up to isomorphism; ``_games``
holds the cases of conjectures about games;
:mod:`.strategies` holds the hypothesis strategies for MDPs, rewards and
permutations (imported with hypothesis).
"""

from __future__ import annotations

try:  # the explorer's searches are hypothesis searches; the rest of powerseek needs none
    import hypothesis  # noqa: F401
except ImportError:
    from ..exceptions import MissingExtraError, install_hint

    raise MissingExtraError(
        f"the conjecture explorer needs hypothesis: {install_hint('explore')}."
    ) from None

from . import strategies  # noqa: E402
from ._conjectures import (
    CONJECTURES,
    conjecture,
    copies_fraction,
    fractional_copies,
    load_predicate,
    power_seeking_implies_optimal,
    simplicity_bound,
)
from ._families import count_successor_graphs, deterministic_mdps, terminal_choice
from ._finite_time import (
    FiniteTimeCurve,
    finite_time_curve,
    finite_time_family,
    finite_time_tendency,
    symmetric_start_cases,
)
from ._games import common_payoff_family, common_payoff_games, identical_rewards_power
from ._search import (
    DEFAULT_GAMMAS,
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
    "DEFAULT_GAMMAS",
    "Case",
    "Conjecture",
    "Exploration",
    "Finding",
    "FiniteTimeCurve",
    "GameCase",
    "Verdict",
    "common_payoff_family",
    "common_payoff_games",
    "conjecture",
    "copies_fraction",
    "count_successor_graphs",
    "deterministic_mdps",
    "exhaustive_cases",
    "exhaustive_search",
    "explore",
    "finite_time_curve",
    "finite_time_family",
    "finite_time_tendency",
    "fractional_copies",
    "identical_rewards_power",
    "load_predicate",
    "power_seeking_implies_optimal",
    "search_cases",
    "simplicity_bound",
    "strategies",
    "symmetric_start_cases",
    "terminal_choice",
]
