"""Reward distributions over state reward vectors, and how they are sampled.

Rewards are state-based, R: S -> reals (theory.md Def 4.2), so a sample is a
vector of ``n_states`` numbers and a batch is an array ``(n_samples, n_states)``.

Kinds of distribution:

* :class:`IID`: every state independently from one scipy.stats distribution
  (default uniform on [0, 1], Turner's D_{X_u-IID});
* :class:`PerState`: independent states, each with its own distribution;
* :class:`FiniteSupport`: explicit reward vectors with weights (point masses
  D_r included), for exact expectations;
* :class:`RewardSamples`: an explicit array of samples, used as given;
* :class:`CallableRewards`: a user function ``f(rng, size) -> (size, n_states)``.

Sampling is reproducible and does not depend on how the work is chunked: the
sample axis is cut into fixed *blocks* whose size depends only on the number
of states, and block ``b`` is drawn from its own generator, spawned from the
root seed as ``SeedSequence(entropy, spawn_key=(0, b))``. Randomised
quasi-Monte Carlo (``qmc=True``) splits the samples into independent
replicates, each a scrambled Sobol' sequence (``scipy.stats.qmc.Sobol``)
mapped through every state's inverse CDF; standard errors then come from the
spread of the replicate means.
"""

from __future__ import annotations

import math
import numbers
import warnings
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._validation import (
    all_finite,
    did_you_mean,
    make_rng,
    preview,
    quote,
    reward_matrix,
    short_value,
)
from ..exceptions import InvalidParameterError, InvalidTypeError, UnknownStateError

__all__ = [
    "IID",
    "CallableRewards",
    "FiniteSupport",
    "PerState",
    "RewardDistribution",
    "RewardSamples",
    "SamplePlan",
    "sample",
]

#: Reward numbers held by one sampling block (its rows times the number of states).
BLOCK_NUMBERS = 2**16
#: Most rows in one block.
MAX_BLOCK_ROWS = 4096
#: Rewards (mean plus a standard deviation) must stay below this magnitude, so that
#: discounted sums over 1/(1 − γ) steps cannot overflow a float64.
LARGEST_REWARD = 1e150
#: The largest sample count one run accepts (its block list is built up front).
MAX_SAMPLES = 10**10
#: Children per node of the fixed tree that merges a replicate's block statistics
#: (:class:`~powerseek.rewards.Accumulator`). Its subtrees are an executor's work
#: units: fan-out 4 offers units of 4, 16, 64, ... blocks, fine enough steps to
#: give each worker a few large units (16 gave 105 units or 7 for 1,667 blocks).
FAN_OUT = 4
#: Default number of independent replicates for randomised QMC.
DEFAULT_REPLICATES = 16


def _states_of(mdp_or_states: Any) -> tuple[Hashable, ...]:
    states = getattr(mdp_or_states, "states", mdp_or_states)
    try:
        return tuple(states)
    except TypeError:
        raise InvalidTypeError(
            f"expected an MDP or a sequence of state labels; got {type(mdp_or_states).__name__}."
        ) from None


def _check_frozen(dist: Any, what: str) -> Any:
    from scipy import stats

    if not isinstance(dist, stats.distributions.rv_frozen):
        raise InvalidTypeError(
            f"{what} must be a frozen scipy.stats distribution such as scipy.stats.uniform(0, 1) "
            f"or scipy.stats.beta(2, 5); got {type(dist).__name__} {dist!r}."
        )
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # scipy's overflow warnings for extreme parameters
        try:
            mean, variance = (float(x) for x in dist.stats("mv"))
        except (ArithmeticError, ValueError, TypeError):  # scipy cannot say: take the mean
            mean, variance = float(dist.mean()), 0.0
    if not math.isfinite(mean):
        raise InvalidParameterError(
            f"the reward distribution {describe_scipy(dist)} has no finite mean; POWER is an "
            "expected optimal value and needs rewards with a finite mean (the theorems assume "
            "bounded support)."
        )
    # Standard errors and intervals need a finite variance (t(2) has a mean but not
    # one), and the solvers need rewards whose discounted sums fit in a float64.
    if not math.isfinite(variance) or abs(mean) + math.sqrt(variance) > LARGEST_REWARD:
        what = "infinite variance" if not math.isfinite(variance) else "a spread beyond float64"
        raise InvalidParameterError(
            f"the reward distribution {describe_scipy(dist)} has {what}: Monte Carlo standard "
            "errors and confidence intervals would be meaningless. Choose one with a finite "
            f"variance (rewards of magnitude at most {LARGEST_REWARD:g})."
        )
    return dist


