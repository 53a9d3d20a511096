"""Parameter text shared by several docstrings, filled in where a function is defined.

A docstring line holding only ``%(name)s`` is replaced by the entry ``name`` of
:data:`SHARED`, indented as the placeholder is, as scipy's ``doccer`` does; the
entries are written once here instead of once per function. ``help()``, doctest
and Sphinx all read the filled docstring.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

__all__ = ["SHARED", "fill"]

F = TypeVar("F", bound=Callable)

#: Shared numpydoc entries, each a block of ``name : type`` lines with descriptions.
SHARED = {
    # The arguments of every rule over outcome lotteries (RDSP App. A).
    "lottery_sets": """\
X : array_like, shape (k, d)
    The lotteries whose share is asked for (rows; X ⊆ C).
C : array_like, shape (n, d)
    All the lotteries the rule chooses among.
u : array_like, shape (d,) or (m, d)
    Utility functions over the d outcomes, one per row.""",
    "lottery_tie_tol": """\
tie_tol : float, default 1e-9
    Utilities within this tolerance of each other are tied.""",
    "lottery_returns": """\
float or numpy.ndarray
    f(X | C, u): a float for one utility function, an array of m values for
    m of them.""",
    # The engine's context, as every decision rule's methods receive it.
    "rule_context": """\
ctx : powerseek.analysis.engine.Context
    One discount and one chunk of reward samples: the MDP, γ, the rewards,
    their optimal values and continuation values, and the tie tolerance.""",
}

_PLACEHOLDER = re.compile(r"^([ \t]*)%\((\w+)\)s[ \t]*$", re.M)


def fill(function: F) -> F:
    """Fill the ``%(name)s`` lines of `function`'s docstring from :data:`SHARED`.

    Parameters
    ----------
    function : callable
        A function or method whose docstring holds placeholder lines.

    Returns
    -------
    callable
        The same function, its ``__doc__`` filled.

    Examples
    --------
    >>> @fill
    ... def share(X, C, u, *, tie_tol=1e-9):
    ...     '''Share of X.
    ...
    ...     Parameters
    ...     ----------
    ...     %(lottery_tie_tol)s
    ...     '''
    >>> print(share.__doc__.splitlines()[5])
        Utilities within this tolerance of each other are tied.
    """

    def block(match: re.Match) -> str:
        indent, name = match.groups()
        if name not in SHARED:
            raise KeyError(f"{function.__qualname__}: no shared docstring entry {name!r}")
        return "\n".join(indent + line if line else line for line in SHARED[name].splitlines())

    if function.__doc__:
        function.__doc__ = _PLACEHOLDER.sub(block, function.__doc__)
    return function
