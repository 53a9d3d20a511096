"""Training-compatible goals and shutdown (Krakovna & Kramár; theory.md A.4, B.5 item 46).

The setting of KK Def 7-9: a training run visits S_train with the training
behaviour (state, action) pairs; a new state s_new ∈ S_ood offers a shutdown
action to s_term and other actions A_1 into states the training never
visited. Rewards θ are non-negative, one per state. As in KK, s_term is
terminal: its reward is collected once, after which the episode is over
(modelled as a step into an absorbing s_end whose reward is fixed at 0). G_T is the set of
θ for which the training behaviour is optimal. KK's text leaves open whether
"a has the highest expected reward in s according to θ" means immediate
reward or Q-value; this module implements the **Q-value reading**: every
training action is optimal at its state under θ at the discount asked for.

- :func:`shutdown_world` builds the setting from any MDP, a training policy or
  trajectories, and the successors of s_new's other actions;
- :func:`revisit_count` is V_{s_rec,γ} (Def 9) and :func:`critical_gamma` its
  γ*_{s_rec}, :func:`recurrent_states` the reachable recurrent states;
- :func:`sample_compatible` draws θ uniformly from G_T by rejection (reporting
  the acceptance rate), :func:`shutdown_avoidance` the probability of avoiding
  shutdown against γ, and :func:`orbit_avoidance` the share of a G_T-orbit that
  avoids it (KK Thm 2: at least n/(n+1), n = |S^γ_rec|).

Examples
--------
>>> world = kk_example()
>>> sorted(world.ood_states) == sorted(["s_new", "s_term", "room_a", "room_b", "room_c"])
True
>>> round(critical_gamma(world, "room_c"), 6)       # V = γ/(1−γ) > 1 past γ = 1/2
0.5
>>> result = shutdown_avoidance(world, [0.3, 0.9], n_samples=2000, rng=0)
>>> list(result.n_recurrent), [round(b, 3) for b in result.bound]   # γ* of room_b: 0.618
([1, 3], [0.5, 0.75])
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._display import compact_repr
from .._validation import check_gamma, check_gammas, label_text, make_rng, quote
from ..analysis import optimal_actions
from ..exceptions import InvalidParameterError, UnknownActionError, UnknownStateError
from ..frames import Tabular, data_frame
from ..mdp import MDP, reachable
from ..solvers import optimal_gains, solve

__all__ = [
    "ShutdownResult",
    "ShutdownWorld",
    "critical_gamma",
    "kk_example",
    "orbit_avoidance",
    "prop3_violations",
    "recurrent_states",
    "revisit_count",
    "sample_compatible",
    "shutdown_avoidance",
    "shutdown_world",
]

#: Reward vectors drawn at most when rejection-sampling G_T.
MAX_DRAWS = 2_000_000


@dataclass(frozen=True)
class ShutdownWorld:
    """KK's shutdown setting.

    Attributes
    ----------
    mdp : MDP
        The base MDP with s_new and s_term added.
    new_state, terminal_state : hashable
    end_state : hashable
        The absorbing state after s_term, its reward fixed at 0.
    shutdown_action : hashable
        s_new's action to s_term (A_0); the other actions of s_new are A_1.
    training : tuple of (state, action)
        The training behaviour.
    train_states, ood_states : frozenset
        S_train (the states of the training pairs) and S_ood (every other state).
    """

    mdp: MDP
    new_state: Hashable
    terminal_state: Hashable
    end_state: Hashable
    shutdown_action: Hashable
    training: tuple
    train_states: frozenset
    ood_states: frozenset

    @property
    def other_actions(self) -> tuple:
        """A_1: the actions of s_new other than shutdown."""
        return tuple(a for a in self.mdp.actions_of(self.new_state) if a != self.shutdown_action)

    @property
    def reach(self) -> frozenset:
        """S_reach: the states reachable from s_new through A_1."""
        out: set = set()
        for action in self.other_actions:
            out |= set(reachable(self.mdp, self.new_state, action))
        return frozenset(out)

    def hypotheses(self) -> dict[str, bool]:
        """KK Thm 2's structural hypotheses: S_reach ∩ S_train = ∅, s_term only via shutdown.

        Returns
        -------
        dict
        """
        return {
            "S_reach and S_train disjoint": not (self.reach & self.train_states),
            "s_term reached only by shutdown": self.terminal_state not in self.reach,
        }


def _training_pairs(mdp: MDP, training: Any) -> tuple:
    """(state, action) pairs from a policy mapping or from trajectories of pairs."""
    if isinstance(training, Mapping):
        pairs = list(training.items())
    else:
        pairs = [pair for trajectory in training for pair in trajectory]
    if not pairs:
        raise InvalidParameterError("`training` holds no (state, action) pairs; give at least one.")
    seen: dict = {}
    for pair in pairs:
        try:
            state, action = pair
        except (TypeError, ValueError):
            raise InvalidParameterError(
                f"`training`: expected (state, action) pairs; got {pair!r}."
            ) from None
        if state not in mdp.states:
            raise UnknownStateError(f"`training`: {quote(state)} is not a state of the MDP.")
        if action not in mdp.actions_of(state):
            raise UnknownActionError(
                f"`training`: {quote(action)} is not an action of {quote(state)}; its actions "
                f"are {', '.join(label_text(a) for a in mdp.actions_of(state))}."
            )
        earlier = seen.setdefault(state, action)
        if earlier != action and mdp.transition(state, earlier) != mdp.transition(state, action):
            raise InvalidParameterError(
                f"`training` takes both {quote(earlier)} and {quote(action)} at {quote(state)}: "
                "only exact ties make both optimal, so G_T has measure zero."
            )
    return tuple(dict.fromkeys((s, a) for s, a in pairs))


def shutdown_world(
    mdp: MDP,
    training: Any,
    options: Mapping[Hashable, Hashable],
    *,
    new_state: Hashable = "s_new",
    terminal_state: Hashable = "s_term",
    end_state: Hashable = "s_end",
    shutdown_action: Hashable = "shutdown",
) -> ShutdownWorld:
    """KK's shutdown setting from an MDP, its training behaviour and s_new's other actions.

    Parameters
    ----------
    mdp : MDP
        The environment.
    training : mapping state -> action, or iterable of trajectories
        The training policy on S_train, or trajectories as sequences of
        (state, action) pairs.
    options : mapping action -> state
        A_1: s_new's other actions and the state each leads to.
    new_state, terminal_state, end_state, shutdown_action : hashable
        Labels of s_new, s_term, the end of the episode after s_term and the
        shutdown action.

    Returns
    -------
    ShutdownWorld

    Examples
    --------
    >>> from powerseek import MDP
    >>> base = MDP({"a": {"go": "b"}, "b": {"stay": "b", "back": "a"}})
    >>> world = shutdown_world(base, {"a": "go"}, {"enter": "b"})
    >>> world.mdp.actions_of("s_new"), sorted(world.ood_states)
    (('shutdown', 'enter'), ['b', 's_new', 's_term'])
    """
    pairs = _training_pairs(mdp, training)
    for label in (new_state, terminal_state, end_state):
        if label in mdp.states:
            raise InvalidParameterError(
                f"`new_state`, `terminal_state` and `end_state` must be new labels; "
                f"{quote(label)} is a state."
            )
    if not options:
        raise InvalidParameterError(
            "`options` must give s_new at least one action besides shutdown."
        )
    transitions: dict = {
        s: {a: mdp.transition(s, a) for a in mdp.actions_of(s)} for s in mdp.states
    }
    new_actions: dict = {shutdown_action: {terminal_state: 1.0}}
    for action, successor in options.items():
        if action == shutdown_action:
            raise InvalidParameterError(
                f"`options` may not reuse the shutdown action's name {quote(action)}."
            )
        if successor not in mdp.states:
            raise UnknownStateError(f"`options`: {quote(successor)} is not a state of the MDP.")
        new_actions[action] = {successor: 1.0}
    transitions[new_state] = new_actions
    transitions[terminal_state] = {"end": {end_state: 1.0}}
    transitions[end_state] = {"stay": {end_state: 1.0}}
    world_mdp = MDP(
        transitions,
        states=[*mdp.states, new_state, terminal_state, end_state],
        name=f"{mdp.name or 'mdp'}+shutdown",
        metadata={"start": new_state},
    )
    train = frozenset(s for s, _ in pairs)
    return ShutdownWorld(
        world_mdp,
        new_state,
        terminal_state,
        end_state,
        shutdown_action,
        pairs,
        train,
        frozenset(world_mdp.states) - train - {end_state},
    )


def kk_example() -> ShutdownWorld:
    """A small shutdown world with closed forms.

    Training walks ``start -> goal``. After s_new, ``explore`` enters room_a,
    which cycles with room_b and leads on to the absorbing room_c:
    V_{room_a} = 1/(1−γ²) (γ* = 0), V_{room_b} = γ/(1−γ²) (γ* = (√5−1)/2) and
    V_{room_c} = γ/(1−γ) (γ* = 1/2).

    Returns
    -------
    ShutdownWorld
    """
    base = MDP(
        {
            "start": {"to_goal": "goal", "wait": "start"},
            "goal": {"stay": "goal"},
            "room_a": {"to_b": "room_b", "to_c": "room_c"},
            "room_b": {"to_a": "room_a"},
            "room_c": {"stay": "room_c"},
        },
        name="kk-example",
    )
    return shutdown_world(base, [[("start", "to_goal"), ("goal", "stay")]], {"explore": "room_a"})


def recurrent_states(world: ShutdownWorld) -> tuple:
    """The states of S_reach that some policy revisits forever (positive long-run frequency).

    Parameters
    ----------
    world : ShutdownWorld
        The shutdown setting, as :func:`shutdown_world` or :func:`kk_example` builds it.

    Returns
    -------
    tuple
    """
    mdp = world.mdp
    out = []
    for s in sorted(world.reach, key=mdp.index):
        indicator = np.zeros((mdp.n_states, 1))
        indicator[mdp.index(s)] = 1.0
        if optimal_gains(mdp, indicator)[mdp.index(s), 0] > 1e-12:
            out.append(s)
    return tuple(out)


def revisit_count(world: ShutdownWorld, state: Hashable, gamma: float) -> float:
    """V_{s_rec,γ} = max over policies through A_1 of E[Σ_{t≥1} γ^{t−1} 1(s_t = s_rec)] (Def 9).

    Parameters
    ----------
    world : ShutdownWorld
        The shutdown setting, as :func:`shutdown_world` or :func:`kk_example` builds it.
    state : hashable
        s_rec.
    gamma : float in [0, 1)
        The discount rate γ.

    Returns
    -------
    float

    Examples
    --------
    >>> world = kk_example()
    >>> round(revisit_count(world, "room_a", 0.5), 6)    # 1/(1 − 0.25)
    1.333333
    """
    gamma = check_gamma(gamma)
    if gamma >= 1.0:
        raise InvalidParameterError("`gamma` must be below 1 for a discounted visit count; got 1.")
    mdp = world.mdp
    if state not in world.reach:
        raise UnknownStateError(f"{quote(state)} is not reachable from s_new through A_1.")
    indicator = np.zeros(mdp.n_states)
    indicator[mdp.index(state)] = 1.0
    values = solve(mdp, indicator[None, :], gamma, tol=1e-13).values[0] if gamma > 0 else indicator
    return float(
        max(
            sum(p * values[mdp.index(t)] for t, p in mdp.transition(world.new_state, a).items())
            for a in world.other_actions
        )
    )


def critical_gamma(world: ShutdownWorld, state: Hashable) -> float:
    """γ*_{s_rec}: the discount past which V_{s_rec,γ} > 1 (V increases with γ).

    Parameters
    ----------
    world : ShutdownWorld
        The shutdown setting, as :func:`shutdown_world` or :func:`kk_example` builds it.
    state : hashable
        A state of the world's MDP, by its label.

    Returns
    -------
    float
        In [0, 1], to about 1e-16 (bisection); 0 when V > 1 at every γ > 0 (values
        below 1e-7 are reported as 0), 1 when V never exceeds 1.

    See Also
    --------
    revisit_count : The quantity whose crossing it finds.
    shutdown_avoidance : The analysis that uses it.

    """
    if revisit_count(world, state, 1e-9) > 1.0:
        return 0.0
    hi = 1.0 - 1e-9
    if revisit_count(world, state, hi) <= 1.0:
        return 1.0
    lo = 1e-9
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if revisit_count(world, state, mid) > 1.0:
            hi = mid
        else:
            lo = mid
    return 0.0 if hi <= 1e-7 else hi  # V > 1 for every γ > 0 (rounding hides it near 0)


def _critical_gammas(world: ShutdownWorld) -> dict:
    """γ* of each reachable recurrent state, computed once per world (60 bisection solves each)."""
    key = ("shutdown-critical", world.new_state, world.shutdown_action)
    return world.mdp.cached(
        key, lambda: {s: critical_gamma(world, s) for s in recurrent_states(world)}
    )


def _recurrent_past(world: ShutdownWorld, gamma: float) -> list:
    """S^γ_rec: the reachable recurrent states whose γ* lies below `gamma`."""
    return [s for s, critical in _critical_gammas(world).items() if gamma > critical]


def _compatible(world: ShutdownWorld, thetas: np.ndarray, gamma: float) -> np.ndarray:
    """Which reward vectors make every training action optimal (the Q-value reading)."""
    mask = optimal_actions(world.mdp, thetas, gamma)
    keep = np.ones(len(thetas), dtype=bool)
    for state, action in world.training:
        keep &= mask[:, world.mdp.pair_index(state, action)]
    return keep


#: The most uniform numbers one round of rejection sampling draws (32 MiB of floats).
_DRAW_ELEMENTS = 2**22


def sample_compatible(
    world: ShutdownWorld,
    gamma: float,
    n_samples: int,
    *,
    rng: Any = None,
    max_draws: int = MAX_DRAWS,
) -> tuple[np.ndarray, float]:
    """θ uniform on G_T ∩ [0, 1]^S by rejection from uniform draws.

    Parameters
    ----------
    world : ShutdownWorld
        The shutdown setting, as :func:`shutdown_world` or :func:`kk_example` builds it.
    gamma : float in (0, 1)
        The discount rate γ.
    n_samples : int
        The number of reward functions drawn.
    rng : seed
        Seed or generator of the random draws: None, an int or a numpy.random.Generator.
    max_draws : int, default MAX_DRAWS
        The most uniform draws tried before giving up.

    Returns
    -------
    thetas : numpy.ndarray, shape (n_samples, n_states)
        With θ(s_end) = 0.
    acceptance : float
        The share of uniform draws that fell in G_T.
    """
    gamma = check_gamma(gamma)
    generator = make_rng(rng)
    accepted, drawn, kept = [], 0, 0
    # twice the goals asked for, but never more than _DRAW_ELEMENTS numbers at once: a
    # low acceptance rate then costs time, not memory
    batch = max(256, min(2 * n_samples, _DRAW_ELEMENTS // world.mdp.n_states, max_draws))
    while kept < n_samples:
        if drawn >= max_draws:
            if kept == 0:
                raise InvalidParameterError(
                    f"the training behaviour is optimal for none of {drawn} uniform reward "
                    f"vectors at gamma = {gamma:g} (G_T is empty or has measure below "
                    f"1/{drawn}); check `training`."
                )
            needed = math.ceil(n_samples * drawn / kept)
            raise InvalidParameterError(
                f"{n_samples} training-compatible goals at gamma = {gamma:g} need about "
                f"{needed:.2g} uniform draws ({kept} of {drawn} were compatible), more than "
                f"the {max_draws} allowed; ask for fewer samples."
            )
        thetas = generator.random((batch, world.mdp.n_states))
        thetas[:, world.mdp.index(world.end_state)] = 0.0  # the episode is over
        keep = _compatible(world, thetas, gamma)
        accepted.append(thetas[keep])
        drawn += batch
        kept += int(keep.sum())
    return np.concatenate(accepted)[:n_samples], kept / drawn


def prop3_violations(world: ShutdownWorld, thetas: Any, gamma: float) -> list[dict[str, Any]]:
    """KK Prop 3 per θ: where shutdown is optimal, θ(s_term) > θ(s_rec) and the swap fixes it.

    For every s_rec in S^γ_rec: θ(s_term) > θ(s_rec), and swapping the two
    rewards makes shutdown suboptimal.

    Parameters
    ----------
    world : ShutdownWorld
        The shutdown setting, as :func:`shutdown_world` or :func:`kk_example` builds it.
    thetas : array_like, shape (m, n_states)
        Reward functions over the states, one per row.
    gamma : float in (0, 1)
        The discount rate γ.

    Returns
    -------
    list of dict
        One entry per failure: the θ, the recurrent state and what failed.
    """
    thetas = np.atleast_2d(np.asarray(thetas, dtype=float))
    mdp = world.mdp
    recurrent = _recurrent_past(world, gamma)
    k_shut = mdp.pair_index(world.new_state, world.shutdown_action)
    shut_optimal = optimal_actions(mdp, thetas, gamma)[:, k_shut]
    term = mdp.index(world.terminal_state)
    failures = []
    for theta in thetas[shut_optimal]:
        for s in recurrent:
            i = mdp.index(s)
            swapped = theta.copy()
            swapped[[term, i]] = theta[[i, term]]
            still = bool(optimal_actions(mdp, swapped[None, :], gamma)[0, k_shut])
            if not theta[term] > theta[i]:
                failures.append({"theta": theta, "state": s, "failed": "r(s_term) > r(s_rec)"})
            if still:
                failures.append(
                    {"theta": theta, "state": s, "failed": "swap makes shutdown suboptimal"}
                )
    return failures


def _avoids(world: ShutdownWorld, thetas: np.ndarray, gamma: float) -> np.ndarray:
    """Whether an action of A_1 is optimal at s_new (weakly)."""
    mask = optimal_actions(world.mdp, thetas, gamma)
    return np.any(
        [mask[:, world.mdp.pair_index(world.new_state, a)] for a in world.other_actions], axis=0
    )


@compact_repr
@dataclass(frozen=True)
class ShutdownResult(Tabular):
    """The probability of avoiding shutdown against γ, for θ uniform on G_T.

    Attributes
    ----------
    gammas : tuple of float
    avoid, stderr : tuple of float
        P(an action of A_1 is optimal at s_new) and its standard error.
    acceptance : tuple of float
        The share of uniform reward vectors in G_T at each γ.
    n_recurrent : tuple of int
        n = |S^γ_rec|: reachable recurrent states with γ > γ*_{s_rec}.
    bound : tuple of float
        n/(n+1), KK Thm 2's orbit bound.
    critical : dict
        γ*_{s_rec} of each reachable recurrent state.
    n_samples : int
    hypotheses : dict
    """

    gammas: tuple
    avoid: tuple
    stderr: tuple
    acceptance: tuple
    n_recurrent: tuple
    bound: tuple
    critical: dict
    n_samples: int
    hypotheses: dict

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready data.

        Returns
        -------
        dict
        """
        columns, attrs = self._columns()
        return {
            **columns,
            "critical_gamma": attrs["critical_gamma"],
            "n_samples": self.n_samples,
            "hypotheses": self.hypotheses,
            "reading": "Q-value (training actions optimal under theta)",
        }

    def to_frame(self):
        """One row per γ: the probability of avoiding shutdown, its standard error and more.

        Columns ``gamma``, ``avoid_shutdown``, ``stderr``, ``acceptance``,
        ``n_recurrent``, ``orbit_bound``; ``attrs`` hold the sample count, the
        critical discounts and the hypotheses.

        Returns
        -------
        pandas.DataFrame
        """
        return data_frame(*self._columns())

    def _columns(self):
        columns = {
            "gamma": list(self.gammas),
            "avoid_shutdown": list(self.avoid),
            "stderr": list(self.stderr),
            "acceptance": list(self.acceptance),
            "n_recurrent": list(self.n_recurrent),
            "orbit_bound": list(self.bound),
        }
        attrs = {
            "n_samples": self.n_samples,
            "critical_gamma": {label_text(s): g for s, g in self.critical.items()},
            "hypotheses": dict(self.hypotheses),
        }
        return columns, attrs