def describe_scipy(dist: Any) -> str:
    """A short text for a frozen scipy distribution, e.g. ``beta(2, 5)``.

    Parameters
    ----------
    dist : scipy.stats frozen distribution
        The distribution, as ``stats.beta(2, 5)`` returns it.

    Returns
    -------
    str
        Its name and parameters, in the notation ``parse_distribution`` reads.

    Examples
    --------
    >>> from scipy import stats
    >>> describe_scipy(stats.uniform(0, 1)), describe_scipy(stats.beta(2, 1))
    ('uniform(0, 1)', 'beta(2, 1)')
    """
    name = dist.dist.name
    args = list(dist.args)
    kwds = dict(dist.kwds)
    ends = _uniform_location(dist)
    if ends is not None:
        return _uniform_text(*ends)
    parts = [f"{a:g}" if isinstance(a, numbers.Real) else repr(a) for a in args]
    parts += [
        f"{k}={v:g}" if isinstance(v, numbers.Real) else f"{k}={v!r}" for k, v in kwds.items()
    ]
    return f"{name}({', '.join(parts)})"


def _uniform_location(dist: Any) -> tuple[float, float] | None:
    """``(loc, scale)`` of a frozen scipy uniform distribution, else None."""
    if dist.dist.name != "uniform":
        return None
    args, kwds = list(dist.args), dict(dist.kwds)
    return kwds.get("loc", args[0] if args else 0.0), kwds.get(
        "scale", args[1] if len(args) > 1 else 1.0
    )


def _uniform_text(loc: float, scale: float) -> str:
    """``uniform(a, b)``, as :func:`parse_distribution` reads it."""
    return f"uniform({loc:g}, {loc + scale:g})"


def _scipy_uniform(loc: float, scale: float) -> Any:
    from scipy import stats

    return stats.uniform(loc, scale)


class RewardDistribution(ABC):
    """A distribution over reward vectors R: S -> reals.

    Subclasses draw one block of samples at a time from a generator they are
    given, so that sampling is reproducible whatever the chunking.
    """

    #: Whether randomised QMC can sample it (needs each state's inverse CDF).
    supports_qmc = False

    @abstractmethod
    def describe(self) -> str:
        """A short human-readable description, recorded in results."""

    @abstractmethod
    def _draw(self, rng: np.random.Generator, size: int, states: tuple) -> np.ndarray:
        """``(size, len(states))`` rewards drawn with `rng`."""

    def _inverse_cdf(self, uniforms: np.ndarray, states: tuple) -> np.ndarray:
        raise InvalidParameterError(
            f"randomised QMC needs a distribution with an inverse CDF per state (IID or "
            f"PerState); {self.describe()} has none."
        )

    def _bind(self, states: tuple) -> None:  # noqa: B027 - optional hook
        """Check that the distribution fits these states (raise otherwise)."""

    def fixed_size(self) -> int | None:
        """The number of samples the distribution holds, if it is fixed."""
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe()})"


