"""Impact: attainable utility, penalties and the ablation, against per-reward value iteration.

Side by side in one run, CPU seconds (``time.process_time``):

1. ``side-effects-sokoban-2`` with a no-op action added (the AUP levels' rule; the
   stepwise penalty compares each action with it): the attainable utility of 30
   auxiliary rewards at γ = 0.996 (``attainable_utility``, one batched solve), the AUP
   penalty of every state-action pair, and the penalised-optimal policy; against
   value iteration of each auxiliary reward on its own (numpy sweeps from 0, stopped
   at the same certified tolerance), timed on ``--baseline`` of the rewards and
   scaled to 30.
2. The ablation (``ablation()``: nine levels, seven agents, 100 draws of 30 auxiliary
   rewards), and its attainable-utility solves for ``--draws`` draws per level done
   both ways.

    python benchmarks/bench_impact.py
    python benchmarks/bench_impact.py --quick      # the Sokoban part only
"""

import argparse
import dataclasses
import time

import numpy as np

from powerseek import load
from powerseek.impact import (
    ABLATION_LEVELS,
    ablation,
    attainable_utility,
    aup_penalty,
    episode_ends,
    penalized_policy,
)
from powerseek.io import catalog_path, parse_level
from powerseek.solvers import segment_max

GAMMA = 0.996
TOL = 1e-9  # on the (1 − γ)·V scale, as the engine's default


def value_iteration(mdp, rewards):
    """V* of each reward row on its own: sweeps from 0 until γ‖ΔV‖ ≤ TOL."""
    ends = episode_ends(mdp)
    out = []
    for r in rewards:
        paid = np.where(ends, r * (1 - GAMMA), r)
        V = np.zeros(mdp.n_states)
        while True:
            new = paid + GAMMA * segment_max(V[mdp.successor_indices][:, None], mdp)[:, 0]
            change = np.abs(new - V).max()
            V = new
            if GAMMA * change <= TOL:
                break
        out.append(V)
    return np.array(out)


def cpu(call):
    start = time.process_time()
    value = call()
    return value, time.process_time() - start


def sokoban(baseline_rewards):
    path = catalog_path() / "side-effects-sokoban-2.level"
    level = dataclasses.replace(parse_level(path.read_text(), str(path), path.stem), noop=True)
    mdp = level.compile()
    au, t_au = cpu(lambda: attainable_utility(mdp, GAMMA, n_aux=30, rng=0))
    penalty, t_pen = cpu(lambda: aup_penalty(au, mdp))
    agent, t_pol = cpu(lambda: penalized_policy(mdp, GAMMA, penalty, lam=1 / 1.501))
    V, t_vi = cpu(lambda: value_iteration(mdp, au.rewards[:baseline_rewards]))
    gap = float(np.abs(V - au.values[:baseline_rewards]).max() * (1 - GAMMA))
    per_reward = t_vi / baseline_rewards
    print(f"side-effects-sokoban-2 with a no-op: {mdp.n_states:,} states, {mdp.n_pairs:,} pairs")
    print(f"  attainable utility, 30 rewards (batched):  {t_au:7.2f} s CPU")
    print(f"  AUP penalty of every pair:                 {t_pen:7.2f} s CPU")
    print(f"  penalised-optimal policy ({agent.iterations} iterations):   {t_pol:7.2f} s CPU")
    print(
        f"  value iteration, one reward at a time:     {per_reward * 30:7.2f} s CPU for 30 "
        f"({per_reward:.2f} s each, timed on {baseline_rewards}); ratio "
        f"{per_reward * 30 / t_au:.0f}x; (1 - gamma)|dV| = {gap:.1e}"
    )


def ablation_grid(draws):
    t_batched = t_vi = 0.0
    for name in ABLATION_LEVELS:
        mdp = load(name)
        for d in range(draws):
            rng = np.random.default_rng([0, d])
            au, t = cpu(lambda mdp=mdp, rng=rng: attainable_utility(mdp, GAMMA, n_aux=30, rng=rng))
            t_batched += t
            _, t = cpu(lambda mdp=mdp, au=au: value_iteration(mdp, au.rewards))
            t_vi += t
    table, t_all = cpu(lambda: ablation(draws=100))
    print("the ablation: 9 levels, 7 agents, 100 draws of 30 auxiliary rewards")
    print(f"  whole table:                               {t_all:7.2f} s CPU")
    print(
        f"  its solves, {draws} draws per level: batched {t_batched:.2f} s CPU, "
        f"value iteration one reward at a time {t_vi:.2f} s CPU; ratio {t_vi / t_batched:.0f}x"
    )
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="the Sokoban part only")
    parser.add_argument("--baseline", type=int, default=3, help="rewards value iteration times")
    parser.add_argument("--draws", type=int, default=3, help="draws per level timed both ways")
    args = parser.parse_args()
    sokoban(args.baseline)
    if not args.quick:
        ablation_grid(args.draws)


if __name__ == "__main__":
    main()