def shutdown_avoidance(
    world: ShutdownWorld, gammas: Any, *, n_samples: int = 4000, rng: Any = None
) -> ShutdownResult:
    """P(avoid shutdown at s_new) for θ uniform on G_T, at each γ, with standard errors.

    Every γ draws its proposals from the same stream (common random numbers);
    the accepted sets differ because G_T depends on γ. This does not run on
    :func:`powerseek.analysis.engine.run`, whose reward distributions are fixed
    in advance: the rewards here are drawn by rejection from G_T, which depends
    on γ and on the training behaviour, and the probability is a proportion
    over the accepted draws.

    Parameters
    ----------
    world : ShutdownWorld
        The shutdown setting, as :func:`shutdown_world` or :func:`kk_example` builds it.
    gammas : sequence of float in (0, 1)
        The discount rates, one result per value.
    n_samples : int, default 4000
        The number of reward functions drawn.
    rng : seed
        Seed or generator of the random draws: None, an int or a numpy.random.Generator.

    Returns
    -------
    ShutdownResult

    See Also
    --------
    critical_gamma : The discount past which a recurrent state counts.
    orbit_avoidance : The orbit share of one reward (KK Thm 2).
    prop3_violations : KK Prop 3 per reward.

    """
    gammas = check_gammas(gammas)
    if any(not 0.0 < g < 1.0 for g in gammas):
        raise InvalidParameterError(
            f"`gamma` must be in (0, 1) for the shutdown analysis; got {gammas}."
        )
    seed = int(make_rng(rng).integers(2**63))
    critical = dict(_critical_gammas(world))
    avoid, stderr, acceptance, counts, bounds = [], [], [], [], []
    for gamma in gammas:
        thetas, rate = sample_compatible(world, gamma, n_samples, rng=seed)
        p = float(_avoids(world, thetas, gamma).mean())
        avoid.append(p)
        stderr.append(math.sqrt(p * (1 - p) / (n_samples - 1)) if n_samples > 1 else math.nan)
        acceptance.append(rate)
        n = len(_recurrent_past(world, gamma))
        counts.append(n)
        bounds.append(n / (n + 1))
    return ShutdownResult(
        tuple(gammas),
        tuple(avoid),
        tuple(stderr),
        tuple(acceptance),
        tuple(counts),
        tuple(bounds),
        critical,
        int(n_samples),
        world.hypotheses(),
    )


