"""``powerseek symmetry``, ``orbit`` and ``check``: symmetries, orbit counts and theorems."""

from __future__ import annotations

import argparse
import sys
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np

from .._validation import label_text
from ..budget import Budget
from ..exceptions import InvalidParameterError
from ._common import (
    DEFAULT_TIME_LIMIT,
    ENV_HELP,
    add_format,
    add_max_work,
    check_positive,
    check_work,
    options_parser,
    parse_gammas,
    seed_from,
    write_json,
)

if TYPE_CHECKING:
    from ..mdp import MDP

__all__ = ["add_parsers"]


def add_parsers(commands) -> None:
    """Add ``symmetry``, ``orbit`` and ``check`` to the CLI's subparsers."""
    pair = options_parser(_add_pair_options)
    bounded = options_parser(_add_search_bounds, add_format)
    symmetry_cmd = commands.add_parser(
        "symmetry",
        parents=[pair, bounded],
        help="find the symmetries power-seeking theorems need (witness permutations)",
        description=(
            "With --states S1 S2: look for an involution phi with phi.F_nd(S2) in F(S1), i.e. S1 "
            "has more options than S2 (Prop 6.6). With --state S --actions A1 A2: look for an "
            "involution fixing S with phi.F(S | A2) in F(S | A1) (Prop 6.9), and report the "
            "reachability and bottleneck conditions. With --automorphisms: list the MDP's "
            "automorphisms."
        ),
    )
    symmetry_cmd.add_argument("env", metavar="ENV", help=ENV_HELP)
    symmetry_cmd.add_argument(
        "--automorphisms",
        action="store_true",
        help="list the permutations mapping the MDP onto itself",
    )
    symmetry_cmd.set_defaults(run=_run_symmetry)

    orbit_cmd = commands.add_parser(
        "orbit",
        parents=[pair],
        help="compare two states' POWER or two actions' optimality over a distribution's orbit",
        description=(
            "Count the elements of the orbit of a reward distribution (all its permutations over "
            "the states, duplicates collapsed) where the first quantity is larger, smaller or "
            "equal: POWER of --states S1 S2, or the optimality probability of --actions A1 A2 at "
            "--state S. Reports whether S1/A1 >=_most S2/A2, the n-fold ratio and the share of "
            "the orbit with >=, against n/(n+1). Orbits are enumerated when small enough and "
            "sampled otherwise. One call compares one pair in one environment; for sweeps over "
            "pairs, rewards or environments, list [[orbit]] jobs in a batch file (`powerseek "
            "batch`, one table, resumable) or call powerseek.symmetry.compare_over_orbit in a "
            "loop (the environment is loaded once)."
        ),
    )
    orbit_cmd.add_argument("env", metavar="ENV", help=ENV_HELP)
    orbit_cmd.add_argument("--gamma", default="0.9", metavar="G", help="discount (default 0.9)")
    orbit_cmd.add_argument(
        "--reward",
        metavar="R1,R2,...",
        help="a point mass: one reward per state, in the order of `powerseek show` (default: a "
        "random one from --seed)",
    )
    orbit_cmd.add_argument(
        "--dist",
        metavar="SPEC",
        help="instead of a point mass, a distribution as for `powerseek power` (a .toml file of "
        "vectors for a finite support)",
    )
    orbit_cmd.add_argument("--seed", type=int, default=None, metavar="S", help="random seed")
    orbit_cmd.add_argument(
        "--samples",
        type=int,
        default=2000,
        metavar="N",
        help="Monte Carlo samples per element for continuous distributions",
    )
    add_max_work(orbit_cmd, "2 compared functions, per orbit element")
    add_format(orbit_cmd)
    orbit_cmd.set_defaults(run=_run_orbit)

    check_cmd = commands.add_parser(
        "check",
        parents=[pair, bounded],
        help="which power-seeking theorems apply to two states or two actions, verified",
        description=(
            "Report, for --states S1 S2 or --state S --actions A1 A2, which theorems of Turner et "
            "al. apply (Prop 6.6, Prop 6.9, RDSP Thm D.11), with their witness permutations, "
            "what they predict, and numerical verifications: per-sample transport inequalities, "
            "orbit counts for random point masses, and the IID margin in standard errors. Exits "
            "with status 3 if a verification fails (a bug or a false hypothesis). For many pairs, "
            "list [[check]] jobs in a batch file (`powerseek batch`) or call "
            "powerseek.symmetry.check_states / check_actions in a loop."
        ),
    )
    check_cmd.add_argument("env", metavar="ENV", help=ENV_HELP)
    check_cmd.add_argument(
        "--gamma",
        default="0.1,0.5,0.9",
        metavar="G",
        help="discounts for the transport checks (default 0.1,0.5,0.9)",
    )
    check_cmd.add_argument(
        "--samples",
        type=int,
        default=2000,
        metavar="N",
        help="reward samples for the transport and IID checks (default 2000)",
    )
    check_cmd.add_argument(
        "--orbits",
        type=int,
        default=3,
        metavar="K",
        help="random point masses whose orbits are counted (default 3)",
    )
    check_cmd.add_argument("--seed", type=int, default=None, metavar="S", help="random seed")
    add_max_work(check_cmd)
    check_cmd.add_argument(
        "--rule",
        metavar="RULE",
        help="with --state/--actions: also check RDSP's retargetability (Def 3.5, Thm 3.6) of "
        "a decision rule's choice, e.g. boltzmann:0.1 or q-learning:episodes=200,epsilon=0.1",
    )
    check_cmd.set_defaults(run=_run_check)


