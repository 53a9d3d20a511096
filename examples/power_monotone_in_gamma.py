"""A conjecture of your own: POWER never decreases as the agent grows more farsighted.

For every state s, POWER_D(s, γ) ≤ POWER_D(s, γ') for γ < γ' = (1 + γ)/2, under
the case's reward distribution, computed exactly (rational arithmetic).

Run it from the command line:

    powerseek explore examples/power_monotone_in_gamma.py:power_monotone_in_gamma

or from Python (``python examples/power_monotone_in_gamma.py``), which also
sweeps every deterministic MDP on up to 3 states.
"""

from fractions import Fraction

from powerseek.exact import exact_power
from powerseek.explore import Verdict, exhaustive_cases, exhaustive_search, explore


def power_monotone_in_gamma(mdp, dist, gamma):
    """POWER(s, γ) is non-decreasing in γ at every state."""
    gamma = Fraction(gamma)
    if gamma == 1:
        return None  # nothing to compare with
    later = (1 + gamma) / 2
    now, then = exact_power(mdp, gamma, dist=dist), exact_power(mdp, later, dist=dist)
    drops = [(then[s] - now[s], s) for s in mdp.states]
    change, state = min(drops, key=lambda d: d[0])
    detail = f"POWER({state}) = {now[state]} at gamma {gamma}, {then[state]} at {later}"
    return Verdict(change >= 0, detail, float(change), f"gamma={gamma}", float(change))


def main() -> None:
    result = explore(power_monotone_in_gamma, max_examples=100, seed=0)
    print(result.summary())
    print()
    gammas = [Fraction(0), Fraction(1, 2), Fraction(9, 10)]
    result = exhaustive_search(power_monotone_in_gamma, exhaustive_cases(3, gammas=gammas))
    print(result.summary())


if __name__ == "__main__":
    main()
