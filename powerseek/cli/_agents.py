"""``powerseek shutdown``: Krakovna & Kramár's training-compatible goals and shutdown.

``powerseek shutdown [ENV --training S:A,... --option A:S,...] --gamma G,...``
builds the shutdown setting (a new state offering a shutdown action and the
``--option`` actions), draws rewards uniformly from the training-compatible
set G_T (the Q-value reading: every ``--training`` action optimal) and reports
the probability of avoiding shutdown against γ with standard errors, the
acceptance rate of the rejection sampling, the recurrent states' γ* and KK
Thm 2's orbit bound n/(n+1). Without ENV it analyses the built-in example.
"""

from __future__ import annotations

import argparse
from typing import TextIO

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
    """Add ``shutdown`` to the CLI's subparsers."""
    cmd = commands.add_parser(
        "shutdown",
        help="probability that a training-compatible goal avoids shutdown (Krakovna & Kramar)",
        description=(
            "KK's shutdown setting: rewards drawn uniformly from the goals compatible with a "
            "training run (every training action optimal), and how often a new state's "
            "shutdown action is avoided, against gamma. Without ENV: the built-in example "
            "(docs/bounded-agents.md)."
        ),
    )
    cmd.add_argument("env", metavar="ENV", nargs="?", help=ENV_HELP + " (default the example)")
    cmd.add_argument(
        "--training",
        metavar="S:A,...",
        help="the training behaviour: state:action pairs, states as `powerseek show` prints them",
    )
    cmd.add_argument(
        "--option",
        metavar="A:S,...",
        help="the new state's actions besides shutdown: action:successor pairs",
    )
    cmd.add_argument("--gamma", default="0.3,0.5,0.7,0.9,0.99", metavar="G", help="discounts")
    cmd.add_argument(
        "--samples", type=count, default=4000, metavar="N", help="accepted goals per gamma"
    )
    cmd.add_argument("--seed", type=int, default=None, metavar="S", help="random seed")
    add_max_work(cmd)
    add_format(cmd)
    cmd.set_defaults(run=_run_shutdown)


def _pairs(text: str, option: str) -> list[tuple[str, str]]:
    pairs = []
    for item in text.split(","):
        left, sep, right = item.strip().rpartition(":")
        if not sep or not left or not right:
            raise InvalidParameterError(
                f"{option} expects X:Y pairs separated by commas; got {item!r}."
            )
        pairs.append((left.strip(), right.strip()))
    return pairs


def _world(args: argparse.Namespace):
    from ..agents import kk_example, shutdown_world
    from ..io import load
    from ..mdp import parse_action, parse_state

    if args.env is None:
        if args.training or args.option:
            raise InvalidParameterError(
                "--training and --option need ENV (the example has its own)."
            )
        return kk_example()
    if not args.training or not args.option:
        raise InvalidParameterError("with ENV, give --training S:A,... and --option A:S,....")
    mdp = load(args.env)
    training = {}
    for s, a in _pairs(args.training, "--training"):
        state = parse_state(mdp, s)
        training[state] = parse_action(mdp, state, a)
    options = {a: parse_state(mdp, s) for a, s in _pairs(args.option, "--option")}
    return shutdown_world(mdp, training, options)


def _run_shutdown(args: argparse.Namespace, out: TextIO) -> int:
    from .._validation import label_text
    from ..agents import shutdown_avoidance

    check_positive(args.samples, "--samples")
    seed = seed_from(args.seed)
    world = _world(args)
    gammas = parse_gammas(args.gamma)
    check_work(world.mdp.n_states, args.samples, len(gammas), args.max_work)
    result = shutdown_avoidance(world, gammas, n_samples=args.samples, rng=seed)
    if args.format == "json":
        write_json({"environment": world.mdp.name, "seed": seed, **result.to_dict()}, out)
        return 0
    lines = [
        f"{world.mdp.name}: shutdown at {label_text(world.new_state)}; goals uniform on G_T "
        f"(training actions optimal: the Q-value reading), {args.samples} per gamma, seed {seed}",
        "hypotheses: "
        + ", ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in result.hypotheses.items()),
        "recurrent states reachable: "
        + ", ".join(f"{label_text(s)} (gamma* {g:.4g})" for s, g in result.critical.items()),
        "",
        f"  {'gamma':>6}  {'P(avoid)':>9}  {'stderr':>7}  {'n':>3}  {'n/(n+1)':>8}  accepted",
    ]
    for g, p, se, n, b, a in zip(
        result.gammas,
        result.avoid,
        result.stderr,
        result.n_recurrent,
        result.bound,
        result.acceptance,
    ):
        lines.append(f"  {g:6g}  {p:9.4f}  {se:7.4f}  {n:3d}  {b:8.4f}  {a:.1%}")
    out.write("\n".join(lines) + "\n")
    return 0
