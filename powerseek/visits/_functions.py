"""Visit distributions F(s), non-domination, and recurrent state distributions.

A stationary deterministic policy π and a start state s define the visit
distribution function (theory.md Def 3.3)

    f^{π,s}(γ) = Σ_{t≥0} γ^t E_{s_t ~ π | s}[e_{s_t}] = ((I − γ T_π)^{-1})ᵀ e_s,

a vector of rational functions of γ of degree ≤ |S| (Lemma E.4). F(s) is the
*set of functions* over all π: two policies give the same element when their
functions are equal, which is decided as functions, never by comparing
vectors at one γ (dominated functions can coincide at a particular γ,
theory.md B.4):

* deterministic MDPs: f^{π,s} is fixed by the walk of π from s, a simple path
  into a cycle (a "lasso"); distinct lassos are distinct functions, so F(s) is
  enumerated by a depth-first search over lassos;
* stochastic MDPs: policies on the states reachable from s are enumerated and
  grouped by their first 2|S| + 1 Taylor coefficients at γ = 0 (the exact
  occupancy vectors), which determine a rational function of that degree.

F_nd(s) = ND(F(s)) (Def 3.6) are the vertices of the convex hull of F(s, γ*) at
one generic γ* (Lemma E.31/E.32), found by a linear program per function:
maximise t subject to (x − x')ᵀ r ≥ t for every other x', r ∈ [−1, 1]^|S|; x is
non-dominated when t* > ``tol`` · max|x| (default tol = 1e-9).

F(s | π(s') = a) (Def 3.4) keeps the functions realisable by a policy taking a
at s'. RSD(s) (Def 6.10) are the limits (1−γ)f(γ) as γ -> 1; for deterministic
MDPs they are the uniform distributions on the simple cycles reachable from s,
enumerated with Johnson's algorithm (networkx.simple_cycles).

Enumeration is exponential in the worst case: it stops with a clear error
beyond ``MAX_FUNCTIONS`` functions (or ``MAX_POLICIES`` policies to try for a
stochastic MDP), saying how large the problem is.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Iterable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from .._rational import as_fraction, exact_gamma, exact_rows, solve_exact
from .._validation import check_gamma, quote
from ..budget import Budget, as_budget
from ..exceptions import InvalidParameterError, InvalidTypeError
from ..mdp import MDP, reachable

if TYPE_CHECKING:
    import sympy

__all__ = [
    "MAX_FUNCTIONS",
    "MAX_POLICIES",
    "ND_GAMMA",
    "ND_TOL",
    "RecurrentDistribution",
    "VisitDistribution",
    "format_function",
    "gamma_symbol",
    "nondominated",
    "nondominated_rsds",
    "nondominated_vectors",
    "one_cycle_options",
    "recurrent_distributions",
    "restrict",
    "visit_distributions",
]

#: Most visit distribution functions enumerated for one state.
MAX_FUNCTIONS = 100_000
#: Most policies tried for one state of a stochastic MDP.
MAX_POLICIES = 100_000
#: The generic discount at which non-domination is decided (Lemma E.31/E.32).
ND_GAMMA = 0.7281
#: LP margin, relative to the largest entry, above which a vector is a vertex.
ND_TOL = 1e-9


def gamma_symbol():
    """The sympy symbol ``gamma`` (positive) that visit-distribution functions are in.

    sympy is imported here, on first use, so that the numeric engine does not
    pay for it; the module attribute ``GAMMA`` is the same symbol.

    Examples
    --------
    >>> gamma_symbol(), gamma_symbol() is gamma_symbol()
    (gamma, True)
    """
    global _GAMMA
    if _GAMMA is None:
        import sympy

        _GAMMA = sympy.Symbol("gamma", positive=True)
    return _GAMMA


_GAMMA = None


def __getattr__(name: str):
    if name == "GAMMA":
        return gamma_symbol()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class VisitDistribution:
    """One element f = f^{π,s} of F(s), a vector of rational functions of γ.

    Create these with :func:`visit_distributions`. For deterministic MDPs the
    function is fixed by its *walk*: the states ``prefix`` visited once, then
    ``cycle`` repeated forever.

    Attributes
    ----------
    mdp : MDP
    start : hashable
        The state s.
    policy : dict
        A policy realising f, on the states it can reach from s:
        ``{state: action}``.
    prefix, cycle : tuple of hashable, or None
        The walk (deterministic MDPs only).

    Examples
    --------
    >>> from powerseek import load
    >>> f = visit_distributions(load("turner-fig1"), "right_down")[2]
    >>> f.prefix, f.cycle
    ((), ('right_down', 'right_up'))
    >>> f.function()[f.mdp.index("right_up")]
    -gamma/(gamma**2 - 1)
    >>> f.exact("1/2")[f.mdp.index("right_down")]
    Fraction(4, 3)
    """

    __slots__ = ("mdp", "_start", "_policy", "_walk", "_key", "_compatible", "_cache")

    def __init__(self, mdp, start, policy, walk, key, compatible):
        self.mdp = mdp
        self._start = start
        self._policy = policy  # tuple: pair index per state, -1 where not reached
        self._walk = walk  # (prefix indices, cycle indices) or None
        self._key = key
        self._compatible = compatible  # frozenset of pair indices realisable
        self._cache = {}

    # -- description -------------------------------------------------------
    @property
    def start(self) -> Hashable:
        """The state s whose F(s) this function belongs to."""
        return self.mdp.states[self._start]

    @property
    def policy(self) -> dict[Hashable, Hashable]:
        """The policy realising it, as ``{state: action}`` over the states it visits."""
        states, actions, offsets = self.mdp.states, self.mdp.actions, self.mdp.pair_offsets
        return {states[i]: actions[i][k - offsets[i]] for i, k in enumerate(self._policy) if k >= 0}

    @property
    def prefix(self) -> tuple | None:
        """The states before the cycle of a deterministic walk (None for a policy)."""
        return None if self._walk is None else tuple(self.mdp.states[i] for i in self._walk[0])

    @property
    def cycle(self) -> tuple | None:
        """The cycle a deterministic walk ends in (None for a policy)."""
        return None if self._walk is None else tuple(self.mdp.states[i] for i in self._walk[1])

    @property
    def first_action(self) -> Hashable:
        """The action its policy takes at the start state."""
        return self.policy[self.start]

    def realisable_with(self, state: Hashable, action: Hashable) -> bool:
        """Whether some policy with π(state) = action has this function (Def 3.4).

        Parameters
        ----------
        state : hashable
            A state label.
        action : hashable
            An action available in `state`.

        """
        return self.mdp.pair_index(state, action) in self._compatible or self._free(state)

    def _free(self, state: Hashable) -> bool:
        return self._policy[self.mdp.index(state)] < 0

    def _compatible_pair(self, k: int) -> bool:
        """Pair index form of :meth:`realisable_with`."""
        return k in self._compatible or self._policy[int(self.mdp.pair_states[k])] < 0

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VisitDistribution):
            return NotImplemented
        return (
            self.mdp.same_dynamics(other.mdp)
            and self._start == other._start
            and (self._key == other._key)
        )

    def __hash__(self) -> int:
        return hash((self._start, self._key))

    def __repr__(self) -> str:
        if self._walk is not None:
            walk = " -> ".join(map(str, self.prefix + self.cycle)) + f" -> {self.cycle[0]} ..."
            return f"VisitDistribution({walk})"
        return f"VisitDistribution(start={self.start!r}, policy={self.policy!r})"

    # -- values ------------------------------------------------------------
    def at(self, gamma: float) -> np.ndarray:
        """f(γ) as floats, shape (n_states,), for γ in [0, 1).

        Parameters
        ----------
        gamma : float
            Discount rate in [0, 1).

        Examples
        --------
        >>> from powerseek import load
        >>> f = visit_distributions(load("candy-wait"), "start")[0]
        >>> f.at(0.5).tolist()   # start, then candy forever
        [1.0, 0.0, 1.0, 0.0, 0.0]
        """
        gamma = check_gamma(gamma)
        if gamma >= 1.0:
            raise InvalidParameterError(
                "`gamma` must be below 1: f(γ) diverges as γ -> 1; use normalized_at(1)."
            )
        return np.array([float(x) for x in self.exact(gamma)])

    def normalized_at(self, gamma: float) -> np.ndarray:
        """(1−γ)·f(γ), a probability vector; at γ = 1 the limit, an RSD (Def 6.10).

        Parameters
        ----------
        gamma : float
            Discount rate in [0, 1].

        """
        gamma = check_gamma(gamma)
        if gamma == 1.0:
            return np.array([float(x) for x in self.laurent(0)[0]])
        return (1.0 - gamma) * self.at(gamma)

    def exact(self, gamma: Any) -> tuple[Fraction, ...]:
        """f(γ) as exact fractions for a rational γ in [0, 1) (``"9/10"``, a Fraction, 0.5).

        Parameters
        ----------
        gamma : str, Fraction, int or float
            A rational discount rate in [0, 1).

        """
        g = exact_gamma(gamma, allow_one=False)
        key = ("exact", g)
        if key not in self._cache:
            self._cache[key] = self._exact(g)
        return self._cache[key]

    def _exact(self, g: Fraction) -> tuple[Fraction, ...]:
        n = self.mdp.n_states
        out = [Fraction(0)] * n
        if self._walk is not None:
            prefix, cycle = self._walk
            power = Fraction(1)
            for i in prefix:
                out[i] += power
                power *= g
            loop = 1 - g ** len(cycle)
            for i in cycle:
                out[i] += power / loop
                power *= g
            return tuple(out)
        states = [i for i in range(n) if self._policy[i] >= 0]
        position = {i: j for j, i in enumerate(states)}
        rows = exact_rows(self.mdp)
        # f solves f = e_s + γ P_πᵀ f on the reached states
        system = [[Fraction(int(a == b)) for b in states] for a in states]
        for j, i in enumerate(states):
            for target, p in rows[self._policy[i]].items():
                system[position[target]][j] -= g * p
        rhs = [Fraction(int(i == self._start)) for i in states]
        for i, value in zip(states, solve_exact(system, rhs)):
            out[i] = value
        return tuple(out)

    def function(self) -> sympy.Matrix:
        """F as a column of rational functions of the symbol ``gamma`` (cancelled)."""
        if "function" not in self._cache:
            self._cache["function"] = self._function()
        return self._cache["function"]

    def _function(self) -> sympy.Matrix:
        import sympy

        GAMMA = gamma_symbol()
        n = self.mdp.n_states
        if self._walk is not None:
            prefix, cycle = self._walk
            entries = [sympy.Integer(0)] * n
            for t, i in enumerate(prefix):
                entries[i] += GAMMA**t
            tau, length = len(prefix), len(cycle)
            for j, i in enumerate(cycle):
                entries[i] += GAMMA ** (tau + j) / (1 - GAMMA**length)
            return sympy.Matrix([sympy.cancel(e) for e in entries])
        states = [i for i in range(n) if self._policy[i] >= 0]
        position = {i: j for j, i in enumerate(states)}
        rows = exact_rows(self.mdp)
        k = len(states)
        system = sympy.eye(k)
        for j, i in enumerate(states):
            for target, p in rows[self._policy[i]].items():
                system[position[target], j] -= GAMMA * sympy.Rational(p.numerator, p.denominator)
        rhs = sympy.Matrix([int(i == self._start) for i in states])
        solution = system.LUsolve(rhs)
        entries = [sympy.Integer(0)] * n
        for i, value in zip(states, solution):
            entries[i] = sympy.cancel(sympy.together(value))
        return sympy.Matrix(entries)

    def taylor(self, order: int) -> list[tuple[Fraction, ...]]:
        """The coefficients p_0, ..., p_order of f(γ) = Σ_t γ^t p_t (exact occupancy vectors).

        Parameters
        ----------
        order : int
            The highest power of γ.

        """
        key = ("taylor", order)
        if key not in self._cache:
            self._cache[key] = _occupancies(self.mdp, self._start, self._policy, order)
        return self._cache[key]

    def laurent(self, order: int) -> list[tuple[Fraction, ...]]:
        """Laurent coefficients of f around γ = 1.

        Coefficients c_{-1}, c_0, ..., c_order of f around γ = 1:
        f(γ) = Σ_{k≥-1} c_k (1−γ)^k. ``laurent(k)[0]`` (c_{-1}) is the RSD.

        Parameters
        ----------
        order : int
            The number of coefficients after the leading one.

        """
        key = ("laurent", order)
        if key not in self._cache and self._walk is not None:
            self._cache[key] = _lasso_laurent(self.mdp.n_states, *self._walk, order)
        if key not in self._cache:
            import sympy

            GAMMA = gamma_symbol()
            epsilon = sympy.Symbol("epsilon", positive=True)
            columns = []
            for entry in self.function():
                expr = sympy.cancel(entry.subs(GAMMA, 1 - epsilon))
                series = sympy.series(expr, epsilon, 0, order + 1).removeO()
                columns.append(
                    [
                        as_fraction(sympy.Rational(series.coeff(epsilon, k)))
                        for k in range(-1, order + 1)
                    ]
                )
            self._cache[key] = [tuple(column[k] for column in columns) for k in range(order + 2)]
        return self._cache[key]


def format_function(expr: sympy.Expr) -> str:
    """A rational function of γ as text, its denominator with a positive constant term.

    Parameters
    ----------
    expr : sympy.Expr
        A rational function of :func:`gamma_symbol`.

    Returns
    -------
    str

    Examples
    --------
    >>> import sympy
    >>> GAMMA = gamma_symbol()
    >>> format_function(sympy.cancel(GAMMA / (1 - GAMMA**2)))
    'gamma/(1 - gamma**2)'
    >>> format_function(sympy.Integer(1))
    '1'
    """
    import sympy

    GAMMA = gamma_symbol()
    numerator, denominator = sympy.fraction(sympy.cancel(expr))
    if denominator.subs(GAMMA, 0) < 0:
        numerator, denominator = -numerator, -denominator
    numerator = sympy.expand(numerator)
    if denominator == 1:
        return _ascending(numerator)
    top = _ascending(numerator)
    if len(sympy.Add.make_args(numerator)) > 1:
        top = f"({top})"
    return f"{top}/({_ascending(sympy.expand(denominator))})"


def _ascending(polynomial: sympy.Expr) -> str:
    """A polynomial in γ written constant term first (1 - gamma**2)."""
    import sympy

    terms = sorted(sympy.Poly(polynomial, gamma_symbol()).terms())
    if not terms:
        return "0"
    out = ""
    for position, ((power,), coefficient) in enumerate(terms):
        monomial = "" if power == 0 else ("gamma" if power == 1 else f"gamma**{power}")
        magnitude = abs(coefficient)
        if monomial and magnitude == 1:
            text = monomial
        else:
            text = f"{magnitude}*{monomial}" if monomial else f"{magnitude}"
        if position == 0:
            out = ("-" if coefficient < 0 else "") + text
        else:
            out += f" {'-' if coefficient < 0 else '+'} {text}"
    return out


def _binomial_series(power: int, order: int) -> list[Fraction]:
    """Coefficients of (1 − ε)^power up to ε^order."""
    return [Fraction((-1) ** k * math.comb(power, k)) for k in range(order + 1)]


def _lasso_laurent(n: int, prefix, cycle, order: int) -> list[tuple[Fraction, ...]]:
    """Laurent coefficients at γ = 1 (ε = 1 − γ) of a lasso's visit function, exactly.

    Prefix state t contributes γ^t = (1 − ε)^t; cycle state j contributes
    γ^(τ+j) / (1 − γ^L) = ε^{-1} (1 − ε)^(τ+j) / P(ε) with
    1 − (1 − ε)^L = ε P(ε), P(0) = L.
    """
    length = len(cycle)
    P = [Fraction((-1) ** k * math.comb(length, k + 1)) for k in range(order + 2)]
    inverse = [1 / P[0]]
    for m in range(1, order + 2):
        inverse.append(-sum(P[k] * inverse[m - k] for k in range(1, m + 1)) / P[0])
    columns = [[Fraction(0)] * (order + 2) for _ in range(n)]  # index 0 is ε^{-1}
    for t, i in enumerate(prefix):
        for k, c in enumerate(_binomial_series(t, order)):
            columns[i][k + 1] += c
    tau = len(prefix)
    for j, i in enumerate(cycle):
        binomial = _binomial_series(tau + j, order + 1)
        for m in range(order + 2):  # coefficient of ε^(m−1)
            columns[i][m] += sum(inverse[k] * binomial[m - k] for k in range(m + 1))
    return [tuple(column[m] for column in columns) for m in range(order + 2)]


def _occupancies(mdp, start, policy, order):
    rows = exact_rows(mdp)
    current = {start: Fraction(1)}
    out = []
    for _ in range(order + 1):
        vector = [Fraction(0)] * mdp.n_states
        for i, p in current.items():
            vector[i] = p
        out.append(tuple(vector))
        following: dict[int, Fraction] = {}
        for i, p in current.items():
            for j, q in rows[policy[i]].items():
                following[j] = following.get(j, Fraction(0)) + p * q
        current = following
    return out


# ----------------------------------------------------------------------
# enumeration


def visit_distributions(
    mdp: MDP, state: Hashable, *, max_count: int = MAX_FUNCTIONS
) -> tuple[VisitDistribution, ...]:
    """F(s): the distinct visit distribution functions of `state` (Def 3.3).

    Parameters
    ----------
    mdp : MDP
        The environment.
    state : hashable
        A state of `mdp`, by its label.
    max_count : int
        Refuse (with the size found so far) beyond this many functions.

    Returns
    -------
    tuple of VisitDistribution
        For deterministic MDPs in depth-first order of their walks (actions in
        order); for stochastic ones in order of first realising policy.

    Raises
    ------
    InvalidParameterError
        Beyond `max_count` functions, or `MAX_POLICIES` policies to try.

    See Also
    --------
    nondominated : F_nd(s): the functions optimal for some reward.
    restrict : F(s | π(s') = a): the functions that take an action.
    recurrent_distributions : RSD(s): their limits at γ = 1.

    Examples
    --------
    >>> from powerseek import load
    >>> [f.cycle for f in visit_distributions(load("turner-fig1"), "left_down")]
    [('left_down', 'left_up'), ('left_down',)]
    """
    if not isinstance(mdp, MDP):
        raise InvalidTypeError(f"`mdp` must be an MDP; got {type(mdp).__name__}.")
    start = mdp.index(state)
    key = ("visit-distributions", start)
    found = mdp._derived.get(key)
    if found is None:
        if mdp.is_deterministic:
            found = tuple(_lassos(mdp, start, max_count))
        else:
            found = tuple(_stochastic_functions(mdp, start, max_count))
        # kept with the MDP: functions cache their exact values and expansions
        mdp._derived[key] = found
    if len(found) > max_count:
        raise InvalidParameterError(_too_many(mdp, start, max_count, "functions"))
    return found


def _lassos(mdp: MDP, start: int, max_count: int) -> list[VisitDistribution]:
    successors = mdp.successor_indices
    offsets = mdp.pair_offsets
    distinct: list[list[tuple[int, list[int]]]] = []  # per state: (successor, its pairs)
    for i in range(mdp.n_states):
        groups: dict[int, list[int]] = {}
        for k in range(int(offsets[i]), int(offsets[i + 1])):
            groups.setdefault(int(successors[k]), []).append(k)
        distinct.append(list(groups.items()))
    found: list[VisitDistribution] = []
    path = [start]
    position = {start: 0}
    choice: list[list[int]] = []  # pairs taken from path[t] to path[t + 1]
    stack = [iter(distinct[start])]
    while stack:
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            node = path.pop()
            del position[node]
            if choice:
                choice.pop()
            continue
        target, pairs = step
        node = path[-1]
        if target in position:
            cut = position[target]
            policy = [-1] * mdp.n_states
            compatible = set(pairs)
            for t, pairs_t in enumerate(choice):
                policy[path[t]] = pairs_t[0]
                compatible.update(pairs_t)
            policy[node] = pairs[0]
            walk = (tuple(path[:cut]), tuple(path[cut:]))
            found.append(
                VisitDistribution(mdp, start, tuple(policy), walk, walk, frozenset(compatible))
            )
            if len(found) > max_count:
                raise InvalidParameterError(_too_many(mdp, start, max_count, "functions"))
        else:
            position[target] = len(path)
            path.append(target)
            choice.append(pairs)
            stack.append(iter(distinct[target]))
    return found


def _too_many(mdp: MDP, start: int, limit: int, what: str) -> str:
    region = reachable(mdp, mdp.states[start])
    bound = math.prod(len(mdp.actions_of(s)) for s in region)
    return (
        f"F({quote(mdp.states[start])}) has more than {limit} {what} (its {len(region)} reachable "
        f"states allow up to {bound:.3g} policies); enumeration is exponential and stops here. "
        "Raise `max_count` if you mean it, or analyse a smaller MDP."
    )


def _stochastic_functions(mdp: MDP, start: int, max_count: int) -> list[VisitDistribution]:
    region = [mdp.index(s) for s in reachable(mdp, mdp.states[start])]
    offsets = mdp.pair_offsets
    choices = [range(int(offsets[i]), int(offsets[i + 1])) for i in region]
    count = math.prod(len(c) for c in choices)
    if count > MAX_POLICIES:
        raise InvalidParameterError(
            f"F({quote(mdp.states[start])}) would need {count:.3g} policies on its "
            f"{len(region)} reachable states to enumerate, more than {MAX_POLICIES}; enumeration "
            "is exponential and stops here. Analyse a smaller MDP."
        )
    # 2|S| + 1 Taylor coefficients determine the function; the same count for
    # every start state keeps the keys of different states comparable
    order = 2 * mdp.n_states
    grouped: dict[tuple, list] = {}
    for combination in itertools.product(*choices):
        policy = [-1] * mdp.n_states
        for i, k in zip(region, combination):
            policy[i] = k
        occupancy = _occupancies(mdp, start, policy, order)
        reached = _closure(mdp, start, policy)
        key = tuple(occupancy)
        if key not in grouped:
            if len(grouped) >= max_count:
                raise InvalidParameterError(_too_many(mdp, start, max_count, "functions"))
            restricted = tuple(policy[i] if i in reached else -1 for i in range(mdp.n_states))
            grouped[key] = [restricted, set()]
        grouped[key][1].update(policy[i] for i in reached)
    return [
        VisitDistribution(mdp, start, policy, None, key, frozenset(compatible))
        for key, (policy, compatible) in grouped.items()
    ]


def _closure(mdp: MDP, start: int, policy: Sequence[int]) -> set[int]:
    """States reached from `start` under `policy` with positive probability."""
    rows = exact_rows(mdp)
    seen = {start}
    frontier = [start]
    while frontier:
        i = frontier.pop()
        for j in rows[policy[i]]:
            if j not in seen:
                seen.add(j)
                frontier.append(j)
    return seen


def restrict(
    functions: Iterable[VisitDistribution], state: Hashable, action: Hashable
) -> tuple[VisitDistribution, ...]:
    """F(s | π(state) = action), the functions of a policy taking `action` (Def 3.4).

    F(s | π(state) = action) (Def 3.4): the functions some policy taking
    `action` at `state` realises.

    Parameters
    ----------
    functions : iterable of VisitDistribution
        F(s) of some state s.
    state : hashable
        A state reachable from s.
    action : hashable
        One of `state`'s actions.

    Returns
    -------
    tuple of VisitDistribution

    See Also
    --------
    visit_distributions : F(s), which this restricts.
    powerseek.analysis.visit_optimality : How often a set of functions is optimal.

    Examples
    --------
    >>> from powerseek import load
    >>> F = visit_distributions(load("turner-fig1"), "start")
    >>> len(F), len(restrict(F, "start", "right")), len(restrict(F, "left_up", "left_down"))
    (11, 6, 11)
    """
    return tuple(f for f in functions if f.realisable_with(state, action))


# ----------------------------------------------------------------------
# non-domination


def nondominated_vectors(
    X: Any, *, tol: float = ND_TOL, budget: Budget | None = None
) -> np.ndarray:
    """Indices of the rows of `X` that are vertices of their convex hull (Def E.9).

    Row i is kept when the LP max t s.t. (x_i − x_j)ᵀ r ≥ t for all j ≠ i,
    r ∈ [−1, 1]^d, has t* > tol · max|X|. Repeated rows are never vertices.

    The decision is the full LP's, reached without solving it for most rows: a
    row that is the unique maximiser (beyond the threshold) of one of 256 fixed
    random directions is a vertex; a row within threshold/√d of the hull of
    the vertices known so far (a convex combination found by non-negative least
    squares) is not one, since then t* ≤ threshold. The other rows' LPs are
    solved by constraint generation over a few rows (the known vertices and the
    coordinate extremes), adding the vertex each solution exposes (Clarkson's
    step) or the rows it violates most, until the relaxed optimum is at most the
    threshold (so is t*) or its direction separates x_i from every row by more
    than the threshold. Thousands of rows take seconds rather than hours
    (benchmarks/bench_nondominated.py). `budget` bounds the time and shows
    progress.

    Parameters
    ----------
    X : array_like, shape (k, n)
        The vectors, one per row.
    tol : float, default ND_TOL
        LP margin, relative to the largest entry, above which a row is a vertex.
    budget : Budget, optional
        Time limit and progress; default none.

    Returns
    -------
    numpy.ndarray of int
        The vertex rows, in increasing order.

    See Also
    --------
    nondominated : The same test for visit distribution functions.

    Examples
    --------
    >>> nondominated_vectors([[1, 0], [0, 1], [0, 0], [0.2, 0.2], [0.5, 0.5]]).tolist()
    [0, 1, 2]
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0:
        raise InvalidParameterError(f"`X` must be a non-empty 2-d array; got shape {X.shape}.")
    k, d = X.shape
    if k == 1:
        return np.array([0])
    hull = _Hull(X, tol)
    keep = []
    # Rows near the top in some direction first: they are the likely vertices, and
    # once conv(known vertices) is large the rest are settled without an LP.
    with as_budget(budget).task("deciding non-domination", total=k, unit="row") as step:
        for i in np.argsort(hull.gap, kind="stable").tolist():
            if hull.is_vertex(i):
                keep.append(i)
            step()
    return np.array(sorted(keep), dtype=int)


class _Hull:
    """The state of :func:`nondominated_vectors`: the rows, what is known of them."""

    def __init__(self, X: np.ndarray, tol: float) -> None:
        self.X = X
        k, d = X.shape
        self.scale = max(float(np.abs(X).max()), 1e-300)
        self.threshold = tol * self.scale
        self.cost = np.zeros(d + 1)
        self.cost[-1] = -1.0
        self.bounds = [(-1.0, 1.0)] * d + [(None, 2.0 * self.scale)]
        self.proven, self.gap = _extreme_rows(X, self.threshold)
        self.vertices = set(np.flatnonzero(self.proven).tolist())  # rows known to be vertices
        self.extremes = set(np.concatenate([X.argmax(axis=0), X.argmin(axis=0)]).tolist())
        self.done = np.zeros(k, dtype=bool)

    def is_vertex(self, i: int) -> bool:
        """Decide row i (see :func:`nondominated_vectors`)."""
        from scipy.optimize import linprog

        X, threshold = self.X, self.threshold
        k, d = X.shape
        self.done[i] = True
        if self.proven[i]:
            return True
        extra: set[int] = set()  # rows the LP's solutions violated
        for _ in range(2 * k):  # each round adds a vertex or a row
            known = np.array(sorted(self.vertices - {i}), dtype=int)
            if known.size and _in_hull_of(X[i], X[known], threshold / math.sqrt(d)):
                return False  # within threshold/√d of conv(known vertices): t* ≤ threshold
            rows = sorted((self.vertices | self.extremes | extra) - {i})
            A = np.hstack([X[rows] - X[i], np.ones((len(rows), 1))])  # (x_j − x_i)·r + t ≤ 0
            result = linprog(
                self.cost, A_ub=A, b_ub=np.zeros(len(rows)), bounds=self.bounds, method="highs"
            )
            if result.status != 0:
                raise RuntimeError(f"the non-domination LP failed: {result.message}")
            r, t = result.x[:d], -result.fun
            if t <= threshold:  # a relaxation: t* ≤ t
                return False
            slack = (X[i] - X) @ r  # (x_i − x_j)·r for every j
            slack[i] = np.inf
            if slack.min() > threshold:  # (r, min slack) is feasible for the full LP
                self.vertices.add(i)
                return True
            # r exposes a vertex: the unique maximiser of r·x (Clarkson's step)
            exposed = _maximiser(X, r, threshold)
            if exposed is not None and exposed not in self.vertices:
                self.vertices.add(exposed)
                if not self.done[exposed]:
                    self.proven[exposed] = True
                continue
            violated = np.flatnonzero(slack < t - 1e-12 * self.scale)
            present = set(rows)
            chosen = [int(j) for j in violated[np.argsort(slack[violated])] if j not in present]
            if not chosen:  # within the LP solver's tolerance: take every row
                chosen = [j for j in range(k) if j != i and j not in present]
            if not chosen:  # the LP already holds every row: t is t*
                self.vertices.add(i)
                return True
            extra.update(chosen[: max(8, d)])
        raise RuntimeError("the non-domination test did not settle")  # pragma: no cover


def _maximiser(X: np.ndarray, r: np.ndarray, threshold: float) -> int | None:
    """The row maximising r·x if it beats every other by more than `threshold`."""
    scores = X @ r
    top = int(scores.argmax())
    best = scores[top]
    scores[top] = -np.inf
    return top if best - scores.max() > threshold else None


def _in_hull_of(x: np.ndarray, V: np.ndarray, distance: float) -> bool:
    """Whether `x` is within `distance` of the convex hull of the rows of `V`.

    Whether `x` is within `distance` of conv(rows of `V`), as shown by a convex
    combination of the rows of `V` most aligned with x − centroid (a few times d
    of them: Carathéodory needs d + 1, and those usually do) or, failing that, of
    all of them.
    """
    d = V.shape[1]
    if len(V) > 8 * d:
        centre = V.mean(axis=0)
        aligned = np.argpartition(-((V - centre) @ (x - centre)), 4 * d)[: 4 * d]
        if _near_hull(x, V[aligned]) <= distance:
            return True
    return _near_hull(x, V) <= distance


def _near_hull(x: np.ndarray, V: np.ndarray) -> float:
    """An upper bound on the distance from `x` to the convex hull of `V`.

    The distance from `x` to a point of conv(rows of `V`) found by non-negative
    least squares: an upper bound on the distance to the hull.

    If it is ε, every r ∈ [−1, 1]^d has min_j (x − v_j)·r ≤ ε‖r‖₂ ≤ ε√d, so the
    vertex LP's optimum t* is at most ε√d: a cheap proof that `x` is no vertex.
    """
    from scipy.optimize import nnls

    weight = 1e3 * max(float(np.abs(V).max()), 1.0)  # Σλ = 1 as a heavy extra row
    A = np.vstack([V.T, np.full(len(V), weight)])
    b = np.append(x, weight)
    try:
        lam, _ = nnls(A, b, maxiter=50 * A.shape[1])
    except RuntimeError:  # did not converge: no bound
        return math.inf
    total = lam.sum()
    if not total > 0:
        return math.inf
    return float(np.linalg.norm(x - (lam / total) @ V))


def _extreme_rows(
    X: np.ndarray, threshold: float, n_directions: int = 256
) -> tuple[np.ndarray, np.ndarray]:
    """Rows proven to be vertices without an LP, and each row's gaps.

    Rows proven to be vertices without an LP (the unique maximisers, by more than
    `threshold`, of a linear functional r ∈ [−1, 1]^d, for fixed pseudo-random
    directions), and each row's smallest gap below the best row in those directions.
    """
    k, d = X.shape
    directions = np.random.default_rng(0).normal(size=(n_directions, d))
    directions /= np.abs(directions).max(axis=1, keepdims=True)
    scores = X @ directions.T  # (k, n_directions)
    top = scores.argmax(axis=0)
    columns = np.arange(n_directions)
    best = scores[top, columns]
    gap = (best - scores).min(axis=1)
    scores[top, columns] = -np.inf
    margin = best - scores.max(axis=0)  # a repeated row has margin 0: never proven
    proven = np.zeros(k, dtype=bool)
    proven[top[margin > threshold]] = True
    return proven, gap


def nondominated(
    functions: Sequence[VisitDistribution],
    *,
    gamma: float = ND_GAMMA,
    tol: float = ND_TOL,
    budget: Budget | None = None,
) -> tuple[VisitDistribution, ...]:
    """F_nd: the non-dominated functions of `functions` (Def 3.6, E.13).

    Decided at one generic discount (Lemma E.31/E.32: the set is the same at
    every γ in (0, 1)).

    Parameters
    ----------
    functions : sequence of VisitDistribution
        F(s), or a subset of it.
    gamma : float, default ND_GAMMA
        The generic discount at which non-domination is decided (Lemma E.31/E.32).
    tol : float, default ND_TOL
        LP margin, relative to the largest entry, above which a vector is a vertex.
    budget : Budget, optional
        Time limit and progress; default none.

    Returns
    -------
    tuple of VisitDistribution
        In the order of `functions`.

    See Also
    --------
    visit_distributions : F(s), which this filters.
    nondominated_vectors : The same test for plain vectors.
    nondominated_rsds : The same at γ = 1, for RSDs.

    Examples
    --------
    >>> from powerseek import load
    >>> F = visit_distributions(load("turner-fig1"), "right_down")
    >>> [(f.prefix, f.cycle) for f in nondominated(F)]  # the alternating walk is dominated
    [((), ('right_down',)), (('right_down',), ('right_up',))]
    """
    functions = tuple(functions)
    if not functions:
        return ()
    gamma = check_gamma(gamma)
    if not 0.0 < gamma < 1.0:
        raise InvalidParameterError(
            f"`gamma` must be in (0, 1) to decide non-domination; got {gamma}."
        )
    X = np.array([f.at(gamma) for f in functions])
    return tuple(functions[i] for i in nondominated_vectors(X, tol=tol, budget=budget))


# ----------------------------------------------------------------------
# recurrent state distributions


class RecurrentDistribution:
    """One RSD (Def 6.10): the uniform distribution on a cycle (deterministic MDPs).

    Attributes
    ----------
    cycle : tuple
        The cycle's states, starting from its first state in state order.
    vector : tuple of Fraction
        The distribution over ``mdp.states``.
    """

    __slots__ = ("mdp", "cycle", "vector")

    def __init__(self, mdp: MDP, cycle: tuple[int, ...]) -> None:
        self.mdp = mdp
        self.cycle = tuple(mdp.states[i] for i in cycle)
        weight = Fraction(1, len(cycle))
        vector = [Fraction(0)] * mdp.n_states
        for i in cycle:
            vector[i] = weight
        self.vector = tuple(vector)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RecurrentDistribution) and self.vector == other.vector

    def __hash__(self) -> int:
        return hash(self.vector)

    def __repr__(self) -> str:
        return f"RecurrentDistribution({' -> '.join(map(str, self.cycle))})"


def recurrent_distributions(mdp: MDP, state: Hashable) -> tuple[RecurrentDistribution, ...]:
    """RSD(s) of a deterministic MDP: uniform distributions on reachable simple cycles.

    Parameters
    ----------
    mdp : MDP
        A deterministic MDP.
    state : hashable
        A state of `mdp`, by its label.

    Returns
    -------
    tuple of RecurrentDistribution

    See Also
    --------
    nondominated_rsds : The non-dominated RSDs.
    visit_distributions : The functions whose γ → 1 limits these are.

    Examples
    --------
    >>> from powerseek import load
    >>> rsd = recurrent_distributions(load("turner-fig1"), "start")
    >>> len(rsd), len(nondominated_rsds(rsd))
    (6, 5)
    """
    import networkx as nx

    if not mdp.is_deterministic:
        raise InvalidParameterError(
            "RSD(s) is enumerated for deterministic MDPs, via their cycles; this MDP is stochastic."
        )
    region = [mdp.index(s) for s in reachable(mdp, state)]
    inside = set(region)
    graph = nx.DiGraph()
    graph.add_nodes_from(region)
    for k, j in enumerate(mdp.successor_indices):
        i = int(mdp.pair_states[k])
        if i in inside:
            graph.add_edge(i, int(j))
    seen: dict[frozenset, tuple[int, ...]] = {}
    for cycle in nx.simple_cycles(graph):
        nodes = frozenset(cycle)
        if nodes not in seen:
            first = cycle.index(min(cycle))
            seen[nodes] = tuple(cycle[first:] + cycle[:first])
            if len(seen) > MAX_FUNCTIONS:
                raise InvalidParameterError(
                    f"RSD({quote(state)}) has more than {MAX_FUNCTIONS} cycles; enumeration stops."
                )
    ordered = sorted(seen.values(), key=lambda c: (len(c), c))
    return tuple(RecurrentDistribution(mdp, c) for c in ordered)


def nondominated_rsds(
    rsds: Sequence[RecurrentDistribution], *, tol: float = ND_TOL
) -> tuple[RecurrentDistribution, ...]:
    """RSD_nd: the RSDs that strictly maximise average reward for some reward (Def E.9).

    Parameters
    ----------
    rsds : sequence of RecurrentDistribution
        RSD(s), from :func:`recurrent_distributions`.
    tol : float, default ND_TOL
        LP margin, relative to the largest entry, above which an RSD is a vertex.

    Returns
    -------
    tuple of RecurrentDistribution

    See Also
    --------
    recurrent_distributions : RSD(s), which this filters.
    nondominated : The same filter on F(s).

    Examples
    --------
    Candy/Wait's start can end in any of its three terminal states, and each is best
    for some reward:

    >>> from powerseek import load
    >>> rsds = recurrent_distributions(load("candy-wait"), "start")
    >>> len(rsds), len(nondominated_rsds(rsds))
    (3, 3)
    """
    rsds = tuple(rsds)
    if not rsds:
        return ()
    X = np.array([[float(x) for x in d.vector] for d in rsds])
    return tuple(rsds[i] for i in nondominated_vectors(X, tol=tol))


def one_cycle_options(mdp: MDP, state: Hashable, action: Hashable) -> tuple | None:
    """The 1-cycles an agent can settle in after taking `action` at `state`.

    Returns them (in state order) when every non-dominated RSD reachable after
    the action is a 1-cycle and `state` cannot be revisited, so that the
    action's average-reward options are exactly these terminal choices (the
    setting of RDSP Thm D.11); returns None otherwise. Dominated RSDs are
    never strictly average-optimal, so they are left out.

    Parameters
    ----------
    mdp : MDP
        The environment.
    state : hashable
        A state of `mdp`, by its label.
    action : hashable
        One of `state`'s actions.

    Returns
    -------
    tuple of int or None
        The 1-cycle states' indices, or None when the condition above fails.

    See Also
    --------
    powerseek.symmetry.check_actions : The theorem checks that use it.

    Examples
    --------
    >>> from powerseek import load
    >>> one_cycle_options(load("turner-fig1"), "start", "right")
    ('right_up', 'right_down')
    >>> one_cycle_options(load("turner-fig1"), "start", "left") is None
    True
    """
    region = set(reachable(mdp, state, action))
    if state in region:
        return None
    rsds = {
        rsd
        for successor in mdp.transition(state, action)
        for rsd in recurrent_distributions(mdp, successor)
    }
    cycles = set()
    for rsd in nondominated_rsds(sorted(rsds, key=lambda d: d.cycle)):
        if len(rsd.cycle) != 1:
            return None
        cycles.add(rsd.cycle[0])
    return tuple(sorted(cycles, key=mdp.index))
