"""Monte Carlo estimates with standard errors, accumulated block by block.

Per-sample values (POWER, optimality indicators, differences of either) are
reduced to per-block moments (count, mean, sum of squared deviations) and
merged with Chan et al.'s formulas along a fixed tree over each replicate's
blocks (:class:`TreeFold`), whose nodes are the same wherever they are
computed (in this process, or folded by a worker). The blocks are those of a
:class:`~powerseek.rewards.SamplePlan`, fixed by the number of states, so the
same samples give bit-for-bit the same estimate whatever the chunk size.

* Plain Monte Carlo: standard error sqrt(s^2 / N).
* Randomised QMC with R replicates: the estimate is the mean of all samples
  and the standard error is the standard deviation of the R replicate means
  over sqrt(R).

Confidence intervals are normal: estimate ± z_{(1+c)/2} · stderr.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .._display import compact_repr
from ..exceptions import InvalidParameterError
from ._distributions import FAN_OUT, Block, SamplePlan

__all__ = ["Accumulator", "Estimate", "TreeFold", "block_moments", "merge_moments"]


@compact_repr
@dataclass(frozen=True)
class Estimate:
    """A Monte Carlo estimate of an array of expectations.

    Attributes
    ----------
    mean, stderr : numpy.ndarray
        Estimates and their standard errors, same shape.
    n_samples : int
    method : str
        ``"monte carlo"``, ``"randomised qmc (k replicates)"`` or ``"exact"``.
    confidence : float
        Level of the intervals `ci_low`, `ci_high`.
    """

    mean: np.ndarray
    stderr: np.ndarray
    n_samples: int
    method: str
    confidence: float = 0.95
    ci_low: np.ndarray = field(init=False, repr=False)
    ci_high: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        z = normal_quantile(0.5 + self.confidence / 2)
        object.__setattr__(self, "ci_low", self.mean - z * self.stderr)
        object.__setattr__(self, "ci_high", self.mean + z * self.stderr)
        for array in (self.mean, self.stderr, self.ci_low, self.ci_high):
            array.flags.writeable = False


@lru_cache(maxsize=64)
def normal_quantile(p: float) -> float:
    """The standard normal quantile z_p, as ``scipy.stats.norm.ppf(p)`` gives it.

    From ``scipy.special.ndtri``, which ``norm.ppf`` calls: the same number,
    without importing scipy.stats (most of a short run's start-up); the usual
    levels' quantiles are kept as numbers.

    Examples
    --------
    >>> round(normal_quantile(0.975), 6)
    1.959964
    """
    if p in _NORMAL_QUANTILES:  # the usual levels, without importing scipy.special
        return _NORMAL_QUANTILES[p]
    from scipy.special import ndtri

    return float(ndtri(p))


#: z_p of the usual confidence levels (90%, 95%, 99%), as ``ndtri`` gives them (tested).
_NORMAL_QUANTILES = {0.95: 1.6448536269514722, 0.975: 1.959963984540054, 0.995: 2.5758293035489004}


def block_moments(values: np.ndarray) -> tuple[int, np.ndarray, np.ndarray]:
    """A block's sufficient statistics: count, mean and sum of squared deviations.

    Sums run over the samples in order; equal values have that value as their mean.

    Parameters
    ----------
    values : numpy.ndarray, shape (n, ...)
        The block's per-sample values, sample axis first.

    Returns
    -------
    tuple
        ``(n, mean, m2)``, the last two of the values' trailing shape.

    Examples
    --------
    >>> import numpy as np
    >>> n, mean, m2 = block_moments(np.array([1.0, 2.0, 3.0]))
    >>> n, float(mean), float(m2)   # sum of squared deviations: 1 + 0 + 1
    (3, 2.0, 2.0)
    >>> n, mean, m2 = block_moments(np.array([True, False, True, True]))
    >>> n, float(mean), float(m2)   # 3·(1/4)² + 1·(3/4)²
    (4, 0.75, 0.75)
    """
    values = np.asarray(values)
    if values.dtype == bool:  # an indicator: k ones in n give m2 = k(n − k)/n exactly
        n = len(values)
        ones = np.count_nonzero(values, axis=0)
        return n, ones / max(n, 1), ones * (n - ones) / max(n, 1)
    # C order, so that numpy sums down the first axis in sample order, as the
    # compiled twin (powerseek.solvers.compiled_block_moments) does. n equal values
    # summed and divided by n can miss their value by an ulp (0.1 ten times): a
    # column of equal values takes that value, with no spread.
    values = np.ascontiguousarray(values, dtype=float)
    n = len(values)
    first = values[0]
    mean = np.where((values == first).all(axis=0), first, values.sum(axis=0) / n)
    return n, mean, ((values - mean) ** 2).sum(axis=0)


def merge_moments(first: tuple, second: tuple) -> tuple:
    """The moments of two runs of samples, one after the other (Chan et al.'s update).

    Parameters
    ----------
    first, second : tuple of (int, numpy.ndarray, numpy.ndarray)
        Count, mean and sum of squared deviations of each run, `first` the earlier.

    Returns
    -------
    tuple of (int, numpy.ndarray, numpy.ndarray)

    Examples
    --------
    >>> import numpy as np
    >>> n, mean, m2 = merge_moments(block_moments(np.array([1.0, 2.0])),
    ...                             block_moments(np.array([3.0])))
    >>> n, float(mean), float(m2)
    (3, 2.0, 2.0)
    """
    n_a, mean_a, m2_a = first
    n_b, mean_b, m2_b = second
    n = n_a + n_b
    delta = mean_b - mean_a
    mean = mean_a + delta * (n_b / n)
    m2 = m2_a + m2_b + delta**2 * (n_a * n_b / n)
    return n, mean, m2


def _fold(nodes: list) -> tuple:
    """One tree node: its children's moments merged left to right."""
    out = nodes[0]
    for node in nodes[1:]:
        out = merge_moments(out, node)
    return out


class TreeFold:
    """Block statistics merged along a fixed tree of fan-out :data:`FAN_OUT`.

    The tree over a run of blocks groups them FAN_OUT at a time, then the groups
    FAN_OUT at a time, and so on (each last group possibly short); a node is its
    children merged left to right. Its nodes do not depend on where they are
    computed: a worker that folds an aligned run of FAN_OUT**level blocks hands
    on that node (:meth:`push` at `level`), and the root is the same number,
    bit for bit, as when every block is pushed here.

    Examples
    --------
    >>> import numpy as np
    >>> values = np.arange(40.0)
    >>> whole = TreeFold()
    >>> for k in range(40):
    ...     whole.push(block_moments(values[k : k + 1]))
    >>> parts = TreeFold()
    >>> for lo in (0, 16, 32):   # aligned runs of 16 = FAN_OUT**2 blocks, the last short
    ...     part = TreeFold()
    ...     for k in range(lo, min(lo + 16, 40)):
    ...         part.push(block_moments(values[k : k + 1]))
    ...     parts.push(part.result(), level=2)
    >>> [float(x[1]) for x in (whole.result(), parts.result())]
    [19.5, 19.5]
    >>> bool(whole.result()[2] == parts.result()[2])
    True
    """

    def __init__(self) -> None:
        self._pending: list[list[tuple]] = []  # per level, the nodes not yet grouped

    def push(self, node: tuple, level: int = 0) -> None:
        """Add the next node: a block's moments (level 0), or a fold of FAN_OUT**level blocks.

        Parameters
        ----------
        node : tuple of (int, numpy.ndarray, numpy.ndarray)
            Count, mean and sum of squared deviations.
        level : int, default 0
            The node's level in the tree; its run of blocks must start at a
            multiple of FAN_OUT**level.

        """
        while True:
            while len(self._pending) <= level:
                self._pending.append([])
            pending = self._pending[level]
            pending.append(node)
            if len(pending) < FAN_OUT:
                return
            self._pending[level] = []
            node, level = _fold(pending), level + 1

    def result(self) -> tuple | None:
        """The root: every node pushed, along the tree (None if nothing was pushed)."""
        carry = None
        for pending in self._pending:
            nodes = pending if carry is None else [*pending, carry]
            carry = _fold(nodes) if nodes else None
        return carry


class Accumulator:
    """Streaming moments of per-sample values of a fixed shape.

    Each replicate's block statistics are merged along a fixed tree
    (:class:`TreeFold`), so the estimate is the same, bit for bit, whether
    the blocks' statistics arrive one by one or as folds of aligned runs of
    blocks computed elsewhere (:meth:`merge_run`).

    Parameters
    ----------
    plan : SamplePlan
        Gives the blocks (and replicates) the values arrive in.
    shape : tuple of int
        Shape of the value of one sample.

    Examples
    --------
    >>> from powerseek.rewards import IID, SamplePlan
    >>> plan = SamplePlan(IID(), ["a"], 1000, rng=0)
    >>> acc = Accumulator(plan, (1,))
    >>> for block in plan.blocks:
    ...     acc.add(block, plan.draw([block]))
    >>> est = acc.estimate()
    >>> bool(abs(est.mean[0] - 0.5) < 4 * est.stderr[0]), round(float(est.stderr[0]), 3)
    (True, 0.009)
    """

    def __init__(self, plan: SamplePlan, shape: tuple[int, ...]) -> None:
        self.plan = plan
        self.shape = tuple(shape)
        self._trees = [TreeFold() for _ in range(plan.n_replicates)]
        self._next = 0

    def add(self, block: Block, values: np.ndarray) -> None:
        """Add the per-sample `values` of one block, shape ``(block.size, *shape)``.

        Blocks must come in plan order.

        Parameters
        ----------
        block : Block
            The block the values belong to.
        values : numpy.ndarray
            Per-sample values, shape ``(block.size, *shape)``.

        """
        values = np.asarray(values, dtype=float)
        if values.shape != (block.size, *self.shape):
            raise AssertionError(f"values of shape {values.shape} for {block}")
        self.merge(block, block_moments(values))

    def merge(self, block: Block, moments: tuple[int, np.ndarray, np.ndarray]) -> None:
        """Add one block's sufficient statistics (:func:`block_moments`), in plan order.

        The merges are exact arithmetic on the same numbers whichever process
        computed them, along a fixed tree, so results do not depend on where or
        in how many pieces the blocks were evaluated.

        Parameters
        ----------
        block : Block
            The block the statistics belong to.
        moments : tuple of (int, numpy.ndarray, numpy.ndarray)
            Its count, mean and sum of squared deviations.

        """
        self.merge_run([block], moments, 0)

    def merge_run(self, blocks: list[Block], moments: tuple, level: int) -> None:
        """Add the fold of a run of blocks (:meth:`TreeFold.result`), in plan order.

        Parameters
        ----------
        blocks : list of Block
            Consecutive blocks of one replicate: FAN_OUT**level of them from a
            multiple of FAN_OUT**level in the replicate (:meth:`SamplePlan.runs`),
            or fewer at the replicate's end.
        moments : tuple of (int, numpy.ndarray, numpy.ndarray)
            Their statistics folded along the tree.
        level : int
            The run's level in the tree.

        """
        if blocks[0].index != self._next:
            raise AssertionError(
                f"blocks out of order: got {blocks[0].index}, expected {self._next}"
            )
        self._next = blocks[-1].index + 1
        self._trees[blocks[0].replicate].push(moments, level)

    def estimate(self, confidence: float = 0.95) -> Estimate:
        """The estimate from all blocks added so far (all of the plan's).

        Parameters
        ----------
        confidence : float, default 0.95
            Level of the confidence interval.

        """
        if self._next != len(self.plan.blocks):
            raise AssertionError(f"{self._next} of {len(self.plan.blocks)} blocks added")
        roots = [tree.result() for tree in self._trees]
        counts = np.array([0 if root is None else root[0] for root in roots], dtype=np.int64)
        zero = np.zeros(self.shape)
        means = np.array([zero if root is None else root[1] for root in roots])
        n_total = int(counts.sum())
        if n_total < 2:
            raise InvalidParameterError(
                f"A standard error needs at least 2 samples; got n_samples={n_total}."
            )
        weights = counts / n_total
        mean = np.tensordot(weights, means, axes=1)
        if self.plan.n_replicates == 1:
            variance = roots[0][2] / (n_total - 1)
            stderr = np.sqrt(variance / n_total)
        else:
            stderr = means.std(axis=0, ddof=1) / np.sqrt(self.plan.n_replicates)
        return Estimate(
            mean=np.array(mean),
            stderr=np.array(stderr),
            n_samples=n_total,
            method=self.plan.method,
            confidence=confidence,
        )
