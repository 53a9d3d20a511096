"""The ``powerseek`` command line.

Thin by design: it parses arguments, calls the library and prints. Every
command takes ``ENV``, a catalog name (``powerseek list``) or the path of an
environment file (``.toml``, ``.grid`` or node-link ``.json``). User mistakes
print one line, ``powerseek: error: ...``, to stderr and exit with status 1
(2 for a malformed command line), without a traceback.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import textwrap
import warnings
from collections.abc import Hashable, Sequence
from fractions import Fraction
from typing import Any, TextIO

import numpy as np

from . import __version__, cli_explore, cli_plot, cli_sweep, gridworld, parallel
from ._cli_common import (
    DEFAULT_MAX_WORK,
    DEFAULT_TIME_LIMIT,
    check_positive,
    check_tol,
    check_work,
    parse_exact_gammas,
    parse_gammas,
    plain,
    seed_from,
)
from ._cli_common import ENV_HELP as _ENV_HELP
from ._validation import label_text
from .budget import Budget
from .distspec import parse_distribution
from .environments import list_environments, load, save
from .exact import exact_optimality, exact_power
from .exceptions import InvalidParameterError, PowerseekError
from .files import check_output_folder
from .labels import parse_action, parse_state
from .mdp import MDP
from .optimality import OptimalityResult, optimality_sweep
from .orbits import action_optimality, compare_over_orbit, power_of
from .power import PowerSweepResult, power_sweep
from .rewards import FiniteSupport
from .structure import summarize
from .symmetry import automorphisms, find_action_copy, find_state_copy
from .theorems import check_actions, check_states
from .visits import format_function, nondominated, visit_distributions

__all__ = ["main", "parse_exact_gammas", "parse_gammas"]

_LISTING_LIMIT = 40


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    if args.command is None:
        parser.print_help()
        return 0
    caught: list[warnings.WarningMessage] = []
    try:
        # Warnings are held until the command ends: a failing command prints its
        # one-line error alone, a succeeding one its warnings after the output.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            status = args.run(args, sys.stdout)
        _print_warnings(caught)
        return status
    except PowerseekError as exc:
        print(f"powerseek: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # pragma: no cover - output piped into `head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        where = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
        print(f"powerseek: error: cannot access{where}: {exc.strerror or exc}.", file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        print("powerseek: interrupted", file=sys.stderr)
        return 130


def _print_warnings(caught: list[warnings.WarningMessage]) -> None:
    """Each distinct warning once, as one line."""
    seen = set()
    for warning in caught:
        text = f"powerseek: warning: {warning.message}"
        if text not in seen:
            seen.add(text)
            print(text, file=sys.stderr)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="powerseek",
        description=(
            "Analyse power-seeking in Markov decision processes (Turner et al.). "
            "Start with `powerseek list` to see the bundled environments and "
            "`powerseek show ENV` to inspect one."
        ),
        epilog="Run `powerseek COMMAND --help` for the options of a command.",
    )
    parser.add_argument("--version", action="version", version=f"powerseek {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    listing = commands.add_parser(
        "list",
        help="list the catalog of bundled environments",
        description="List the catalog of bundled environments from the literature.",
    )
    _add_format(listing)
    listing.set_defaults(run=_run_list)

    show = commands.add_parser(
        "show",
        help="describe an environment: states, actions, structure, map",
        description=(
            "Describe an environment: its source, number of states and actions, whether it is "
            "deterministic, terminal states and reachability, the map of a gridworld and the "
            "transitions of each state."
        ),
    )
    show.add_argument("env", metavar="ENV", help=_ENV_HELP)
    show.add_argument(
        "--all",
        action="store_true",
        help=f"list the transitions of every state (by default only up to {_LISTING_LIMIT} states)",
    )
    _add_format(show)
    show.set_defaults(run=_run_show)

    convert = commands.add_parser(
        "convert",
        help="save an environment in another file format",
        description=(
            "Read ENV and write it to OUTPUT, in the format given by OUTPUT's suffix: .toml "
            "(string labels), .grid (gridworlds) or .json (networkx node-link)."
        ),
    )
    convert.add_argument("env", metavar="ENV", help=_ENV_HELP)
    convert.add_argument("output", metavar="OUTPUT", help="file to write (.toml, .grid or .json)")
    convert.set_defaults(run=_run_convert)

    power_cmd = commands.add_parser(
        "power",
        help="estimate POWER of every state, with standard errors",
        description=(
            "Estimate POWER_D(s, gamma) of every state (Turner et al. 2021, Def 5.2) by Monte "
            "Carlo over reward samples, with standard errors. Several gamma values share the "
            "same samples."
        ),
    )
    power_cmd.add_argument("env", metavar="ENV", help=_ENV_HELP)
    _add_analysis_options(power_cmd)
    power_cmd.set_defaults(run=_run_power)

    optimality_cmd = commands.add_parser(
        "optimality",
        help="estimate how often each action is optimal",
        description=(
            "Estimate the optimality probability P_D(s, a, gamma) of each action of a state "
            "(Def 4.4: ties count for every tied action; their share is the tie mass). At "
            "gamma = 1 optimality is Blackwell optimality, at gamma = 0 its lexicographic "
            "counterpart."
        ),
    )
    optimality_cmd.add_argument("env", metavar="ENV", help=_ENV_HELP)
    optimality_cmd.add_argument(
        "--state",
        metavar="S",
        help="the state, as `powerseek show` prints it (e.g. start or '(2, 3)'); all states "
        "if omitted",
    )
    _add_analysis_options(optimality_cmd)
    optimality_cmd.set_defaults(run=_run_optimality)

    visits_cmd = commands.add_parser(
        "visits",
        help="list a state's visit distributions as rational functions of gamma",
        description=(
            "List F(s), the visit distribution functions of a state (Turner et al. 2021, "
            "Def 3.3): each as its walk (deterministic MDPs) or policy, as exact rational "
            "functions of gamma, and numerically at --gamma; non-dominated ones (Def 3.6) are "
            "marked, and --nondominated keeps only those."
        ),
    )
    visits_cmd.add_argument("env", metavar="ENV", help=_ENV_HELP)
    visits_cmd.add_argument("--state", required=True, metavar="S", help="the state")
    visits_cmd.add_argument(
        "--gamma",
        default="0.9",
        metavar="G",
        help="discount at which to print the values (default 0.9; a fraction like 9/10 prints "
        "exact values too)",
    )
    visits_cmd.add_argument(
        "--nondominated", action="store_true", help="only the non-dominated functions, F_nd(s)"
    )
    _add_format(visits_cmd)
    visits_cmd.set_defaults(run=_run_visits)

    symmetry_cmd = commands.add_parser(
        "symmetry",
        help="find the symmetries power-seeking theorems need (witness permutations)",
        description=(
            "With --states S1 S2: look for an involution phi with phi.F_nd(S2) in F(S1), i.e. S1 "
            "has more options than S2 (Prop 6.6). With --state S --actions A1 A2: look for an "
            "involution fixing S with phi.F(S | A2) in F(S | A1) (Prop 6.9), and report the "
            "reachability and bottleneck conditions. With --automorphisms: list the MDP's "
            "automorphisms."
        ),
    )
    symmetry_cmd.add_argument("env", metavar="ENV", help=_ENV_HELP)
    _add_pair_options(symmetry_cmd)
    symmetry_cmd.add_argument(
        "--automorphisms",
        action="store_true",
        help="list the permutations mapping the MDP onto itself",
    )
    _add_search_bounds(symmetry_cmd)
    _add_format(symmetry_cmd)
    symmetry_cmd.set_defaults(run=_run_symmetry)

    orbit_cmd = commands.add_parser(
        "orbit",
        help="compare two states' POWER or two actions' optimality over a distribution's orbit",
        description=(
            "Count the elements of the orbit of a reward distribution (all its permutations over "
            "the states, duplicates collapsed) where the first quantity is larger, smaller or "
            "equal: POWER of --states S1 S2, or the optimality probability of --actions A1 A2 at "
            "--state S. Reports whether S1/A1 >=_most S2/A2, the n-fold ratio and the share of "
            "the orbit with >=, against n/(n+1). Orbits are enumerated when small enough and "
            "sampled otherwise."
        ),
    )
    orbit_cmd.add_argument("env", metavar="ENV", help=_ENV_HELP)
    _add_pair_options(orbit_cmd)
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
    _add_format(orbit_cmd)
    orbit_cmd.set_defaults(run=_run_orbit)

    check_cmd = commands.add_parser(
        "check",
        help="which power-seeking theorems apply to two states or two actions, verified",
        description=(
            "Report, for --states S1 S2 or --state S --actions A1 A2, which theorems of Turner et "
            "al. apply (Prop 6.6, Prop 6.9, RDSP Thm D.11), with their witness permutations, "
            "what they predict, and numerical verifications: per-sample transport inequalities, "
            "orbit counts for random point masses, and the IID margin in standard errors. Exits "
            "with status 3 if a verification fails (a bug or a false hypothesis)."
        ),
    )
    check_cmd.add_argument("env", metavar="ENV", help=_ENV_HELP)
    _add_pair_options(check_cmd)
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
    _add_search_bounds(check_cmd)
    _add_format(check_cmd)
    check_cmd.set_defaults(run=_run_check)

    cli_explore.add_parser(commands)
    cli_plot.add_parsers(commands)
    cli_sweep.add_parser(commands)
    return parser


def _add_search_bounds(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--time-limit",
        type=float,
        default=DEFAULT_TIME_LIMIT,
        metavar="SECONDS",
        help="give up, saying where, after this long (default %(default)g; 0 for no limit): "
        "the searches grow exponentially with the MDP",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _search_bounds(args: argparse.Namespace) -> dict[str, Any]:
    if not args.time_limit >= 0:
        raise InvalidParameterError(
            f"--time-limit must be a non-negative number of seconds; got {args.time_limit}."
        )
    return {
        "time_limit": args.time_limit or None,
        "progress": False if args.quiet else None,
    }


def _add_pair_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--states", nargs=2, metavar=("S1", "S2"), help="two states to compare")
    parser.add_argument("--state", metavar="S", help="the state whose actions to compare")
    parser.add_argument("--actions", nargs=2, metavar=("A1", "A2"), help="two actions of --state")


def _pair(args: argparse.Namespace, mdp: MDP, *, required: bool = True):
    """("states", s1, s2) or ("actions", s, a1, a2) from the command line."""
    if args.states and (args.state or args.actions):
        raise InvalidParameterError("Give either --states S1 S2 or --state S --actions A1 A2.")
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
            "Say what to compare: --states S1 S2, or --state S --actions A1 A2."
        )
    return None


def _run_symmetry(args: argparse.Namespace, out: TextIO) -> int:
    mdp = load(args.env)
    if args.automorphisms:
        found = automorphisms(mdp)
        if args.format == "json":
            _write_json(
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
        _write_json({"environment": mdp.name, "question": question, **result.to_dict()}, out)
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
    mdp = load(args.env)
    pair = _pair(args, mdp)
    gamma = parse_gammas(args.gamma)
    if len(gamma) != 1:
        raise InvalidParameterError(f"--gamma must be one value; got {args.gamma!r}.")
    gamma = gamma[0]
    seed = seed_from(args.seed)
    if args.dist is not None and args.reward is not None:
        raise InvalidParameterError("Give either --reward or --dist, not both.")
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
        _write_json(document, out)
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
    mdp = load(args.env)
    pair = _pair(args, mdp)
    seed = seed_from(args.seed)
    options = {
        "gammas": parse_gammas(args.gamma),
        "n_samples": args.samples,
        "n_orbits": args.orbits,
        "rng": seed,
        **_search_bounds(args),
    }
    if pair[0] == "states":
        report = check_states(mdp, pair[1], pair[2], **options)
    else:
        report = check_actions(mdp, pair[1], pair[2], pair[3], **options)
    if args.format == "json":
        _write_json({**report.to_dict(), "seed": seed}, out)
    else:
        out.write(report.describe())
        out.write(f"(seed {seed})\n")
    if report.failed:
        print("powerseek: a verification FAILED; see the counterexample above.", file=sys.stderr)
        return 3
    return 0


def _add_analysis_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--max-work",
        type=float,
        default=None,
        metavar="W",
        help=f"refuse runs of more than W state-samples (states x samples x discounts; "
        f"default {DEFAULT_MAX_WORK:.0e}, about an hour on one core)",
    )
    parser.add_argument(
        "--gamma",
        required=True,
        metavar="G",
        help="discount in [0, 1]; a list 0.1,0.5,0.9 or a range START:STOP:COUNT (0:1:11) "
        "sweeps on common samples; 0 and 1 are the limits",
    )
    parser.add_argument(
        "--samples",
        type=int,
        default=10_000,
        metavar="N",
        help="number of reward samples (default 10000)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        metavar="S",
        help="random seed (default: a fresh one, printed with the results)",
    )
    parser.add_argument(
        "--dist",
        default="uniform",
        metavar="SPEC",
        help="reward distribution: uniform, uniform(a,b), bernoulli(p), beta(a,b), any "
        "scipy.stats name, per-state overrides 'uniform; STATE=DIST', or a .toml file "
        "(default: IID uniform on [0, 1]; see docs/cli.md)",
    )
    parser.add_argument(
        "--qmc",
        action="store_true",
        help="randomised quasi-Monte Carlo (scrambled Sobol'), standard errors from 16 replicates",
    )
    parser.add_argument(
        "--method",
        default="auto",
        choices=("auto", "policy-iteration", "extrapolated-value-iteration", "value-iteration"),
        help="solver (default auto: policy iteration if deterministic, else extrapolated value "
        "iteration)",
    )
    parser.add_argument(
        "--tol",
        type=float,
        default=1e-9,
        help="solver error bound on the POWER scale (default 1e-9)",
    )
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=None,
        metavar="N",
        help="samples solved at once (default: from a 256 MiB memory budget)",
    )
    parser.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="output format (default: table)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="run the sample chunks on a local Dask cluster of N worker processes (same "
        "numbers as without; needs the dask extra)",
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run the sample chunks on the Dask cluster whose scheduler is at ADDRESS",
    )
    parser.add_argument(
        "--device",
        default=None,
        metavar="DEVICE",
        help="solve with PyTorch on cpu, cuda or cuda:N (the torch extra); default numpy",
    )
    parser.add_argument(
        "--precision",
        choices=("float64", "float32"),
        default="float64",
        help="working precision of the torch solvers (default float64)",
    )
    parser.add_argument(
        "--exact",
        action="store_true",
        help="exact rational results instead of Monte Carlo: finite-support distributions "
        "(e.g. bernoulli(0.5)) on small MDPs, or IID uniform on small deterministic MDPs; "
        "gamma may be a fraction (9/10)",
    )


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="output format (default: text)",
    )


# ----------------------------------------------------------------------
# commands


def _run_list(args: argparse.Namespace, out: TextIO) -> int:
    entries = list_environments()
    if args.format == "json":
        payload = [
            {
                "name": e.name,
                "title": e.title,
                "source": e.source,
                "format": e.format,
                "n_states": e.n_states,
                "n_pairs": e.n_pairs,
                "deterministic": e.deterministic,
                "gamma": list(e.gamma),
            }
            for e in entries
        ]
        _write_json(payload, out)
        return 0
    width = max(len(e.name) for e in entries)
    out.write(f"{'name':<{width}}  {'states':>6}  {'kind':<13}  title\n")
    for e in entries:
        kind = "deterministic" if e.deterministic else "stochastic"
        out.write(f"{e.name:<{width}}  {e.n_states:>6}  {kind:<13}  {e.title}\n")
    out.write(f"\n{len(entries)} environments. Inspect one with `powerseek show NAME`.\n")
    return 0


def _run_show(args: argparse.Namespace, out: TextIO) -> int:
    mdp = load(args.env)
    if args.format == "json":
        _write_json(_show_payload(mdp), out)
    else:
        out.write(_show_text(mdp, list_all=args.all))
    return 0


def _analysis_options(args: argparse.Namespace, mdp: MDP, n_gammas: int) -> dict[str, Any]:
    check_positive(args.samples, "--samples")
    check_work(mdp.n_states, args.samples, n_gammas, args.max_work)
    seed = seed_from(args.seed)
    return {
        "dist": parse_distribution(args.dist, mdp),
        "n_samples": args.samples,
        "rng": seed,
        "qmc": args.qmc,
        "method": args.method,
        "tol": check_tol(args.tol),
        "chunk_size": args.chunk_size,
        "progress": False if args.quiet else None,
        "device": args.device,
        "precision": args.precision,
    }


def _run_power(args: argparse.Namespace, out: TextIO) -> int:
    mdp = load(args.env)
    if args.exact:
        return _run_exact_power(args, mdp, out)
    gammas = parse_gammas(args.gamma)
    options = _analysis_options(args, mdp, len(gammas))
    with parallel.executor(args.workers, args.scheduler) as pool:
        sweep = power_sweep(mdp, gammas, executor=pool, **options)
    if args.format == "json":
        _write_json(sweep.at(0).to_dict() if len(gammas) == 1 else sweep.to_dict(), out)
    elif args.format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["environment", "gamma", "state", "power", "stderr", "ci_low", "ci_high"])
        for gamma, estimate in zip(sweep.gammas, sweep.estimates):
            for i, state in enumerate(sweep.states):
                writer.writerow(
                    [
                        mdp.name,
                        repr(gamma),
                        label_text(state),
                        repr(float(estimate.mean[i])),
                        repr(float(estimate.stderr[i])),
                        repr(float(estimate.ci_low[i])),
                        repr(float(estimate.ci_high[i])),
                    ]
                )
    else:
        out.write(_power_table(mdp, sweep))
    return 0


def _run_optimality(args: argparse.Namespace, out: TextIO) -> int:
    mdp = load(args.env)
    state = parse_state(mdp, args.state) if args.state is not None else None
    if args.exact:
        return _run_exact_optimality(args, mdp, state, out)
    gammas = parse_gammas(args.gamma)
    options = _analysis_options(args, mdp, len(gammas))
    with parallel.executor(args.workers, args.scheduler) as pool:
        results = optimality_sweep(mdp, gammas, state, executor=pool, **options)
    if args.format == "json":
        documents = [r.to_dict() for r in results]
        _write_json(documents[0] if len(documents) == 1 else documents, out)
    elif args.format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            ["environment", "gamma", "state", "action", "probability", "stderr", "tie_mass"]
        )
        for result in results:
            for entry in _optimality_entries(result):
                for action in entry["actions"]:
                    writer.writerow(
                        [
                            mdp.name,
                            repr(result.gamma),
                            entry["state"],
                            action["action"],
                            repr(action["probability"]),
                            repr(action["stderr"]),
                            repr(entry["tie_mass"]),
                        ]
                    )
    else:
        out.write(_optimality_table(mdp, results))
    return 0


def _run_exact_power(args: argparse.Namespace, mdp: MDP, out: TextIO) -> int:
    dist = parse_distribution(args.dist, mdp)
    results = [exact_power(mdp, g, dist) for g in parse_exact_gammas(args.gamma)]
    if args.format == "json":
        documents = [r.to_dict() for r in results]
        _write_json(documents[0] if len(documents) == 1 else documents, out)
    elif args.format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["environment", "gamma", "state", "power", "power_decimal"])
        for result in results:
            for state, value in zip(result.states, result.power):
                writer.writerow(
                    [mdp.name, str(result.gamma), label_text(state), str(value), repr(float(value))]
                )
    else:
        lines = [f"{mdp.name or 'environment'}: exact POWER", f"rewards: {results[0].distribution}"]
        for result in results:
            lines += ["", f"gamma = {result.gamma}    {result.method}"]
            width = max(5, max(len(label_text(s)) for s in result.states))
            lines.append(f"  {'state':<{width}}  {'POWER':>12}  exact")
            for state, value in zip(result.states, result.power):
                lines.append(f"  {label_text(state):<{width}}  {float(value):12.6f}  {value}")
        out.write("\n".join(lines) + "\n")
    return 0


def _run_exact_optimality(args, mdp: MDP, state, out: TextIO) -> int:
    dist = parse_distribution(args.dist, mdp)
    results = [exact_optimality(mdp, g, state, dist) for g in parse_exact_gammas(args.gamma)]
    if args.format == "json":
        documents = [r.to_dict() for r in results]
        _write_json(documents[0] if len(documents) == 1 else documents, out)
    elif args.format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(
            [
                "environment",
                "gamma",
                "state",
                "action",
                "probability",
                "probability_decimal",
                "tie_mass",
            ]
        )
        for result in results:
            for i, s in enumerate(result.states):
                for j, action in enumerate(result.actions[i]):
                    p = result.probability[i][j]
                    writer.writerow(
                        [
                            mdp.name,
                            str(result.gamma),
                            label_text(s),
                            label_text(action),
                            str(p),
                            repr(float(p)),
                            str(result.tie_mass[i]),
                        ]
                    )
    else:
        lines = [
            f"{mdp.name or 'environment'}: exact optimality probabilities",
            f"rewards: {results[0].distribution}",
        ]
        for result in results:
            lines += ["", f"gamma = {result.gamma}    {result.method}"]
            for i, s in enumerate(result.states):
                lines.append(f"  state {label_text(s)} (tie mass {result.tie_mass[i]})")
                width = max(6, max(len(label_text(a)) for a in result.actions[i]))
                for j, action in enumerate(result.actions[i]):
                    p = result.probability[i][j]
                    lines.append(f"    {label_text(action):<{width}}  P = {float(p):.6f}  {p}")
        out.write("\n".join(lines) + "\n")
    return 0


def _run_visits(args: argparse.Namespace, out: TextIO) -> int:
    mdp = load(args.env)
    state = parse_state(mdp, args.state)
    gamma = parse_exact_gammas(args.gamma)
    if len(gamma) != 1 or gamma[0] == 1:
        raise InvalidParameterError(f"--gamma must be one value in [0, 1); got {args.gamma!r}.")
    g = gamma[0]
    functions = visit_distributions(mdp, state)
    nondominated_set = set(nondominated(functions))
    shown = [f for f in functions if f in nondominated_set] if args.nondominated else functions
    entries = []
    for f in shown:
        function = f.function()
        exact = f.exact(g)
        entries.append(
            {
                "walk": [label_text(s) for s in f.prefix] if f.prefix is not None else None,
                "cycle": [label_text(s) for s in f.cycle] if f.cycle is not None else None,
                "policy": {label_text(k): label_text(v) for k, v in f.policy.items()},
                "nondominated": f in nondominated_set,
                "function": {
                    label_text(s): format_function(expr)
                    for s, expr in zip(mdp.states, function)
                    if expr != 0
                },
                "value": {label_text(s): float(x) for s, x in zip(mdp.states, exact) if x},
                "exact_value": {label_text(s): str(x) for s, x in zip(mdp.states, exact) if x},
            }
        )
    if args.format == "json":
        _write_json(
            {
                "environment": mdp.name,
                "state": label_text(state),
                "gamma": str(g),
                "n_functions": len(functions),
                "n_nondominated": len(nondominated_set),
                "functions": entries,
            },
            out,
        )
        return 0
    lines = [
        f"F({label_text(state)}) in {mdp.name or 'the environment'}: {len(functions)} visit "
        f"distribution functions, {len(nondominated_set)} non-dominated (* below)",
    ]
    for number, entry in enumerate(entries, 1):
        mark = "*" if entry["nondominated"] else " "
        if entry["cycle"] is not None:
            walk = " -> ".join(entry["walk"] + entry["cycle"]) + f" -> {entry['cycle'][0]} ..."
        else:
            walk = "policy " + ", ".join(f"{k}: {v}" for k, v in entry["policy"].items())
        lines += ["", f"{mark} f{number}: {walk}"]
        for s, expr in entry["function"].items():
            lines.append(f"    {s}: {expr}   = {entry['exact_value'][s]} at gamma = {g}")
    out.write("\n".join(lines) + "\n")
    return 0


def _run_convert(args: argparse.Namespace, out: TextIO) -> int:
    check_output_folder(args.output)
    mdp = load(args.env)
    path = save(mdp, args.output)
    out.write(f"wrote {path} ({mdp.n_states} states)\n")
    return 0


# ----------------------------------------------------------------------
# formatting


def _write_json(payload: Any, out: TextIO) -> None:
    json.dump(plain(payload), out, indent=2, ensure_ascii=False)
    out.write("\n")


def _outcome_text(outcome: Any) -> str:
    if isinstance(outcome, dict):
        return "{" + ", ".join(f"{label_text(s)}: {p:.6g}" for s, p in outcome.items()) + "}"
    return label_text(outcome)


def _show_text(mdp: MDP, *, list_all: bool) -> str:
    summary = summarize(mdp)
    meta = mdp.metadata
    lines = [mdp.name or "(unnamed environment)"]
    if meta.get("title"):
        lines[0] += f": {meta['title']}"
    for key in ("source", "description"):
        if meta.get(key):
            lines.append(
                textwrap.fill(
                    " ".join(str(meta[key]).split()),
                    width=88,
                    initial_indent=f"  {key + ':':<13}",
                    subsequent_indent=" " * 15,
                )
            )
    if meta.get("gamma"):
        lines.append(f"  {'gamma:':<13}{', '.join(f'{g:g}' for g in meta['gamma'])} (suggested)")
    lines.append("")
    states_line = f"states:          {summary.n_states}"
    if summary.start is not None:
        states_line += f", start {label_text(summary.start)}"
    lines.append(states_line)
    spread = (
        f"{summary.min_actions}"
        if summary.min_actions == summary.max_actions
        else f"{summary.min_actions} to {summary.max_actions}"
    )
    lines.append(f"actions:         {summary.n_pairs} state-action pairs, {spread} per state")
    lines.append("dynamics:        " + ("deterministic" if summary.deterministic else "stochastic"))
    lines.append(f"terminal states: {_short_list(summary.terminal_states)}")
    lines.append(f"1-cycles:        {_short_list(summary.one_cycles)}")
    lines.append(f"reachability:    {summary.describe()}")
    layout = meta.get("grid")
    if isinstance(layout, gridworld.GridLayout):
        lines += ["", "map (row 0 at the top; S start, capitals terminal):"]
        lines += ["  " + row for row in gridworld.render(mdp).split("\n")]
        conventions = [f"stay {'on' if layout.stay else 'off'}", f"bump = {layout.bump}"]
        if layout.noise:
            conventions.append(f"noise = {layout.noise:g}")
        lines.append("  " + ", ".join(conventions))
    lines += ["", "transitions:"]
    table = mdp.to_dict()
    shown = list(table.items()) if list_all else list(table.items())[:_LISTING_LIMIT]
    width = max(len(label_text(state)) for state, _ in shown)
    for state, per_action in shown:
        moves = " | ".join(f"{label_text(a)} -> {_outcome_text(o)}" for a, o in per_action.items())
        lines.append(f"  {label_text(state):<{width}}  {moves}")
    if len(shown) < len(table):
        lines.append(f"  ... {len(table) - len(shown)} more states (use --all to list them)")
    return "\n".join(lines) + "\n"


def _short_list(states: Sequence[Hashable], limit: int = 8) -> str:
    if not states:
        return "none"
    texts = [label_text(s) for s in states[:limit]]
    more = f", ... ({len(states)} in all)" if len(states) > limit else ""
    return f"{len(states)}: " + ", ".join(texts) + more


def _show_payload(mdp: MDP) -> dict[str, Any]:
    summary = summarize(mdp)
    meta = mdp.metadata
    layout = meta.get("grid")

    def outcome(value: Any) -> dict[str, float]:
        if isinstance(value, dict):
            return {label_text(s): p for s, p in value.items()}
        return {label_text(value): 1.0}

    return {
        "environment": mdp.name,
        "title": meta.get("title"),
        "source": meta.get("source"),
        "description": meta.get("description"),
        "gamma": list(meta.get("gamma", ())),
        "start": label_text(summary.start) if summary.start is not None else None,
        "n_states": summary.n_states,
        "n_pairs": summary.n_pairs,
        "deterministic": summary.deterministic,
        "states": [label_text(s) for s in mdp.states],
        "transitions": {
            label_text(state): {label_text(a): outcome(o) for a, o in per_action.items()}
            for state, per_action in mdp.to_dict().items()
        },
        "terminal_states": [label_text(s) for s in summary.terminal_states],
        "one_cycles": [label_text(s) for s in summary.one_cycles],
        "components": [[label_text(s) for s in c] for c in summary.components],
        "closed_classes": [[label_text(s) for s in c] for c in summary.closed_classes],
        "reachable_from_start": (
            [label_text(s) for s in summary.reachable_from_start]
            if summary.reachable_from_start is not None
            else None
        ),
        "map": gridworld.render(mdp) if isinstance(layout, gridworld.GridLayout) else None,
    }


def _header(mdp: MDP, provenance: dict[str, Any], gammas: Sequence[float]) -> list[str]:
    return [
        f"{mdp.name or 'environment'}: gamma {', '.join(f'{g:g}' for g in gammas)}; "
        f"{provenance['n_samples']} samples ({provenance['sampling']}), seed {provenance['seed']}",
        f"rewards: {provenance['distribution']}",
    ]


def _solver_line(solver: dict[str, Any]) -> str:
    if "error_bound" not in solver or "iterations" not in solver:
        return f"solver: {solver['method']}"
    state = "converged" if solver["converged"] else "NOT converged"
    return (
        f"solver: {solver['method']}, error bound {solver['error_bound']:.2g} "
        f"(tol {solver['tol']:g}), {solver['iterations']} iterations, {state}"
    )


def _power_table(mdp: MDP, sweep: PowerSweepResult) -> str:
    lines = _header(mdp, sweep.provenance, sweep.gammas)
    for gamma, estimate, solver in zip(sweep.gammas, sweep.estimates, sweep.solver):
        lines += ["", f"gamma = {gamma:g}    {_solver_line(solver)}"]
        width = max(5, max(len(label_text(s)) for s in sweep.states))
        lines.append(f"  {'state':<{width}}  {'POWER':>8}  {'stderr':>8}  95% interval")
        level = f"{estimate.confidence:.0%}"
        lines[-1] = lines[-1].replace("95%", level)
        for i, state in enumerate(sweep.states):
            lines.append(
                f"  {label_text(state):<{width}}  {estimate.mean[i]:8.4f}  "
                f"{estimate.stderr[i]:8.4f}  [{estimate.ci_low[i]:.4f}, {estimate.ci_high[i]:.4f}]"
            )
        if isinstance(mdp.metadata.get("grid"), gridworld.GridLayout):
            lines += ["", "  POWER on the map:"]
            lines += ["  " + row for row in _value_map(mdp, estimate.mean).split("\n")]
    return "\n".join(lines) + "\n"


def _value_map(mdp: MDP, values: Any) -> str:
    """Values laid out on a gridworld's map (walls as ####)."""
    n_rows, n_cols = mdp.metadata["grid"].shape
    cells = [["  ####"] * n_cols for _ in range(n_rows)]
    for (r, c), value in zip(mdp.states, values):
        cells[r][c] = f"{value:6.3f}"
    return "\n".join(" ".join(row) for row in cells)


def _optimality_entries(result: OptimalityResult) -> list[dict[str, Any]]:
    document = result.to_dict()
    return document.get("states", [document])


def _optimality_table(mdp: MDP, results: Sequence[OptimalityResult]) -> str:
    lines = _header(mdp, results[0].provenance, [r.gamma for r in results])
    for result in results:
        lines += ["", f"gamma = {result.gamma:g}    {_solver_line(result.solver)}"]
        for entry in _optimality_entries(result):
            extra = ""
            if "unresolved_mass" in entry and entry["unresolved_mass"] > 0:
                extra = f", unresolved {entry['unresolved_mass']:.4f}"
            lines.append(f"  state {entry['state']} (tie mass {entry['tie_mass']:.4f}{extra})")
            width = max(6, max(len(a["action"]) for a in entry["actions"]))
            for action in entry["actions"]:
                successors = ", ".join(
                    f"{s}" if p == 1.0 else f"{s}: {p:.3g}" for s, p in action["successors"].items()
                )
                lines.append(
                    f"    {action['action']:<{width}}  P = {action['probability']:.4f} "
                    f"± {action['stderr']:.4f}   -> {successors}"
                )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
