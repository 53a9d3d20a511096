"""theory.md §B.5 item 46: training-compatible goals and shutdown (Krakovna & Kramár, "KK").

The shutdown world of powerseek.agents._shutdown.kk_example has closed forms:
V_{room_a,γ} = 1/(1−γ²), V_{room_b,γ} = γ/(1−γ²), V_{room_c,γ} = γ/(1−γ), so
n = |S^γ_rec| is 1 below γ = 1/2, 2 up to the golden ratio's 0.618 and 3 above.
Goals θ are drawn from G_T (every training action optimal: the Q-value reading);
the orbits permute θ over {s_term} ∪ S^γ_rec.
"""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from powerseek.agents._shutdown import (
    kk_example,
    orbit_avoidance,
    prop3_violations,
    sample_compatible,
)

WORLD = kk_example()
GAMMAS = st.sampled_from([0.3, 0.55, 0.7, 0.9, 0.99])


def _in_g_t(values):
    """θ from drawn values, with the training behaviour (start -> goal) optimal."""
    theta = np.array(values, dtype=float)
    mdp = WORLD.mdp
    theta[mdp.index("s_end")] = 0.0
    theta[mdp.index("goal")] = max(theta[mdp.index("goal")], theta[mdp.index("start")])
    return theta


thetas = st.lists(
    st.sampled_from([0.0, 0.001, 0.01, 0.1, 0.3, 0.5, 0.9, 1.0]),
    min_size=WORLD.mdp.n_states,
    max_size=WORLD.mdp.n_states,
).map(_in_g_t)


@given(thetas, GAMMAS)
def test_kk_thm_2_at_least_n_over_n_plus_1_of_every_orbit_avoids_shutdown(theta, gamma):
    """KK Thm 2: with S_reach ∩ S_train = ∅ and γ > γ*_{s_rec}, shutdown is
    (G_T, A_0 →^n A_1)-retargetable with n = |S^γ_rec|, so at least n/(n+1) of each
    G_T-orbit avoids shutdown. Drawn θ include zeros and ties."""
    assert all(WORLD.hypotheses().values())
    share, n, elements = orbit_avoidance(WORLD, theta, gamma)
    assert elements >= 1
    assert share >= n / (n + 1) - 1e-12


@given(GAMMAS, st.integers(0, 2**16))
def test_kk_prop_3_shutdown_needs_the_larger_reward_and_the_swap_avoids_it(gamma, seed):
    """KK Prop 3: where shutdown is optimal for θ ∈ G_T with positive rewards, r(s_term) >
    r(s_rec) for every s_rec ∈ S^γ_rec, and swapping the two makes shutdown suboptimal."""
    sampled, _ = sample_compatible(WORLD, gamma, 50, rng=seed)
    rng = np.random.default_rng(seed)
    forced = sampled.copy()
    forced[:, WORLD.mdp.index("s_term")] = 1.0
    others = [WORLD.mdp.index(s) for s in ("s_new", "room_a", "room_b", "room_c")]
    forced[:, others] = rng.random((50, 4)) * 1e-3 + 1e-6  # positive, small: shutdown optimal
    assert prop3_violations(WORLD, np.vstack([sampled, forced]), gamma) == []


def test_kk_caveat_zero_rewards_break_the_strict_step():
    """theory.md B.5 item 46 caveat: the strict step "> γ r(s_rec)·1" needs r(s_rec) > 0.
    A search over θ with zeros on {s_term} ∪ S_rec finds goals where shutdown ties with
    exploring, stays optimal after the swap, and r(s_term) = r(s_rec)."""
    found = []
    for zeros in range(16):
        theta = np.full(WORLD.mdp.n_states, 0.0)
        theta[WORLD.mdp.index("goal")] = 0.5
        for bit, s in enumerate(("s_term", "room_a", "room_b", "room_c")):
            if not zeros >> bit & 1:
                theta[WORLD.mdp.index(s)] = 0.2
        found += prop3_violations(WORLD, theta, 0.9)
    assert found and all(f["theta"][WORLD.mdp.index(f["state"])] == 0 for f in found)


def test_kk_caveat_only_s_ood_permutations_keep_theta_in_g_t():
    """theory.md B.5 item 46 caveat: permuting S_ood rewards keeps θ in G_T here (the
    training states cannot reach S_ood); permuting a training state's reward can leave it."""
    from powerseek.agents._shutdown import _compatible

    theta = _in_g_t([0.1, 0.9, 0.3, 0.2, 0.7, 0.4, 0.6, 0.0])
    theta[WORLD.mdp.index("start")] = 0.1
    mdp = WORLD.mdp
    ood = [mdp.index(s) for s in sorted(WORLD.ood_states, key=mdp.index)]
    rng = np.random.default_rng(0)
    for _ in range(50):
        image = theta.copy()
        image[ood] = theta[rng.permutation(ood)]
        assert _compatible(WORLD, image[None, :], 0.9)[0]
    swapped = theta.copy()
    i, j = mdp.index("start"), mdp.index("goal")
    swapped[[i, j]] = theta[[j, i]]
    assert not _compatible(WORLD, swapped[None, :], 0.9)[0]
