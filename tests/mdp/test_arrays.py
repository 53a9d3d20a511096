"""Array forms: state-action pairs (QuantEcon) and products (pymdptoolbox, T[s, a, s'])."""

import catalog
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given
from hypothesis import strategies as st

from powerseek import MDP, InvalidMDPError, InvalidParameterError
from powerseek.mdp._arrays import action_order


def same_per_action(a: MDP, b: MDP) -> bool:
    """Same states, same actions per state (in any order) and the same transitions."""
    return a.states == b.states and all(
        set(a.actions_of(s)) == set(b.actions_of(s))
        and all(a.transition(s, x) == b.transition(s, x) for x in a.actions_of(s))
        for s in a.states
    )


@pytest.mark.parametrize("name", catalog.names(levels=False))
def test_catalog_round_trips_through_both_forms(name):
    mdp = catalog.load(name)
    Q, s, a, states, actions = mdp.to_sa_pairs()
    assert Q.shape == (mdp.n_pairs, mdp.n_states) and s.shape == a.shape == (mdp.n_pairs,)
    back = MDP.from_sa_pairs(Q, s, a, states=states, actions=actions)
    assert back.same_dynamics(mdp) and back.actions == mdp.actions
    # shuffled pairs and a dense Q give the same MDP
    order = np.random.default_rng(0).permutation(mdp.n_pairs)
    shuffled = MDP.from_sa_pairs(Q.toarray()[order], s[order], a[order], states=states,
                                 actions=actions)  # fmt: skip
    assert same_per_action(shuffled, mdp)
    for layout in ("ass", "sas"):
        P, available, labels = mdp.to_product(layout)
        again = MDP.from_product(P, layout=layout, available=available, states=states,
                                 actions=labels)  # fmt: skip
        assert same_per_action(again, mdp)


def test_product_forms_agree_with_an_independent_construction():
    # P[a, s, s'] by hand: a 3-state chain, "fwd" moves right with 0.7 (non-dyadic), "stay"
    P = np.zeros((2, 3, 3))
    for s in range(3):
        P[0, s, min(s + 1, 2)] += 0.7
        P[0, s, s] += 0.3
        P[1, s, s] = 1.0
    mdp = MDP.from_product(P, actions=["fwd", "stay"])
    assert mdp.transition(0, "fwd") == {0: 0.3, 1: 0.7}
    assert mdp.transition(2, "fwd") == {2: 1.0}
    sparse = MDP.from_product([sp.csr_matrix(P[0]), sp.csr_matrix(P[1])], actions=["fwd", "stay"])
    T = MDP.from_product(P.transpose(1, 0, 2), layout="sas", actions=["fwd", "stay"])
    assert sparse == mdp == T


def test_masks_and_zero_rows():
    P = np.zeros((2, 2, 2))
    P[0, :, 1] = 1.0  # action 0 goes to state 1
    P[1, 0, 0] = 1.0  # action 1 only in state 0 (state 1's row is zero)
    mdp = MDP.from_product(P)
    assert mdp.actions == ((0, 1), (0,))
    # pymdptoolbox needs stochastic rows everywhere: the mask leaves an action out
    P[1, 1, 1] = 1.0
    masked = MDP.from_product(P, available=[[True, True], [True, False]])
    assert masked == mdp


@given(
    n=st.integers(1, 5),
    m=st.integers(1, 3),
    data=st.data(),
)
def test_random_pair_forms_round_trip(n, m, data):
    rows, s_idx, a_idx = [], [], []
    for s in range(n):
        present = data.draw(st.lists(st.integers(0, m - 1), min_size=1, max_size=m, unique=True))
        for a in present:
            weights = np.array(data.draw(st.lists(st.integers(1, 7), min_size=n, max_size=n)))
            rows.append(weights / weights.sum())  # sevenths: not dyadic
            s_idx.append(s)
            a_idx.append(a)
    mdp = MDP.from_sa_pairs(np.array(rows), s_idx, a_idx)
    for k, (s, a) in enumerate(zip(s_idx, a_idx)):
        row = mdp.transition_matrix[[mdp.pair_index(s, a)]].toarray()[0]
        np.testing.assert_allclose(row, rows[k], rtol=1e-15)  # rows are renormalised
    Q, s2, a2, _, labels = mdp.to_sa_pairs()
    assert MDP.from_sa_pairs(Q, s2, a2, actions=labels) == mdp


