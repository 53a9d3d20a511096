"""State permutations and the environmental symmetries the theorems need.

A permutation φ of the states acts on reward vectors and visit distributions
by P_φ, in the row representation of theory.md §A: (P_φ x)_{φ(j)} = x_j, so
(φ·R)(φ(s)) = R(s); on reward distributions by pushforward, φ·D = the law of
P_φ r for r ~ D (Def 6.3); on sets elementwise (Def 6.1).

The symmetries searched for, each returned as an explicit permutation (a
*witness*) and verified on the visit distribution functions themselves:

* :func:`find_state_copy`: an involution φ with φ·F_nd(s') ⊆ F(s) (the
  hypothesis of Prop 6.6: s has more options than s'; then φ(s') = s);
* :func:`find_action_copy`: an involution φ fixing s with
  φ·F(s | π(s) = a') ⊆ F(s | π(s) = a) (Prop 6.9);
* :func:`find_rsd_copy`: an involution φ with φ·RSD_nd(s') ⊆ RSD(s) (Prop 6.12,
  the γ -> 1 version);
* :func:`automorphisms`: permutations mapping the MDP onto itself (for
  equivariance checks, Lemma E.17);
* :func:`terminal_copies`: the n copies (RDSP Def A.6/A.7) a set of 1-cycles has
  among the other 1-cycles reachable from s (Prop 6.12, RDSP Thm D.11 / Cor D.12).

Candidates come from networkx's subgraph monomorphisms between the graphs the
relevant walks use (deterministic MDPs) or the reachable state graphs
(stochastic MDPs), extended to involutions, and are accepted only when the
image of every function is, as a function, an element of the target set.
When none exists the result says why.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from networkx.algorithms import isomorphism

from .._display import compact_repr
from .._validation import preview, quote
from ..budget import Budget, as_budget
from ..exceptions import InvalidParameterError, InvalidTypeError
from ..frames import Tabular, data_frame
from ..mdp import MDP, reachable
from ..rewards import (
    IID,
    CallableRewards,
    FiniteSupport,
    PerState,
    RewardDistribution,
    RewardSamples,
)
from ..visits import (
    VisitDistribution,
    nondominated,
    nondominated_rsds,
    recurrent_distributions,
    restrict,
    visit_distributions,
)

__all__ = [
    "CopyResult",
    "Permutation",
    "automorphisms",
    "find_action_copy",
    "find_rsd_copy",
    "find_state_copy",
    "terminal_copies",
]

#: Candidate embeddings tried per search before giving up.
MAX_CANDIDATES = 20_000


class Permutation:
    """A permutation φ of an MDP's states.

    Parameters
    ----------
    states : MDP or sequence
        The states (an MDP's ``states`` are used).
    mapping : mapping or sequence of tuples
        ``{state: image}`` (states left out are fixed), or cycles such as
        ``[("left", "right"), ("left_up", "right_up")]``.

    Examples
    --------
    >>> from powerseek import load
    >>> mdp = load("turner-fig1")
    >>> phi = Permutation(mdp, [("left", "right"), ("left_up", "right_up"),
    ...                         ("left_down", "right_down")])
    >>> phi("left"), phi.is_involution
    ('right', True)
    >>> phi.apply([0, 1, 2, 3, 4, 5, 6, 7]).tolist()   # (φ·r)(φ(s)) = r(s)
    [0, 1, 3, 2, 6, 7, 4, 5]
    >>> phi
    Permutation(('left', 'right'), ('left_up', 'right_up'), ('left_down', 'right_down'))
    """

    __slots__ = ("states", "image", "_index")

    def __init__(self, states: Any, mapping: Any = ()) -> None:
        self.states = tuple(getattr(states, "states", states))
        self._index = {s: i for i, s in enumerate(self.states)}
        image = list(range(len(self.states)))
        if isinstance(mapping, Mapping):
            pairs = list(mapping.items())
        else:
            pairs = []
            for cycle in mapping:
                cycle = tuple(cycle)
                pairs += [(cycle[k], cycle[(k + 1) % len(cycle)]) for k in range(len(cycle))]
        for source, target in pairs:
            image[self._position(source)] = self._position(target)
        if sorted(image) != list(range(len(self.states))):
            raise InvalidParameterError(
                f"the mapping {dict(pairs)!r} is not a permutation of the states: some state is "
                "the image of two states."
            )
        self.image = np.array(image, dtype=np.int64)
        self.image.flags.writeable = False

    @classmethod
    def from_indices(cls, states: Any, image: Sequence[int]) -> Permutation:
        """The permutation with φ(states[i]) = states[image[i]].

        Parameters
        ----------
        states : sequence or MDP
            The state labels (or an MDP's states).
        image : sequence of int
            image[i] is the index of φ(states[i]).

        """
        states = tuple(getattr(states, "states", states))
        return cls(states, {states[i]: states[int(j)] for i, j in enumerate(image) if i != j})

    def _position(self, state: Hashable) -> int:
        try:
            return self._index[state]
        except (KeyError, TypeError):
            raise InvalidParameterError(
                f"{quote(state)} is not a state; a permutation maps states to states. "
                f"States: {preview(self.states)}."
            ) from None

    def __call__(self, state: Hashable) -> Hashable:
        """φ(state)."""
        return self.states[self.image[self._position(state)]]

    @property
    def is_involution(self) -> bool:
        """Whether φ∘φ is the identity."""
        return bool(np.all(self.image[self.image] == np.arange(len(self.image))))

    @property
    def is_identity(self) -> bool:
        """Whether φ maps every state to itself."""
        return bool(np.all(self.image == np.arange(len(self.image))))

    def inverse(self) -> Permutation:
        """φ⁻¹."""
        inverse = np.empty_like(self.image)
        inverse[self.image] = np.arange(len(self.image))
        return Permutation.from_indices(self.states, inverse)

    def __matmul__(self, other: Permutation) -> Permutation:
        """Composition: ``(phi @ psi)(s) == phi(psi(s))``."""
        if not isinstance(other, Permutation) or other.states != self.states:
            raise InvalidTypeError("only permutations of the same states compose.")
        return Permutation.from_indices(self.states, self.image[other.image])

    def cycles(self) -> list[tuple]:
        """The non-trivial cycles, each from its first state in state order."""
        seen = set()
        out = []
        for i in range(len(self.image)):
            if i in seen or self.image[i] == i:
                continue
            cycle, j = [], i
            while j not in seen:
                seen.add(j)
                cycle.append(self.states[j])
                j = int(self.image[j])
            out.append(tuple(cycle))
        return out

    def mapping(self) -> dict[Hashable, Hashable]:
        """``{state: image}`` for the states that move."""
        return {s: self.states[j] for s, j in zip(self.states, self.image) if self.states[j] != s}

    def apply(self, x: Any) -> np.ndarray:
        """P_φ x for vectors over the states (the last axis): out[..., φ(j)] = x[..., j].

        Parameters
        ----------
        x : array_like
            Values over the states on the last axis.

        """
        x = np.asarray(x)
        if x.shape[-1] != len(self.states):
            raise InvalidParameterError(
                f"expected vectors of length {len(self.states)} (one entry per state); got "
                f"shape {x.shape}."
            )
        out = np.empty_like(x)
        out[..., self.image] = x
        return out

    def apply_to_function(self, f: VisitDistribution) -> tuple:
        """The identity key of P_φ f (for deterministic MDPs, the mapped walk).

        Parameters
        ----------
        f : VisitDistribution
            A visit distribution function.

        """
        return _image_key(self, f)

    def pushforward(self, dist: RewardDistribution) -> RewardDistribution:
        """φ·D (Def 6.3): the law of P_φ r for r ~ D.

        Parameters
        ----------
        dist : RewardDistribution
            The distribution D.

        Examples
        --------
        >>> from scipy import stats
        >>> phi = Permutation(["a", "b"], [("a", "b")])
        >>> phi.pushforward(PerState({"a": stats.bernoulli(0.5)})).describe()
        "uniform(0, 1); 'b': bernoulli(0.5)"
        """
        if isinstance(dist, IID):
            return dist
        if isinstance(dist, PerState):
            return PerState({self(s): d for s, d in dist.dists.items()}, dist.default)
        if isinstance(dist, FiniteSupport):
            return FiniteSupport(self.apply(dist.vectors), dist.weights)
        if isinstance(dist, RewardSamples):
            return RewardSamples(self.apply(dist.samples))
        if isinstance(dist, RewardDistribution):
            return CallableRewards(
                lambda rng, size: self.apply(dist._draw(rng, size, self.states)),
                name=f"{self!r}·({dist.describe()})",
            )
        raise InvalidTypeError(f"expected a reward distribution; got {type(dist).__name__}.")

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Permutation)
            and self.states == other.states
            and np.array_equal(self.image, other.image)
        )

    def __hash__(self) -> int:
        return hash((self.states, self.image.tobytes()))

    def __repr__(self) -> str:
        cycles = self.cycles()
        return "Permutation(" + (", ".join(map(repr, cycles)) if cycles else "identity") + ")"


def _image_key(phi: Permutation, f: VisitDistribution) -> tuple:
    if f._walk is not None:
        prefix, cycle = f._walk
        return (tuple(int(phi.image[i]) for i in prefix), tuple(int(phi.image[i]) for i in cycle))
    return tuple(tuple(phi.apply(np.array(vector, dtype=object)).tolist()) for vector in f._key)


def _contained(phi: Permutation, sources: Iterable[VisitDistribution], targets) -> list:
    """The sources whose image under φ is not among the targets' functions."""
    keys = {f._key for f in targets}
    return [f for f in sources if _image_key(phi, f) not in keys]


# ----------------------------------------------------------------------
# results


@compact_repr
@dataclass(frozen=True)
class CopyResult(Tabular):
    """The outcome of a symmetry search.

    Attributes
    ----------
    found : bool
    permutation : Permutation or None
        The witness φ when found.
    reason : str
        What was checked, and why nothing was found when nothing was.
    strict : bool or None
        Whether the copy leaves something over that the theorem's strict
        version needs (e.g. F_nd(s) ∖ φ·F_nd(s') ≠ ∅), when found.
    details : dict
    """

    found: bool
    permutation: Permutation | None
    reason: str
    strict: bool | None = None
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data."""
        return {
            "found": self.found,
            "permutation": (
                [[str(s) for s in cycle] for cycle in self.permutation.cycles()]
                if self.permutation is not None
                else None
            ),
            "strict": self.strict,
            "reason": self.reason,
            **{k: v for k, v in self.details.items() if isinstance(v, (bool, int, float, str))},
        }

    def to_frame(self):
        """The search's outcome as a one-row pandas DataFrame.

        The columns of :meth:`to_dict`, the permutation written as cycles
        (``"(a b)(c d)"``).

        Returns
        -------
        pandas.DataFrame
        """
        return data_frame(*self._columns())

    def _columns(self):
        """The columns of :meth:`to_frame` and its ``attrs``."""
        data = self.to_dict()
        cycles = data.pop("permutation")
        data["permutation"] = (
            None if cycles is None else "".join("(" + " ".join(c) + ")" for c in cycles)
        )
        return {key: data[key] for key in ("found", "permutation", *data) if key in data}, {}


# ----------------------------------------------------------------------
# searching for copies


def _walk_graph(functions: Iterable[VisitDistribution]) -> nx.DiGraph:
    """The edges the walks of deterministic functions take."""
    graph = nx.DiGraph()
    for f in functions:
        prefix, cycle = f._walk
        walk = list(prefix) + list(cycle)
        graph.add_nodes_from(walk)
        graph.add_edges_from(zip(walk, walk[1:]))
        graph.add_edge(walk[-1], cycle[0])
    return graph


def _state_graph(mdp: MDP, region: Iterable[int]) -> nx.DiGraph:
    region = set(region)
    adjacency = mdp.state_adjacency().tocoo()
    graph = nx.DiGraph()
    graph.add_nodes_from(region)
    graph.add_edges_from(
        (int(i), int(j)) for i, j in zip(adjacency.row, adjacency.col) if i in region
    )
    return graph


def _involution(n: int, embedding: Mapping[int, int]) -> np.ndarray | None:
    """Extend x -> m(x) to the involution swapping each x with m(x), or None."""
    image = np.arange(n)
    for x, y in embedding.items():
        for a, b in ((x, y), (y, x)):
            if image[a] != a and image[a] != b:
                return None
            if image[b] != b and image[b] != a:
                return None
            image[a] = b
    if not np.all(image[image] == np.arange(n)):
        return None
    return image


def _embeddings(source: nx.DiGraph, target: nx.DiGraph, anchors: Mapping[int, int]):
    """Subgraph monomorphisms of `source` into `target` sending anchors as given."""
    for node in source:
        source.nodes[node]["anchor"] = node if node in anchors else -1
    for node in target:
        target.nodes[node]["anchor"] = -1
    for node, image in anchors.items():
        target.nodes[image]["anchor"] = node
    matcher = isomorphism.DiGraphMatcher(
        target, source, node_match=lambda t, s: t["anchor"] == s["anchor"]
    )
    for count, mapping in enumerate(matcher.subgraph_monomorphisms_iter()):
        if count >= MAX_CANDIDATES:
            return
        yield {s: t for t, s in mapping.items()}


def _search(mdp, sources, targets, anchors, source_graph, target_graph, budget=None):
    """The first involution φ with φ·sources ⊆ targets, found by embedding.

    First involution φ (found by embedding) with φ·sources ⊆ targets, the number of
    candidates tried, and a note when the search stopped at MAX_CANDIDATES.
    """
    tried = 0
    budget = as_budget(budget)
    for embedding in _embeddings(source_graph, target_graph, anchors):
        tried += 1
        if tried % 64 == 0:
            budget.check(f"searching for a copy ({tried} structural candidates tried)")
        image = _involution(mdp.n_states, embedding)
        if image is None:
            continue
        phi = Permutation.from_indices(mdp, image)
        if not _contained(phi, sources, targets):
            return phi, tried, ""
    return None, tried, _cap_note(tried)


def _cap_note(tried: int) -> str:
    """What to add to "no copy found" when the search stopped at MAX_CANDIDATES."""
    if tried < MAX_CANDIDATES:
        return ""
    return f"; the search stops at {MAX_CANDIDATES} candidates, so a copy may still exist"


def _policy_graph(mdp: MDP, functions: Iterable[VisitDistribution]) -> nx.DiGraph:
    """The transitions the realising policies of stochastic functions use."""
    matrix = mdp.transition_matrix
    graph = nx.DiGraph()
    for f in functions:
        for i, k in enumerate(f._policy):
            if k >= 0:
                graph.add_node(i)
                graph.add_edges_from(
                    (i, int(j)) for j in matrix.indices[matrix.indptr[k] : matrix.indptr[k + 1]]
                )
    return graph


def _graphs(mdp: MDP, sources):
    """The graph the sources' walks or policies use, and the whole state graph."""
    used = _walk_graph(sources) if mdp.is_deterministic else _policy_graph(mdp, sources)
    return used, _state_graph(mdp, range(mdp.n_states))


def find_state_copy(
    mdp: MDP, state: Hashable, other: Hashable, *, budget: Budget | None = None
) -> CopyResult:
    """Does `state` have more options than `other`? (the hypothesis of Prop 6.6)

    Looks for an involution φ with φ·F_nd(other) ⊆ F(state), which forces
    φ(other) = state. ``strict`` says whether F_nd(state) ∖ φ·F_nd(other) ≠ ∅
    (then POWER is strictly larger under IID continuous rewards).

    Parameters
    ----------
    mdp : MDP
        The environment.
    state : hashable
        The state that would have more options.
    other : hashable
        The state it is compared with.
    budget : Budget, optional
        Time limit and progress for the search; default none.

    Returns
    -------
    CopyResult

    See Also
    --------
    find_action_copy : The same search for two actions of a state.
    find_rsd_copy : The same search at γ = 1, for RSDs.
    check_states : Prop 6.6 checked from the copy found.

    Examples
    --------
    >>> from powerseek import load
    >>> result = find_state_copy(load("turner-fig1"), "right_down", "left_down")
    >>> result.found, result.permutation, result.strict
    (True, Permutation(('left_up', 'right_up'), ('left_down', 'right_down')), True)
    >>> find_state_copy(load("turner-fig1"), "left_down", "right_down").found
    False
    """
    s, s2 = mdp.index(state), mdp.index(other)
    target = visit_distributions(mdp, state)
    source = nondominated(visit_distributions(mdp, other), budget=budget)
    if s == s2:
        return CopyResult(
            True, Permutation(mdp), "a state trivially contains its own options", strict=False
        )
    return _searched_copy(
        mdp,
        source,
        target,
        {s2: s},
        budget,
        after={"n_source": len(source), "n_target": len(target)},
        missing=f"no involution maps the {len(source)} non-dominated visit distributions of "
        f"{quote(other)} into the {len(target)} of {quote(state)}",
        found=f"φ·F_nd({other}) ⊆ F({state})",
        candidates=lambda: nondominated(target, budget=budget),
    )


def _searched_copy(
    mdp, source, target, fixed, budget, *, missing, found, candidates, before=None, after=None
) -> CopyResult:
    """The involution search the visit-distribution copy finders share, as a CopyResult.

    `fixed` pins states of φ; `missing` and `found` word the result; the copy is
    strict when some function of ``candidates()`` (the non-dominated ones of the
    target, computed only once a copy is found) is not an image of the source.
    The details are `before`, the candidates tried, then `after`.
    """
    source_graph, target_graph = _graphs(mdp, source)
    phi, tried, note = _search(mdp, source, target, fixed, source_graph, target_graph, budget)
    details = {**(before or {}), "candidates_tried": tried, **(after or {})}
    if phi is None:
        reason = f"{missing} ({tried} structural candidates checked{note})"
        return CopyResult(False, None, reason, details=details)
    images = {_image_key(phi, f) for f in source}
    extra = [f for f in candidates() if f._key not in images]
    return CopyResult(
        True,
        phi,
        found,
        strict=bool(extra),
        details={**details, "n_extra_nondominated": len(extra)},
    )


def find_action_copy(
    mdp: MDP, state: Hashable, action: Hashable, other: Hashable, *, budget: Budget | None = None
) -> CopyResult:
    """Does `action` keep more options open than `other` at `state`? (Prop 6.9)

    Looks for an involution φ fixing `state` with
    φ·F(state | π(state) = other) ⊆ F(state | π(state) = action). The result's
    details also say whether `state` can be revisited after `other`
    (Prop 6.9 (1) needs s ∉ Reach(s, other)) and whether the bottleneck
    condition of Prop 6.9 (2) / Lemma E.47 holds; ``strict`` whether
    F_nd(s) ∩ (F_a ∖ φ·F_{a'}) ≠ ∅.

    Parameters
    ----------
    mdp : MDP
        The environment.
    state : hashable
        A state of `mdp`, by its label.
    action : hashable
        The action that would keep more options open.
    other : hashable
        The action it is compared with.
    budget : Budget, optional
        Time limit and progress for the search; default none.

    Returns
    -------
    CopyResult

    See Also
    --------
    find_state_copy : The same search for two states.
    check_actions : Prop 6.9 checked from the copy found.

    Examples
    --------
    >>> from powerseek import load
    >>> result = find_action_copy(load("turner-fig1"), "start", "right", "left")
    >>> result.found, result.strict, result.details["bottleneck"]
    (True, True, True)
    """
    s = mdp.index(state)
    mdp.pair_index(state, action), mdp.pair_index(state, other)
    F = visit_distributions(mdp, state)
    target = restrict(F, state, action)
    source = restrict(F, state, other)
    targets = set(target)
    return _searched_copy(
        mdp,
        source,
        target,
        {s: s},
        budget,
        before={
            "revisits_state_after_other": state in reachable(mdp, state, other),
            "bottleneck": _bottleneck(mdp, state, action, other),
        },
        missing=f"no involution fixing {quote(state)} maps F({state} | π({state}) = {other}) "
        f"({len(source)} functions) into F({state} | π({state}) = {action}) ({len(target)})",
        found=f"φ·F({state} | {other}) ⊆ F({state} | {action})",
        candidates=lambda: [f for f in nondominated(F, budget=budget) if f in targets],
    )


def _bottleneck(mdp: MDP, state: Hashable, action: Hashable, other: Hashable) -> bool:
    """The bottleneck condition of Lemma E.47 / Prop 6.9 (2).

    Lemma E.47 / Prop 6.9 (2): s reaches Reach(s,a) ∪ Reach(s,a') only through
    actions equivalent (same transitions) to a or a' at s.
    """
    region = set(reachable(mdp, state, action)) | set(reachable(mdp, state, other))
    allowed = (mdp.transition(state, action), mdp.transition(state, other))
    for b in mdp.actions_of(state):
        if mdp.transition(state, b) in allowed:
            continue
        if region & set(reachable(mdp, state, b)):
            return False
    return True


def find_rsd_copy(
    mdp: MDP, state: Hashable, other: Hashable, *, budget: Budget | None = None
) -> CopyResult:
    """Does RSD(state) contain a copy of RSD_nd(other)? (the hypothesis of Prop 6.12, γ = 1)

    Looks for an involution φ with φ·RSD_nd(other) ⊆ RSD(state) (deterministic
    MDPs, where RSDs are uniform distributions on cycles). ``strict`` says
    whether RSD_nd(state) ∖ φ·RSD_nd(other) ≠ ∅.

    Parameters
    ----------
    mdp : MDP
        The environment.
    state : hashable
        The state that would have more options.
    other : hashable
        The state it is compared with.
    budget : Budget, optional
        Time limit and progress for the search; default none.

    Returns
    -------
    CopyResult

    See Also
    --------
    find_state_copy : The same search for visit distributions at γ < 1.
    check_states : Prop 6.12 is checked there too.

    Examples
    --------
    >>> from powerseek import load
    >>> result = find_rsd_copy(load("turner-fig1"), "right", "left")
    >>> result.found, result.strict
    (True, True)
    """
    if not mdp.is_deterministic:
        raise InvalidParameterError(
            "RSD copies are searched for deterministic MDPs, whose RSDs are cycles; this MDP is "
            "stochastic."
        )
    target = recurrent_distributions(mdp, state)
    source = nondominated_rsds(recurrent_distributions(mdp, other))
    target_vectors = {d.vector for d in target}
    cycles = nx.DiGraph()
    for d in source:
        indices = [mdp.index(x) for x in d.cycle]
        cycles.add_nodes_from(indices)
        cycles.add_edges_from(zip(indices, indices[1:] + indices[:1]))
    region = {mdp.index(x) for x in reachable(mdp, state)}
    tried = 0
    budget = as_budget(budget)
    for embedding in _embeddings(cycles, _state_graph(mdp, region), {}):
        tried += 1
        if tried % 64 == 0:
            budget.check(f"searching for an RSD copy ({tried} structural candidates tried)")
        image = _involution(mdp.n_states, embedding)
        if image is None:
            continue
        phi = Permutation.from_indices(mdp, image)
        mapped = {tuple(phi.apply(np.array(d.vector, dtype=object)).tolist()) for d in source}
        if mapped <= target_vectors:
            extra = [d for d in nondominated_rsds(target) if d.vector not in mapped]
            return CopyResult(
                True,
                phi,
                f"φ·RSD_nd({other}) ⊆ RSD({state})",
                strict=bool(extra),
                details={"candidates_tried": tried, "n_extra_nondominated": len(extra)},
            )
    return CopyResult(
        False,
        None,
        f"no involution maps the {len(source)} non-dominated RSDs of {quote(other)} into the "
        f"{len(target)} RSDs of {quote(state)} ({tried} structural candidates checked"
        f"{_cap_note(tried)})",
        details={"candidates_tried": tried},
    )


def automorphisms(mdp: MDP, *, limit: int = 1000) -> list[Permutation]:
    """The automorphisms of the MDP (Lemma E.17).

    Permutations φ mapping the MDP onto itself: for every state s, the
    transition distributions of φ(s) are those of s mapped by φ (Lemma E.17).

    Parameters
    ----------
    mdp : MDP
        The environment.
    limit : int, default 1000
        Stop after this many automorphisms.

    Returns
    -------
    list of Permutation

    See Also
    --------
    find_state_copy : An involution between two states' options only.
    orbit_size : The size of a reward's orbit.

    Examples
    --------
    >>> from powerseek import load
    >>> symmetries = automorphisms(load("powerplay-3x3"))   # the square's 8 symmetries
    >>> len(symmetries), symmetries[1]
    (8, Permutation(((0, 1), (1, 0)), ((0, 2), (2, 0)), ((1, 2), (2, 1))))
    """
    graph = _state_graph(mdp, range(mdp.n_states))
    signature = {i: _row_signature(mdp, i) for i in range(mdp.n_states)}
    for i in graph:
        graph.nodes[i]["actions"] = len(mdp.actions[i])
    matcher = isomorphism.DiGraphMatcher(
        graph, graph, node_match=lambda a, b: a["actions"] == b["actions"]
    )
    found = []
    for mapping in matcher.isomorphisms_iter():
        image = np.array([mapping[i] for i in range(mdp.n_states)])
        if all(
            _mapped_signature(mdp, i, image) == signature[int(image[i])]
            for i in range(mdp.n_states)
        ):
            found.append(Permutation.from_indices(mdp, image))
            if len(found) >= limit:
                break
    return found


def _row_signature(mdp: MDP, i: int) -> tuple:
    matrix = mdp.transition_matrix
    rows = []
    for k in range(int(mdp.pair_offsets[i]), int(mdp.pair_offsets[i + 1])):
        a, b = matrix.indptr[k], matrix.indptr[k + 1]
        rows.append(tuple(sorted(zip(matrix.indices[a:b].tolist(), matrix.data[a:b].tolist()))))
    return tuple(sorted(rows))


def _mapped_signature(mdp: MDP, i: int, image: np.ndarray) -> tuple:
    matrix = mdp.transition_matrix
    rows = []
    for k in range(int(mdp.pair_offsets[i]), int(mdp.pair_offsets[i + 1])):
        a, b = matrix.indptr[k], matrix.indptr[k + 1]
        rows.append(
            tuple(sorted(zip(image[matrix.indices[a:b]].tolist(), matrix.data[a:b].tolist())))
        )
    return tuple(sorted(rows))


def terminal_copies(mdp: MDP, state: Hashable, targets: Sequence[Hashable]) -> CopyResult:
    """How many copies of a set of 1-cycles the other 1-cycles reachable from s hold.

    For D' = {e_t : t in `targets`} (RSDs of 1-cycles reachable from `state`)
    and the other reachable 1-cycles, the largest n such that n disjoint sets
    of |D'| other 1-cycles exist: then RSD(s) ∖ D' contains n copies of D'
    (RDSP Def A.6, the hypothesis of Cor D.12), each copy swapping D' with one
    such set. The witnesses are the n involutions.

    Parameters
    ----------
    mdp : MDP
        A deterministic MDP.
    state : hashable
        A state of `mdp`, by its label.
    targets : sequence of hashable
        States of 1-cycles reachable from `state`.

    Returns
    -------
    CopyResult

    Examples
    --------
    >>> from powerseek import load
    >>> result = terminal_copies(load("turner-fig1"), "start", ["empty"])
    >>> result.details["n"], len(result.details["witnesses"])
    (3, 3)
    """
    region = set(reachable(mdp, state))
    loops = [s for s in mdp.one_cycles() if s in region]
    missing = [t for t in targets if t not in loops]
    if missing:
        raise InvalidParameterError(
            f"{preview(missing)} is not a 1-cycle reachable from {quote(state)}; reachable "
            f"1-cycles: {preview(loops)}."
        )
    others = [s for s in loops if s not in set(targets)]
    k = len(targets)
    n = len(others) // k if k else 0
    witnesses = [
        Permutation(mdp, list(zip(targets, others[i * k : (i + 1) * k]))) for i in range(n)
    ]
    reason = (
        f"{len(others)} other 1-cycles reachable from {quote(state)} hold {n} disjoint copies "
        f"of the {k} target(s)"
    )
    return CopyResult(
        n > 0,
        witnesses[0] if witnesses else None,
        reason,
        strict=len(others) > n * k if n else None,
        details={"n": n, "witnesses": witnesses},
    )