class IID(RewardDistribution):
    """Every state's reward drawn independently from one distribution.

    Parameters
    ----------
    dist : frozen scipy.stats distribution, default uniform(0, 1)
        Continuous or discrete (e.g. ``scipy.stats.bernoulli(0.5)``), with a
        finite mean.

    Examples
    --------
    >>> from scipy import stats
    >>> IID().describe(), IID(stats.bernoulli(0.5)).describe()
    ('iid uniform(0, 1)', 'iid bernoulli(0.5)')
    """

    supports_qmc = True

    def __init__(self, dist: Any = None) -> None:
        # The default is built only when asked for: importing scipy.stats is most of a
        # short run's start-up, and uniform rewards are drawn with numpy (below).
        self._dist = None if dist is None else _check_frozen(dist, "`dist`")
        self._uniform = (0.0, 1.0) if dist is None else _uniform_location(self._dist)

    @classmethod
    def uniform(cls, low: float = 0.0, high: float = 1.0) -> IID:
        """Every state's reward uniform on [low, high], as ``IID(stats.uniform(low, high − low))``.

        The same draws, made with numpy; scipy.stats is imported only if
        :attr:`dist` is asked for.

        Parameters
        ----------
        low, high : float
            The interval's end points, low < high.

        Examples
        --------
        >>> IID.uniform(-1, 1).describe()
        'iid uniform(-1, 1)'
        """
        low, high = float(low), float(high)
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise InvalidParameterError(
                f"`low` and `high` must be finite with low < high; got {low!r} and {high!r}."
            )
        out = cls()
        out._uniform = (low, high - low)
        return out

    @property
    def dist(self) -> Any:
        """The frozen scipy.stats distribution of every state's reward."""
        if self._dist is None:
            self._dist = _scipy_uniform(*self._uniform)
        return self._dist

    def describe(self) -> str:
        """The distribution in words, as results record it."""
        if self._dist is None:
            return f"iid {_uniform_text(*self._uniform)}"
        return f"iid {describe_scipy(self._dist)}"

    def _draw(self, rng, size, states):
        if self._uniform is not None:
            out = np.empty((size, len(states)))
            self._draw_uniform_into(rng, out)
            return out
        return np.asarray(self.dist.rvs(size=(size, len(states)), random_state=rng), dtype=float)

    def _draw_uniform_into(self, rng, out):
        # scipy's uniform draws rng.uniform(0, 1), which is rng.random(), and maps it
        # by * scale + loc: the same numbers, in place, without scipy's overhead
        loc, scale = self._uniform
        rng.random(out=out)
        if (loc, scale) != (0.0, 1.0):  # u * 1 + 0 is u
            out *= scale
            out += loc

    def _inverse_cdf(self, uniforms, states):
        return np.asarray(self.dist.ppf(uniforms), dtype=float)

    def __eq__(self, other):
        return isinstance(other, IID) and self.describe() == other.describe()

    def __hash__(self):
        return hash(("IID", self.describe()))


class PerState(RewardDistribution):
    """Independent states, each with its own distribution.

    Parameters
    ----------
    dists : mapping
        ``state -> frozen scipy.stats distribution`` for the states that
        differ from `default`.
    default : frozen scipy.stats distribution, default uniform(0, 1)
        The distribution of every other state.

    Examples
    --------
    >>> from scipy import stats
    >>> PerState({"empty": stats.uniform(-1, 2)}).describe()
    "uniform(0, 1); 'empty': uniform(-1, 1)"
    """

    supports_qmc = True

    def __init__(self, dists: Mapping[Hashable, Any], default: Any = None) -> None:
        if not isinstance(dists, Mapping):
            raise InvalidTypeError(
                f"`dists` must map states to distributions; got {type(dists).__name__}."
            )
        self.default = _check_frozen(
            _scipy_uniform(0, 1) if default is None else default, "`default`"
        )
        self.dists = {
            state: _check_frozen(dist, f"The distribution of state {quote(state)}")
            for state, dist in dists.items()
        }

    def describe(self) -> str:
        """The distribution in words, as results record it."""
        parts = [describe_scipy(self.default)]
        parts += [f"{quote(s)}: {describe_scipy(d)}" for s, d in self.dists.items()]
        return "; ".join(parts)

    def _bind(self, states):
        known = set(states)
        for state in self.dists:
            if state not in known:
                raise UnknownStateError(
                    f"the reward distribution names {quote(state)}, which is not a state."
                    f"{did_you_mean(state, states)} States: {preview(states)}."
                )

    def _groups(self, states):
        """Columns sharing a distribution, in order of first appearance."""
        groups: dict[int, tuple[Any, list[int]]] = {}
        for j, state in enumerate(states):
            dist = self.dists.get(state, self.default)
            groups.setdefault(id(dist), (dist, []))[1].append(j)
        return list(groups.values())

    def _draw(self, rng, size, states):
        out = np.empty((size, len(states)))
        for dist, columns in self._groups(states):
            out[:, columns] = dist.rvs(size=(size, len(columns)), random_state=rng)
        return out

    def _inverse_cdf(self, uniforms, states):
        out = np.empty_like(uniforms)
        for dist, columns in self._groups(states):
            out[:, columns] = dist.ppf(uniforms[:, columns])
        return out


