"""``powerseek power``, ``optimality`` and ``visits``: the engine's estimates and exact results."""

from __future__ import annotations

import argparse
import csv
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from .._validation import label_text
from ..exceptions import InvalidParameterError
from ._common import (
    ENV_HELP,
    add_format,
    add_max_work,
    check_positive,
    check_tol,
    check_work,
    count,
    options_parser,
    parse_exact_gammas,
    parse_gammas,
    seed_from,
    write_json,
    write_json_lines,
)

if TYPE_CHECKING:
    from ..analysis import OptimalityResult, PowerSweepResult
    from ..mdp import MDP

__all__ = ["add_parsers"]


def analysis_options() -> argparse.ArgumentParser:
    """The parent parser of the options ``power`` and ``optimality`` share."""
    return options_parser(_add_analysis_options)


def add_parsers(commands) -> None:
    """Add ``power``, ``optimality`` and ``visits`` to the CLI's subparsers."""
    shared = analysis_options()
    power_cmd = commands.add_parser(
        "power",
        parents=[shared],
        help="estimate POWER of every state, with standard errors",
        description=(
            "Estimate POWER_D(s, gamma) of every state (Turner et al. 2021, Def 5.2) by Monte "
            "Carlo over reward samples, with standard errors. Several gamma values share the "
            "same samples."
        ),
    )
    power_cmd.add_argument("env", metavar="ENV", help=ENV_HELP)
    power_cmd.set_defaults(run=_run_power)

    optimality_cmd = commands.add_parser(
        "optimality",
        parents=[shared],
        help="estimate how often each action is optimal",
        description=(
            "Estimate the optimality probability P_D(s, a, gamma) of each action of a state "
            "(Def 4.4: ties count for every tied action; their share is the tie mass). At "
            "gamma = 1 optimality is Blackwell optimality, at gamma = 0 its lexicographic "
            "counterpart."
        ),
    )
    optimality_cmd.add_argument("env", metavar="ENV", help=ENV_HELP)
    optimality_cmd.add_argument(
        "--state",
        metavar="S",
        help="the state, as `powerseek show` prints it (e.g. start or '(2, 3)'); all states "
        "if omitted",
    )
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
    visits_cmd.add_argument("env", metavar="ENV", help=ENV_HELP)
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
    add_format(visits_cmd)
    visits_cmd.set_defaults(run=_run_visits)


def _add_analysis_options(parser: argparse.ArgumentParser) -> None:
    add_max_work(parser)
    parser.add_argument(
        "--gamma",
        required=True,
        metavar="G",
        help="discount in [0, 1]; a list 0.1,0.5,0.9 or a range START:STOP:COUNT (0:1:11) "
        "sweeps on common samples; 0 and 1 are the limits",
    )
    parser.add_argument(
        "--samples",
        type=count,
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
        help="solver (default auto: policy iteration if deterministic or near gamma = 1, else "
        "extrapolated value iteration)",
    )
    parser.add_argument(
        "--kernel",
        default="auto",
        choices=("auto", "compiled", "numpy"),
        help="where deterministic policy iteration runs: compiled with numba (the fast extra) "
        "or numpy (default auto: compiled when numba is installed and the run is large)",
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
        choices=("table", "json", "csv", "jsonl"),
        default="table",
        help="output format (default: table); jsonl prints one JSON object per row of the "
        "result's to_frame() table, as pandas.read_json(..., lines=True) reads it",
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
        "--rule",
        metavar="RULE",
        help="analyse a bounded decision-maker instead of the optimal agent, written "
        "NAME:VALUE or NAME:key=value,... : boltzmann:0.1, soft-optimal:0.1, "
        "epsilon-greedy:0.05, satisficer:0.5, best-of-k:3, quantilizer:0.1, truncated-vi:5, "
        "q-learning:episodes=200,epsilon=0.1 (default optimal; see docs/bounded-agents.md)",
    )
    parser.add_argument(
        "--exact",
        action="store_true",
        help="exact rational results instead of Monte Carlo: finite-support distributions "
        "(e.g. bernoulli(0.5)) on small MDPs, or IID uniform on small deterministic MDPs; "
        "gamma may be a fraction (9/10)",
    )


def _analysis_options(args: argparse.Namespace, mdp: MDP, n_gammas: int) -> dict[str, Any]:
    from ..rewards import parse_distribution

    check_positive(args.samples, "--samples")
    check_work(mdp.n_states, args.samples, n_gammas, args.max_work)
    seed = seed_from(args.seed)
    return {
        "dist": parse_distribution(args.dist, mdp),
        "n_samples": args.samples,
        "rng": seed,
        "qmc": args.qmc,
        "method": args.method,
        "kernel": args.kernel,
        "tol": check_tol(args.tol),
        "chunk_size": args.chunk_size,
        "progress": False if args.quiet else None,
        "device": args.device,
        "precision": args.precision,
    }


def _rule_of(args: argparse.Namespace):
    """The decision rule of ``--rule`` (None: the optimal agent), refused with ``--exact``."""
    if getattr(args, "rule", None) is None:
        return None
    from ..agents import parse_rule

    if args.exact:
        raise InvalidParameterError(
            "--exact computes the optimal agent's results; it does not take --rule."
        )
    return parse_rule(args.rule)


def _with_rule_column(rows: list[dict[str, Any]], rule) -> list[dict[str, Any]]:
    if rule is not None:
        for row in rows:
            row["rule"] = str(rule)
    return rows


def _run_power(args: argparse.Namespace, out: TextIO) -> int:
    from ..io import load

    return run_power_on(args, load(args.env), out)