def _add_search_bounds(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        metavar="SECONDS",
        help=f"give up, saying where, after this many wall-clock seconds (default "
        f"{DEFAULT_TIME_LIMIT:g} unless --cpu-limit is given; 0 for no limit): the searches grow "
        "exponentially with the MDP",
    )
    parser.add_argument(
        "--cpu-limit",
        type=float,
        default=None,
        metavar="SECONDS",
        help="give up after this much CPU time of the process (0 for no limit): unlike "
        "wall-clock time, the same limit gets as far on a loaded machine as on an idle one",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _search_bounds(args: argparse.Namespace) -> dict[str, Any]:
    for option, value in (("--time-limit", args.time_limit), ("--cpu-limit", args.cpu_limit)):
        if value is not None and not value >= 0:
            raise InvalidParameterError(
                f"{option} must be a non-negative number of seconds; got {value}."
            )
    wall = args.time_limit
    if wall is None and args.cpu_limit is None:
        wall = DEFAULT_TIME_LIMIT
    return {
        "time_limit": wall or None,  # 0: no limit
        "cpu_limit": args.cpu_limit or None,
        "progress": False if args.quiet else None,
    }


def _add_pair_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--states", nargs=2, metavar=("S1", "S2"), help="two states to compare")
    parser.add_argument("--state", metavar="S", help="the state whose actions to compare")
    parser.add_argument("--actions", nargs=2, metavar=("A1", "A2"), help="two actions of --state")


def _pair(args: argparse.Namespace, mdp: MDP, *, required: bool = True):
    """("states", s1, s2) or ("actions", s, a1, a2) from the command line."""
    from ..mdp import parse_action, parse_state

    if args.states and (args.state or args.actions):
        raise InvalidParameterError("give either --states S1 S2 or --state S --actions A1 A2.")
    if args.states:
        return ("states", parse_state(mdp, args.states[0]), parse_state(mdp, args.states[1]))
    if args.state and args.actions:
        state = parse_state(mdp, args.state)
        return (
            "actions",
            state,
            parse_action(mdp, state, args.actions[0]),
            parse_action(mdp, state, args.actions[1]),
        )
    if required:
        raise InvalidParameterError(
            "say what to compare: --states S1 S2, or --state S --actions A1 A2."
        )
    return None


def _run_symmetry(args: argparse.Namespace, out: TextIO) -> int:
    from ..io import load
    from ..symmetry import automorphisms, find_action_copy, find_state_copy

    mdp = load(args.env)
    if args.automorphisms:
        found = automorphisms(mdp)
        if args.format == "json":
            write_json(
                {
                    "environment": mdp.name,
                    "automorphisms": [
                        [[label_text(s) for s in c] for c in phi.cycles()] for phi in found
                    ],
                },
                out,
            )
        else:
            out.write(f"{mdp.name}: {len(found)} automorphisms\n")
            for phi in found:
                out.write(f"  {phi!r}\n")
        return 0
    pair = _pair(args, mdp)
    budget = Budget(**_search_bounds(args))
    if pair[0] == "states":
        result = find_state_copy(mdp, pair[1], pair[2], budget=budget)
        question = (
            f"does {label_text(pair[1])} have more options than {label_text(pair[2])} (Prop 6.6)?"
        )
    else:
        result = find_action_copy(mdp, pair[1], pair[2], pair[3], budget=budget)
        question = (
            f"does {label_text(pair[2])} keep more options open than "
            f"{label_text(pair[3])} at {label_text(pair[1])} (Prop 6.9)?"
        )
    if args.format == "json":
        write_json({"environment": mdp.name, "question": question, **result.to_dict()}, out)
        return 0
    lines = [f"{mdp.name}: {question}", f"  {'yes' if result.found else 'no'}: {result.reason}"]
    if result.found:
        lines.append(f"  witness: {result.permutation!r}")
        lines.append(
            f"  strict (an extra non-dominated option): {'yes' if result.strict else 'no'}"
        )
    for key in ("revisits_state_after_other", "bottleneck"):
        if key in result.details:
            lines.append(f"  {key.replace('_', ' ')}: {'yes' if result.details[key] else 'no'}")
    out.write("\n".join(lines) + "\n")
    return 0


def _run_orbit(args: argparse.Namespace, out: TextIO) -> int:
    from ..io import load
    from ..rewards import FiniteSupport, parse_distribution
    from ..symmetry import action_optimality, compare_over_orbit, power_of

    mdp = load(args.env)
    pair = _pair(args, mdp)
    gamma = parse_gammas(args.gamma)
    if len(gamma) != 1:
        raise InvalidParameterError(f"--gamma must be one value; got {args.gamma!r}.")
    gamma = gamma[0]
    seed = seed_from(args.seed)
    check_positive(args.samples, "--samples")
    # per orbit element, the two compared functions are solved on every sample
    check_work(mdp.n_states, args.samples, 2, args.max_work, runs="compared functions",
               fewer="samples")  # fmt: skip
    if args.dist is not None and args.reward is not None:
        raise InvalidParameterError("give either --reward or --dist, not both.")
    if args.dist is not None:
        dist = parse_distribution(args.dist, mdp)
    elif args.reward is not None:
        values = _reward_values(args.reward, mdp)
        dist = FiniteSupport([values])
    else:
        dist = FiniteSupport([np.random.default_rng(seed).random(mdp.n_states).round(6)])
    if pair[0] == "states":
        f1, f2 = power_of(mdp, pair[1], gamma), power_of(mdp, pair[2], gamma)
    else:
        f1 = action_optimality(mdp, pair[1], pair[2], gamma)
        f2 = action_optimality(mdp, pair[1], pair[3], gamma)
    result = compare_over_orbit(mdp, dist, f1, f2, rng=seed, n_samples=args.samples)
    document = {
        "environment": mdp.name,
        "gamma": gamma,
        "distribution": dist.describe(),
        "seed": seed,
        **result.to_dict(),
    }
    if args.format == "json":
        write_json(document, out)
        return 0
    n = result.n_fold()
    lines = [
        f"{mdp.name}: {result.f1} vs {result.f2} over the orbit of {dist.describe()}",
        f"  orbit: {result.orbit_size} elements, {result.method}",
        f"  f1 > f2: {result.greater}   f1 < f2: {result.less}   neither: {result.equal}",
        f"  f1 >=_most f2: {'yes' if result.most else 'no'}; n-fold: "
        + ("every element (n unbounded)" if n == float("inf") else f"n = {n:.4g}"),
        f"  share with f1 >= f2: {result.fraction:.4f}"
        + (
            f" (95% interval {result.fraction_interval[0]:.4f}-{result.fraction_interval[1]:.4f})"
            if result.fraction_interval
            else ""
        ),
    ]
    if result.counterexample is not None:
        lines.append(f"  an element with f1 < f2: {np.round(result.counterexample, 6).tolist()}")
    out.write("\n".join(lines) + "\n")
    return 0


def _reward_values(text: str, mdp: MDP) -> list[float]:
    try:
        values = [float(Fraction(part.strip())) for part in text.split(",")]
    except (ValueError, ZeroDivisionError):
        raise InvalidParameterError(
            f"--reward must be numbers separated by commas, one per state; got {text!r}."
        ) from None
    except OverflowError:
        raise InvalidParameterError(
            f"--reward values must be finite floating-point numbers; got {text!r}."
        ) from None
    if len(values) != mdp.n_states:
        raise InvalidParameterError(
            f"--reward needs one value per state ({mdp.n_states}, in the order of `powerseek "
            f"show`); got {len(values)}."
        )
    return values


def _run_check(args: argparse.Namespace, out: TextIO) -> int:
    from ..io import load
    from ..symmetry import check_actions, check_states

    mdp = load(args.env)
    pair = _pair(args, mdp)
    seed = seed_from(args.seed)
    check_positive(args.samples, "--samples")
    gammas = parse_gammas(args.gamma)
    check_work(mdp.n_states, args.samples, len(gammas), args.max_work)
    options = {
        "gammas": gammas,
        "n_samples": args.samples,
        "n_orbits": args.orbits,
        "rng": seed,
        **_search_bounds(args),
    }
    rule = None
    if args.rule is not None:
        from ..agents import parse_rule

        rule = parse_rule(args.rule)
        if pair[0] == "states":
            raise InvalidParameterError(
                "--rule compares a decision rule's choice between two actions; give "
                "--state S --actions A1 A2 instead of --states."
            )
    if pair[0] == "states":
        report = check_states(mdp, pair[1], pair[2], **options)
    else:
        report = check_actions(mdp, pair[1], pair[2], pair[3], rule=rule, **options)
    comparison = _numeric_comparison(mdp, pair, gammas, args.samples, seed)
    if args.format == "json":
        write_json({**report.to_dict(), "seed": seed, "comparison": comparison}, out)
    else:
        out.write(report.describe())
        out.write(_comparison_text(comparison, args.samples))
        out.write(f"(seed {seed})\n")
    if report.failed:
        print("powerseek: a verification FAILED; see the counterexample above.", file=sys.stderr)
        return 3
    return 0


def _numeric_comparison(mdp, pair, gammas, n_samples: int, seed: int) -> list[dict]:
    """The two quantities' difference at each discount, on common samples, whatever applies."""
    from .._validation import label_text
    from ..analysis import compare_optimality, compare_power

    rows = []
    for gamma in gammas:
        if pair[0] == "states":
            first, second = pair[1], pair[2]
            result = compare_power(mdp, gamma, [first, second], n_samples=n_samples, rng=seed)
        else:
            first, second = pair[2], pair[3]
            result = compare_optimality(mdp, pair[1], gamma, n_samples=n_samples, rng=seed)
        d, se = result.difference(first, second)
        rows.append({
            "gamma": gamma,
            "quantity": result.quantity,
            "first": label_text(first),
            "second": label_text(second),
            "difference": d,
            "stderr": se,
            "independent_stderr": result.independent_stderr(first, second),
            "p_value": float(
                result.p_values("none")[result.labels.index(first), result.labels.index(second)]
            ),
        })  # fmt: skip
    return rows


def _comparison_text(rows: list[dict], n_samples: int) -> str:
    what = "POWER" if rows[0]["quantity"] == "power" else "P(optimal)"
    lines = [
        "",
        f"Numeric comparison ({what}, {n_samples} common samples at each gamma; the paired "
        "standard error, and in brackets what independent estimates would give):",
    ]
    for row in rows:
        lines.append(
            f"  gamma {row['gamma']:g}: {what}({row['first']}) - {what}({row['second']}) = "
            f"{row['difference']:+.4f} ± {row['stderr']:.4f} (± {row['independent_stderr']:.4f}), "
            f"two-sided p {row['p_value']:.2g}"
        )
    return "\n".join(lines) + "\n"