class FiniteSupport(RewardDistribution):
    """A distribution on finitely many reward vectors.

    Parameters
    ----------
    vectors : array_like, shape (n_vectors, n_states)
        The support. A single vector gives the point mass D_r.
    weights : array_like, shape (n_vectors,), optional
        Probabilities (default uniform); must be non-negative and sum to 1.

    Examples
    --------
    >>> point = FiniteSupport([[0.0, 1.0, 0.5]])
    >>> point.describe()
    'point mass on [0, 1, 0.5]'
    """

    def __init__(self, vectors: Any, weights: Any = None) -> None:
        array = _reward_array(vectors, "vectors", "(n_vectors, n_states)")
        if weights is None:
            probabilities = np.full(array.shape[0], 1.0 / array.shape[0])
        else:
            try:
                probabilities = np.asarray(weights, dtype=float)
            except (TypeError, ValueError, OverflowError):
                raise InvalidParameterError(
                    f"`weights` must be finite non-negative numbers, one per vector; got "
                    f"{short_value(weights)}."
                ) from None
            if probabilities.shape != (array.shape[0],):
                raise InvalidParameterError(
                    f"`weights` must hold one weight per vector ({array.shape[0]}); "
                    f"got shape {probabilities.shape}."
                )
            if np.any(~np.isfinite(probabilities)) or np.any(probabilities < 0):
                raise InvalidParameterError("`weights` must be non-negative numbers.")
            if abs(probabilities.sum() - 1.0) > 1e-9:
                raise InvalidParameterError(
                    f"`weights` must sum to 1; they sum to {probabilities.sum():.12g}."
                )
        self.vectors = array
        self.weights = probabilities / probabilities.sum()
        self.weights.flags.writeable = False

    def describe(self) -> str:
        """The distribution in words, as results record it."""
        if len(self.vectors) == 1:
            return f"point mass on [{', '.join(f'{x:g}' for x in self.vectors[0])}]"
        return f"finite support ({len(self.vectors)} vectors)"

    def _bind(self, states):
        if self.vectors.shape[1] != len(states):
            raise InvalidParameterError(
                f"the reward vectors have {self.vectors.shape[1]} entries; the MDP has "
                f"{len(states)} states."
            )

    def _draw(self, rng, size, states):
        if len(self.vectors) == 1:
            return np.repeat(self.vectors, size, axis=0)
        return self.vectors[rng.choice(len(self.vectors), size=size, p=self.weights)]


class RewardSamples(RewardDistribution):
    """An explicit array of reward samples, used as given (no randomness).

    Parameters
    ----------
    samples : array_like, shape (n_samples, n_states)
        The reward functions, one per row.

    Attributes
    ----------
    samples
        The reward functions, one per row, shape (n_samples, n_states).

    """

    def __init__(self, samples: Any) -> None:
        self.samples = _reward_array(samples, "samples", "(n_samples, n_states)")

    def describe(self) -> str:
        """The distribution in words, as results record it."""
        return f"{len(self.samples)} given reward samples"

    def fixed_size(self) -> int:
        """The number of samples held (every analysis uses all of them)."""
        return len(self.samples)

    def _bind(self, states):
        if self.samples.shape[1] != len(states):
            raise InvalidParameterError(
                f"the reward samples have {self.samples.shape[1]} columns; the MDP has "
                f"{len(states)} states."
            )

    def _draw(self, rng, size, states):  # pragma: no cover - rows are sliced instead
        raise AssertionError("RewardSamples are sliced by the sample plan")


class CallableRewards(RewardDistribution):
    """Rewards from a user function ``sampler(rng, size)``.

    Parameters
    ----------
    sampler : callable
        Called as ``sampler(rng, size)`` with a :class:`numpy.random.Generator`;
        must return ``size`` reward vectors, shape ``(size, n_states)``, and
        draw all its randomness from `rng` (so runs are reproducible).
    name : str, optional
        Description recorded in results.
    """

    def __init__(self, sampler: Callable[[np.random.Generator, int], Any], name: str = "") -> None:
        if not callable(sampler):
            raise InvalidTypeError(f"`sampler` must be callable; got {type(sampler).__name__}.")
        self.sampler = sampler
        self.name = name or getattr(sampler, "__name__", "custom sampler")

    def describe(self) -> str:
        """The distribution in words, as results record it."""
        return f"custom: {self.name}"

    def _draw(self, rng, size, states):
        try:
            out = np.asarray(self.sampler(rng, size), dtype=float)
        except (TypeError, ValueError) as exc:
            raise InvalidParameterError(
                f"the reward sampler {self.name!r} did not return numbers: {exc}."
            ) from None
        if out.shape != (size, len(states)):
            raise InvalidParameterError(
                f"the reward sampler {self.name!r} returned shape {out.shape}; expected "
                f"(size, n_states) = ({size}, {len(states)})."
            )
        return out


