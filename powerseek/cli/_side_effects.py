"""``powerseek side-effects``: how likely an agent is to cause an object level's side effects.

``powerseek side-effects ENV [--gamma G,...] [--rule RULE] [--dist SPEC --samples N]``
prints, for each side effect of the level (``--effects`` to choose), the exact
probability that the agent's trajectory from the start ever enters a state with
it: for the optimal agent of the level's task reward by default, for any
decision rule with ``--rule``, and, with ``--dist``, averaged over rewards drawn
from a distribution (mean ± standard error over the draws).
"""

from __future__ import annotations

import argparse
from typing import TextIO

import numpy as np

from ..exceptions import InvalidParameterError
from ._common import (
    ENV_HELP,
    add_format,
    add_max_work,
    check_positive,
    check_work,
    count,
    parse_gammas,
    seed_from,
    write_json,
)

__all__ = ["add_parser"]


def add_parser(commands) -> None:
    """Add ``side-effects`` to the CLI's subparsers."""
    cmd = commands.add_parser(
        "side-effects",
        help="probability that an agent causes each side effect of an object level",
        description=(
            "For an object level (a .level file, a catalog level, docs/objects.md): the exact "
            "probability that the agent ever causes each side effect, for the optimal agent of "
            "the task reward, any --rule, or rewards drawn from --dist."
        ),
    )
    cmd.add_argument("env", metavar="ENV", help=ENV_HELP)
    cmd.add_argument("--gamma", default=None, metavar="G", help="discounts (default the level's)")
    cmd.add_argument(
        "--rule", metavar="RULE", help="a decision rule, as for `power --rule` (default optimal)"
    )
    cmd.add_argument(
        "--dist",
        metavar="SPEC",
        help="draw the agent's rewards from this distribution (as for `power --dist`) instead "
        "of using the level's task reward",
    )
    cmd.add_argument("--samples", type=count, default=1000, metavar="N", help="draws with --dist")
    cmd.add_argument("--seed", type=int, default=None, metavar="S", help="random seed")
    cmd.add_argument(
        "--effects",
        metavar="NAME,...",
        help="features to report (default the level's side effects)",
    )
    add_max_work(cmd)
    add_format(cmd)
    cmd.set_defaults(run=_run_side_effects)


def _run_side_effects(args: argparse.Namespace, out: TextIO) -> int:
    from ..agents import parse_rule, side_effect_probabilities
    from ..io import load
    from ..mdp import ObjectLevel
    from ..rewards import SamplePlan, parse_distribution

    mdp = load(args.env)
    level = mdp.metadata.get("level")
    if not isinstance(level, ObjectLevel):
        raise InvalidParameterError(
            f"{args.env!r} is not an object level; side effects are features of .level worlds "
            "(e.g. side-effects-sokoban-0, aup-survival; `powerseek list`)."
        )
    if args.gamma is not None:
        gammas = parse_gammas(args.gamma)
    else:
        gammas = list(mdp.metadata.get("gamma", ())) or [0.9]
    for gamma in gammas:
        if not 0 <= gamma < 1:
            raise InvalidParameterError(
                f"--gamma must be in [0, 1) for an episode's task; got {gamma}."
            )
    effects = None if args.effects is None else [e.strip() for e in args.effects.split(",")]
    rule = parse_rule(args.rule) if args.rule else "optimal"
    plan, seed = None, None
    if args.dist is not None:
        check_positive(args.samples, "--samples")
        check_work(mdp.n_states, args.samples, len(gammas), args.max_work)
        seed = seed_from(args.seed)
        plan = SamplePlan(parse_distribution(args.dist, mdp), mdp, args.samples, rng=seed)
    # reward draws a chunk at a time: rewards and policies of about 32 MiB each
    rows = max(1, 2**22 // max(mdp.n_pairs, 1))
    records = []
    for gamma in gammas:
        if plan is None:
            found = side_effect_probabilities(mdp, gamma, rule=rule, side_effects=effects)
        else:
            parts = [
                side_effect_probabilities(
                    mdp, gamma, rewards=plan.draw(blocks), rule=rule, side_effects=effects
                )
                for blocks in plan.chunks(rows)
            ]
            found = {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
        for name, values in found.items():
            n = len(values)
            records.append(
                {
                    "environment": mdp.name,
                    "gamma": gamma,
                    "rule": str(rule),
                    "rewards": "task" if plan is None else args.dist,
                    "side_effect": name,
                    "probability": float(np.mean(values)),
                    "stderr": float(np.std(values, ddof=1) / np.sqrt(n)) if n > 1 else 0.0,
                    "n_samples": n,
                }
            )
    if args.format == "json":
        write_json(records, out)
        return 0
    source = (
        "the task reward" if plan is None else f"{args.samples} draws of {args.dist} (seed {seed})"
    )
    lines = [f"{mdp.name}: side effects of the {rule} agent of {source}", ""]
    lines.append(f"  {'gamma':>6}  {'side effect':<24} {'probability':>11}  {'stderr':>7}")
    for r in records:
        lines.append(
            f"  {r['gamma']:6g}  {r['side_effect']:<24} {r['probability']:11.4f}  "
            f"{r['stderr']:7.4f}"
        )
    out.write("\n".join(lines) + "\n")
    return 0