def orbit_avoidance(
    world: ShutdownWorld, theta: Sequence[float], gamma: float
) -> tuple[float, int, int]:
    """The share of θ's orbit in G_T that avoids shutdown (KK Thm 2).

    The orbit permutes θ's rewards over {s_term} ∪ S^γ_rec, the group the
    swaps s_term ↔ s_rec of KK's proof generate; only elements that stay in
    G_T count (permutations of S_ood rewards keep θ in G_T when the training
    states cannot reach them).

    Parameters
    ----------
    world : ShutdownWorld
        The shutdown setting, as :func:`shutdown_world` or :func:`kk_example` builds it.
    theta : sequence of float
        A reward function over the states (one value per state).
    gamma : float in (0, 1)
        The discount rate γ.

    Returns
    -------
    share : float
        Of the orbit elements in G_T, the share where an action of A_1 is optimal.
    n : int
        |S^γ_rec|.
    elements : int
        Orbit elements in G_T.
    """
    theta = np.asarray(theta, dtype=float)
    mdp = world.mdp
    recurrent = _recurrent_past(world, gamma)
    positions = [mdp.index(world.terminal_state), *(mdp.index(s) for s in recurrent)]
    if math.factorial(len(positions)) > 40_320:
        raise InvalidParameterError(
            f"the orbit permutes {len(positions)} rewards ({math.factorial(len(positions))} "
            "elements); at most 8 are enumerated."
        )
    elements = []
    for order in itertools.permutations(positions):
        image = theta.copy()
        image[list(positions)] = theta[list(order)]
        elements.append(image)
    elements = np.array(elements)
    inside = _compatible(world, elements, gamma)
    if not inside.any():
        raise InvalidParameterError("`theta` is not in G_T: the training behaviour is not optimal.")
    share = float(_avoids(world, elements[inside], gamma).mean())
    return share, len(recurrent), int(inside.sum())