def run_power_on(args: argparse.Namespace, mdp: MDP, out: TextIO) -> int:
    """``powerseek power`` on `mdp` with the command's options (also for induced MDPs)."""
    from .. import parallel
    from ..analysis import power_sweep

    rule = _rule_of(args)
    if args.exact:
        return _run_exact_power(args, mdp, out)
    gammas = parse_gammas(args.gamma)
    options = _analysis_options(args, mdp, len(gammas))
    with parallel.executor(args.workers, args.scheduler) as pool:
        if rule is None:
            sweep = power_sweep(mdp, gammas, executor=pool, **options)
        else:
            from ..agents import rule_power_sweep

            sweep = rule_power_sweep(mdp, gammas, rule, executor=pool, **options)
    extra = [] if rule is None else [str(rule)]
    if args.format == "json":
        write_json(sweep.at(0).to_dict() if len(gammas) == 1 else sweep.to_dict(), out)
    elif args.format == "jsonl":
        write_json_lines(_with_rule_column(sweep.to_records(), rule), out)
    elif args.format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        header = ["environment", "gamma", "state", "power", "stderr", "ci_low", "ci_high"]
        writer.writerow(header + (["rule"] if rule is not None else []))
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
                        *extra,
                    ]
                )
    else:
        out.write(_power_table(mdp, sweep))
    return 0


def _run_optimality(args: argparse.Namespace, out: TextIO) -> int:
    from .. import parallel
    from ..analysis import optimality_sweep
    from ..io import load
    from ..mdp import parse_state

    mdp = load(args.env)
    state = parse_state(mdp, args.state) if args.state is not None else None
    rule = _rule_of(args)
    if args.exact:
        return _run_exact_optimality(args, mdp, state, out)
    gammas = parse_gammas(args.gamma)
    options = _analysis_options(args, mdp, len(gammas))
    with parallel.executor(args.workers, args.scheduler) as pool:
        if rule is None:
            results = optimality_sweep(mdp, gammas, state=state, executor=pool, **options)
        else:
            from ..agents import choice_probability_sweep

            results = choice_probability_sweep(
                mdp, gammas, rule, state=state, executor=pool, **options
            )
    extra = [] if rule is None else [str(rule)]
    if args.format == "json":
        documents = [r.to_dict() for r in results]
        write_json(documents[0] if len(documents) == 1 else documents, out)
    elif args.format == "jsonl":
        write_json_lines(_with_rule_column(results.to_records(), rule), out)
    elif args.format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        header = ["environment", "gamma", "state", "action", "probability", "stderr", "tie_mass"]
        writer.writerow(header + (["rule"] if rule is not None else []))
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
                            *extra,
                        ]
                    )
    else:
        out.write(_optimality_table(mdp, results))
    return 0


def _run_exact_power(args: argparse.Namespace, mdp: MDP, out: TextIO) -> int:
    from ..exact import exact_power
    from ..rewards import parse_distribution

    dist = parse_distribution(args.dist, mdp)
    results = [exact_power(mdp, g, dist=dist) for g in parse_exact_gammas(args.gamma)]
    if args.format == "json":
        documents = [r.to_dict() for r in results]
        write_json(documents[0] if len(documents) == 1 else documents, out)
    elif args.format == "jsonl":
        write_json_lines([row for r in results for row in r.to_records()], out)
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
    from ..exact import exact_optimality
    from ..rewards import parse_distribution

    dist = parse_distribution(args.dist, mdp)
    results = [
        exact_optimality(mdp, g, state=state, dist=dist) for g in parse_exact_gammas(args.gamma)
    ]
    if args.format == "json":
        documents = [r.to_dict() for r in results]
        write_json(documents[0] if len(documents) == 1 else documents, out)
    elif args.format == "jsonl":
        write_json_lines([row for r in results for row in r.to_records()], out)
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
    from ..io import load
    from ..mdp import parse_state
    from ..visits import format_function, nondominated, visit_distributions

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
        # the states the function visits, even where their value is 0 (at γ = 0 every
        # state after the first)
        visited = [(label_text(s), x) for s, x, e in zip(mdp.states, exact, function) if e != 0]
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
                "value": {s: float(x) for s, x in visited},
                "exact_value": {s: str(x) for s, x in visited},
            }
        )
    if args.format == "json":
        write_json(
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


def _header(mdp: MDP, provenance: dict[str, Any], gammas: Sequence[float]) -> list[str]:
    lines = [
        f"{mdp.name or 'environment'}: gamma {', '.join(f'{g:g}' for g in gammas)}; "
        f"{provenance['n_samples']} samples ({provenance['sampling']}), seed {provenance['seed']}",
        f"rewards: {provenance['distribution']}",
    ]
    if "rule" in provenance:
        lines.append(f"agent: {provenance['rule']} (a bounded decision-maker, not the optimal one)")
    return lines


def _solver_line(solver: dict[str, Any]) -> str:
    if "error_bound" not in solver or "iterations" not in solver:
        return f"solver: {solver['method']}"
    state = "converged" if solver["converged"] else "NOT converged"
    return (
        f"solver: {solver['method']}, error bound {solver['error_bound']:.2g} "
        f"(tol {solver['tol']:g}), {solver['iterations']} iterations, {state}"
    )


def _power_table(mdp: MDP, sweep: PowerSweepResult) -> str:
    from ..mdp import gridworld

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
            mass = "mixed mass" if "rule" in result.provenance else "tie mass"
            lines.append(f"  state {entry['state']} ({mass} {entry['tie_mass']:.4f}{extra})")
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