def _reward_array(values: Any, name: str, shape: str) -> np.ndarray:
    """A read-only 2-d float copy of reward vectors, validated."""
    array = reward_matrix(values, name)
    if array.ndim != 2 or 0 in array.shape:
        raise InvalidParameterError(f"`{name}` must have shape {shape}; got {array.shape}.")
    _check_finite(array, f"`{name}`")
    array.flags.writeable = False
    return array


def _check_finite(array: np.ndarray, what: str, states: Sequence | None = None) -> None:
    if all_finite(array):
        return
    bad = ~np.isfinite(array)
    if np.any(bad):
        row, column = (int(i) for i in np.argwhere(bad)[0])
        where = f"state {quote(states[column])}" if states is not None else f"column {column}"
        raise InvalidParameterError(
            f"{what} holds a non-finite reward ({array[row, column]}) at row {row}, {where}; "
            "rewards must be finite numbers."
        )


@dataclass(frozen=True)
class Block:
    """One unit of sampling: rows ``start:stop`` of replicate `replicate`.

    Attributes
    ----------
    index : int
        Position of the block in the plan; its random stream is spawned from it.
    start : int
        First row of the replicate.
    stop : int
        One past the last row.
    replicate : int
        The independent replicate the rows belong to.

    """

    index: int
    start: int
    stop: int
    replicate: int

    @property
    def size(self) -> int:
        return self.stop - self.start