def test_action_order():
    assert action_order([("down", "right", "stay"), ("up", "down", "left", "right")]) == (
        "up", "down", "left", "right", "stay"
    )  # fmt: skip
    assert action_order([(1, 0), (0, 1)]) == (1, 0)


BAD_PAIRS = [
    (([[1.0]], [0, 0], [0, 1]), InvalidParameterError, r"`s_indices` must have one entry per row"),
    (([[1.0, 0.0]], [2], [0]), InvalidParameterError, r"`s_indices`\[0\] = 2 is out of range"),
    (([[1.0, 0.0], [0, 1.0]], [0, 1], [0, -1]), InvalidParameterError, r"`a_indices`\[1\] = -1"),
    (([[1.0, 0.0], [0, 1.0]], [0, 0], [0, 0]), InvalidMDPError, r"rows 0 and 1 of `Q` are both"),
    (([[1.0, 0.0]], [0], [0]), InvalidMDPError, r"state 1 \(index 1\) has no row in `Q`"),
    (([[0.9]], [0], [0]), InvalidMDPError, r"out of state 0 under action 0 sum to 0.9, not 1"),
    (([[1.5, -0.5], [0, 1]], [0, 1], [0, 0]), InvalidMDPError, r"to 0 is 1.5; probabilities"),
    (([[np.nan, 1.0]], [0], [0]), InvalidMDPError, r"row 0 of `Q` has a non-finite"),
    (([1.0, 0.0], [0], [0]), InvalidParameterError, r"`Q` must be 2-dimensional"),
    (([[1.0]], [0.5], [0]), InvalidParameterError, r"`s_indices` must hold integers"),
]


@pytest.mark.parametrize("args, error, message", BAD_PAIRS)
def test_bad_pair_arrays(args, error, message):
    with pytest.raises(error, match=message):
        MDP.from_sa_pairs(*args)


def test_a_declared_size_is_checked_before_anything_of_that_size_is_made():
    """A sparse Q declaring 10^9 columns once made 10^9 labels before noticing that most
    states have no row (MemoryError)."""
    import tracemalloc

    import scipy.sparse as sp

    Q = sp.csr_matrix((np.ones(2), ([0, 1], [0, 1])), shape=(2, 10**9))
    tracemalloc.start()
    try:
        with pytest.raises(InvalidMDPError, match=r"state 2 \(index 2\) has no row in `Q` \(2 "
                           r"rows for 1000000000 states\)"):  # fmt: skip
            MDP.from_sa_pairs(Q, [0, 1], [0, 0])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20
    with pytest.raises(InvalidMDPError, match=r"state 'b' \(index 1\) has no row in `Q`:"):
        MDP.from_sa_pairs(np.eye(3), [0, 2, 2], [0, 0, 1], states="abc")


def test_bad_products():
    with pytest.raises(InvalidParameterError, match=r"`P` must be 3-dimensional \(P\[a, s, s'\]\)"):
        MDP.from_product(np.eye(2))
    with pytest.raises(InvalidParameterError, match="square in its state axes"):
        MDP.from_product(np.zeros((2, 2, 3)))
    with pytest.raises(InvalidParameterError, match=r"`available` must have shape .* \(2, 1\)"):
        MDP.from_product(np.ones((1, 2, 2)) / 2, available=np.ones((1, 2), bool))
    with pytest.raises(InvalidMDPError, match=r"state 1 \(index 1\) has no available action"):
        MDP.from_product(np.array([[[1.0, 0.0], [0.0, 0.0]]]))
    with pytest.raises(InvalidMDPError, match=r"state 0, action 1 has a non-finite"):
        MDP.from_product(np.array([[[1.0, 0.0], [0.0, 1.0]], [[np.inf, 0.0], [0.0, 1.0]]]))
    with pytest.raises(InvalidParameterError, match="`layout` must be 'ass'"):
        MDP.from_product(np.ones((1, 1, 1)), layout="sa")


def test_each_state_keeps_the_order_of_its_rows():
    # 2 states x 30 actions, interleaved, each state's actions in a shuffled order
    rng = np.random.default_rng(4)
    orders = [rng.permutation(30), rng.permutation(30)]
    s = np.array([i % 2 for i in range(60)])
    a = np.array([orders[i % 2][i // 2] for i in range(60)])
    Q = np.zeros((60, 2))
    Q[np.arange(60), s] = 1.0
    mdp = MDP.from_sa_pairs(Q, s, a)
    assert mdp.actions_of(0) == tuple(orders[0]) and mdp.actions_of(1) == tuple(orders[1])