class SamplePlan:
    """How ``n_samples`` reward vectors are cut into blocks and drawn.

    Parameters
    ----------
    dist : RewardDistribution
        The distribution D of reward functions.
    states : sequence
        State labels (or an MDP).
    n_samples : int
        The number of reward functions drawn.
    rng : None, int or numpy.random.Generator
        Normalised once with :func:`numpy.random.default_rng`.
    qmc : bool, default False
        Randomised quasi-Monte Carlo with `n_replicates` scrambled Sobol'
        replicates.
    n_replicates : int, optional
        Default 16 with `qmc`; without `qmc` there is a single replicate.

    Notes
    -----
    Blocks hold at most ``BLOCK_NUMBERS`` rewards and never straddle a
    replicate, and their size depends only on the number of states. Each
    block has its own generator, so the numbers do not depend on how blocks
    are grouped into chunks; statistics accumulated block by block in block
    order are then bit-for-bit the same for every chunk size.
    """

    def __init__(
        self,
        dist: RewardDistribution,
        states: Any,
        n_samples: int | None,
        *,
        rng: Any = None,
        qmc: bool = False,
        n_replicates: int | None = None,
    ) -> None:
        if not isinstance(dist, RewardDistribution):
            raise InvalidTypeError(
                "`dist` must be a powerseek reward distribution (IID, PerState, FiniteSupport, "
                f"RewardSamples, CallableRewards); got {type(dist).__name__}."
            )
        self.dist = dist
        self.states = _states_of(states)
        dist._bind(self.states)
        fixed = dist.fixed_size()
        if n_samples is None:
            if fixed is None:
                raise InvalidParameterError("`n_samples` is required for this distribution.")
            n_samples = fixed
        self.n_samples = check_n_samples(n_samples)
        if fixed is not None and self.n_samples != fixed:
            raise InvalidParameterError(
                f"`n_samples` is {self.n_samples}, but the distribution holds exactly {fixed} "
                "samples; leave `n_samples` unset to use them all."
            )
        if qmc and not dist.supports_qmc:
            dist._inverse_cdf(np.zeros((0, len(self.states))), self.states)  # raises
        self.qmc = bool(qmc)
        if n_replicates is None:
            n_replicates = DEFAULT_REPLICATES if qmc else 1
        if isinstance(n_replicates, bool) or not isinstance(n_replicates, numbers.Integral):
            raise InvalidTypeError(f"`n_replicates` must be an integer; got {n_replicates!r}.")
        if not qmc and n_replicates != 1:
            raise InvalidParameterError("`n_replicates` applies only with qmc=True.")
        if qmc and not 2 <= n_replicates <= self.n_samples:
            raise InvalidParameterError(
                f"randomised QMC needs between 2 and n_samples ({self.n_samples}) replicates; "
                f"got n_replicates={n_replicates}."
            )
        self.n_replicates = int(n_replicates)
        self.seed = rng if isinstance(rng, (numbers.Integral, type(None))) else "generator"
        root = make_rng(rng)
        self.entropy = [int(x) for x in root.integers(0, 2**63, size=4, dtype=np.int64)]
        self.block_rows = max(1, min(MAX_BLOCK_ROWS, BLOCK_NUMBERS // max(1, len(self.states))))
        self.blocks = self._make_blocks()
        self._sobol: dict[int, tuple[Any, int]] = {}

    def _make_blocks(self) -> list[Block]:
        sizes = _split(self.n_samples, self.n_replicates)
        blocks: list[Block] = []
        start = 0
        for replicate, size in enumerate(sizes):
            stop = start + size
            for lo in range(start, stop, self.block_rows):
                blocks.append(Block(len(blocks), lo, min(lo + self.block_rows, stop), replicate))
            start = stop
        return blocks

    @property
    def method(self) -> str:
        """``"monte carlo"`` or ``"randomised qmc (k replicates)"``."""
        if self.qmc:
            return f"randomised qmc ({self.n_replicates} replicates)"
        return "monte carlo"

    def replicate_ranges(self) -> list[tuple[int, int]]:
        """``(start, stop)`` of each replicate."""
        bounds = np.cumsum([0] + _split(self.n_samples, self.n_replicates))
        return [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]

    def chunks(self, max_rows: int, blocks: Sequence[Block] | None = None) -> Iterator[list[Block]]:
        """Consecutive groups of whole blocks, at most `max_rows` rows each.

        Consecutive groups of whole blocks of at most `max_rows` rows
        (at least one block each).

        Parameters
        ----------
        max_rows : int
            The most rows a group may hold (a group holds at least one block).
        blocks : sequence of Block, optional
            Consecutive blocks to group (default all of the plan's).

        """
        group: list[Block] = []
        rows = 0
        for block in self.blocks if blocks is None else blocks:
            if group and rows + block.size > max_rows:
                yield group
                group, rows = [], 0
            group.append(block)
            rows += block.size
        if group:
            yield group

    def runs(self, level: int) -> list[list[Block]]:
        """The blocks in aligned runs of ``FAN_OUT**level``, each within one replicate.

        The subtrees of the tree along which :class:`~powerseek.rewards.Accumulator`
        merges a replicate's blocks: a run's statistics folded where it was
        evaluated are a node of that tree.

        Parameters
        ----------
        level : int
            A run holds ``FAN_OUT**level`` blocks (fewer at a replicate's end).

        Examples
        --------
        >>> plan = SamplePlan(IID(), range(2**14), 100, rng=0)   # 4 rows a block
        >>> [len(run) for run in plan.runs(2)]   # FAN_OUT**2 = 16 blocks a run
        [16, 9]
        """
        size = FAN_OUT**level
        by_replicate: list[list[Block]] = [[] for _ in range(self.n_replicates)]
        for block in self.blocks:  # one pass, not one per replicate
            by_replicate[block.replicate].append(block)
        out: list[list[Block]] = []
        for mine in by_replicate:
            out.extend(mine[i : i + size] for i in range(0, len(mine), size))
        return out

    def draw(self, blocks: Sequence[Block]) -> np.ndarray:
        """The rewards of consecutive `blocks`, shape ``(rows, n_states)``.

        Parameters
        ----------
        blocks : sequence of Block
            Consecutive blocks of the plan.

        """
        out = np.empty((sum(block.size for block in blocks), len(self.states)))
        offset = 0
        for block in blocks:  # each block straight into its rows: no parts to join
            self._draw_block(block, out[offset : offset + block.size])
            offset += block.size
        _check_finite(out, f"The reward distribution {self.dist.describe()}", self.states)
        return out

    def _sobol_at(self, block: Block) -> Any:
        """The Sobol' engine of `block`'s replicate, positioned at its first row.

        Engines are kept between calls, so drawing blocks in order walks each
        sequence once; any other order re-creates and fast-forwards it, with
        the same points.
        """
        engine, position = self._sobol.get(block.replicate, (None, None))
        if engine is None or position != block.start:
            from scipy.stats import qmc as scipy_qmc

            engine = scipy_qmc.Sobol(
                d=len(self.states),
                scramble=True,
                rng=np.random.default_rng(
                    np.random.SeedSequence(self.entropy, spawn_key=(1, block.replicate))
                ),
            )
            offset = block.start - self.replicate_ranges()[block.replicate][0]
            if offset:
                engine.fast_forward(offset)
        return engine

    def _draw_block(self, block: Block, out: np.ndarray) -> None:
        """Draw `block`'s rewards into `out`, shape ``(block.size, n_states)``."""
        if isinstance(self.dist, RewardSamples):
            out[...] = self.dist.samples[block.start : block.stop]
            return
        if self.qmc:
            engine = self._sobol_at(block)
            with warnings.catch_warnings():
                # Sobol' balance is best at powers of 2; any count stays a valid
                # randomised QMC estimate, and the sample count asked for is honoured.
                warnings.simplefilter("ignore", UserWarning)
                uniforms = engine.random(block.size)
            self._sobol[block.replicate] = (engine, block.stop)
            out[...] = self.dist._inverse_cdf(uniforms, self.states)
            return
        generator = np.random.default_rng(
            np.random.SeedSequence(self.entropy, spawn_key=(0, block.index))
        )
        if isinstance(self.dist, IID) and self.dist._uniform is not None:
            self.dist._draw_uniform_into(generator, out)
            return
        drawn = self.dist._draw(generator, block.size, self.states)
        out[...] = np.asarray(drawn, dtype=float).reshape(block.size, len(self.states))


def _split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def check_n_samples(n_samples: Any, name: str = "n_samples") -> int:
    """Validate a sample count: a positive integer.

    Examples
    --------
    >>> check_n_samples(0)
    Traceback (most recent call last):
    ...
    powerseek.exceptions.InvalidParameterError: `n_samples` must be a positive integer; got 0.
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral):
        if isinstance(n_samples, float) and n_samples.is_integer():
            raise InvalidTypeError(
                f"`{name}` must be an integer; got the float {n_samples!r} "
                f"(write {int(n_samples)})."
            )
        raise InvalidTypeError(
            f"`{name}` must be a positive integer; got {type(n_samples).__name__} {n_samples!r}."
        )
    if n_samples <= 0:
        raise InvalidParameterError(f"`{name}` must be a positive integer; got {n_samples}.")
    if n_samples > MAX_SAMPLES:
        raise InvalidParameterError(
            f"`{name}` is {n_samples}; at most {MAX_SAMPLES:.0e} samples are drawn in one run "
            "(that many already take days, and the standard error falls only as 1/sqrt(n))."
        )
    return int(n_samples)


def sample(
    dist: RewardDistribution,
    mdp_or_states: Any,
    n_samples: int | None = None,
    *,
    rng: Any = None,
    qmc: bool = False,
    n_replicates: int | None = None,
) -> np.ndarray:
    """Draw reward vectors, shape ``(n_samples, n_states)``.

    The same `rng` seed gives the same numbers, whichever way the engine
    later chunks the work.

    Parameters
    ----------
    dist : RewardDistribution
        The distribution D of reward functions.
    mdp_or_states : MDP or sequence of hashable
        The states the rewards are for.
    n_samples : int, optional
        Samples to draw (None for a :class:`RewardSamples`: all of them).
    rng : None, int or numpy.random.Generator
        Seed or generator of the random draws: None, an int or a numpy.random.Generator.
    qmc : bool, default False
        Randomised quasi-Monte Carlo (scrambled Sobol').
    n_replicates : int, optional
        QMC replicates (default 16).

    Returns
    -------
    numpy.ndarray, shape (n_samples, n_states)

    Examples
    --------
    >>> R = sample(IID(), ["a", "b", "c"], 4, rng=0)
    >>> R.shape, bool(((0 <= R) & (R <= 1)).all())
    ((4, 3), True)
    >>> bool((sample(IID(), ["a", "b", "c"], 4, rng=0) == R).all())
    True
    """
    plan = SamplePlan(dist, mdp_or_states, n_samples, rng=rng, qmc=qmc, n_replicates=n_replicates)
    return plan.draw(plan.blocks)
