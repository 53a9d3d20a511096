"""``powerseek plot`` and ``powerseek report``: figures and HTML reports."""

from __future__ import annotations

import argparse
import math
import shlex
from pathlib import Path
from typing import TextIO

from ..exceptions import InvalidParameterError
from ._common import (
    ENV_HELP,
    add_max_work,
    check_positive,
    check_work,
    count,
    parse_gammas,
    seed_from,
)

__all__ = ["add_parsers"]

_WHAT = ("power", "tendency", "gamma-curve", "optimality-curve", "graph", "empowerment")
#: The figures without a heatmap (and so without a colour scale to set).
_CURVES = ("gamma-curve", "optimality-curve")


def _finite(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--samples",
        type=count,
        default=10_000,
        metavar="N",
        help="reward samples (default 10000, as for `powerseek power`: the same seed gives the "
        "same numbers)",
    )
    parser.add_argument(
        "--seed", type=int, default=None, metavar="S", help="random seed (default: a fresh one)"
    )
    parser.add_argument(
        "--dist",
        default="uniform",
        metavar="SPEC",
        help="reward distribution, as for `powerseek power` (default: IID uniform on [0, 1])",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_max_work(parser, "solves")
    parser.add_argument(
        "--rule",
        metavar="RULE",
        help="a bounded decision-maker instead of the optimal agent, as for `powerseek power "
        "--rule` (boltzmann:0.1, q-learning:episodes=200,epsilon=0.1, ...)",
    )


def add_parsers(commands) -> None:
    """Add the ``plot`` and ``report`` commands to the CLI's subparsers."""
    plot = commands.add_parser(
        "plot",
        help="draw POWER, action tendencies, γ curves or the MDP itself",
        description=(
            "Draw one figure and save it (PNG, SVG or PDF, from the suffix of -o). --what "
            "power: a gridworld heatmap of POWER (a graph coloured by POWER otherwise); "
            "tendency: the heatmap with arrows sized by each move's optimality probability; "
            "gamma-curve: POWER against γ for --states, with confidence bands; "
            "optimality-curve: the optimality probability of --state's actions against γ; "
            "graph: the MDP drawn as a graph, states coloured by POWER; empowerment: a "
            "gridworld heatmap of --steps-step empowerment in bits."
        ),
    )
    plot.add_argument("env", metavar="ENV", help=ENV_HELP)
    plot.add_argument("--what", choices=_WHAT, default="power", help="the figure (default power)")
    plot.add_argument(
        "--gamma",
        default=None,
        metavar="G",
        help="discount (default: the environment's suggested one, else 0.9); for the curves a "
        "list or START:STOP:COUNT (default 0:1:11)",
    )
    plot.add_argument("--states", nargs="+", metavar="S", help="states of the gamma curve")
    plot.add_argument("--state", metavar="S", help="the state of the optimality curve")
    plot.add_argument("--stderr", action="store_true", help="write ± standard errors in cells")
    plot.add_argument(
        "--steps", type=int, default=None, metavar="N",
        help="--what empowerment: the length of the action sequences (default 3)",
    )  # fmt: skip
    for end, side in (("--vmin", "lower"), ("--vmax", "upper")):
        plot.add_argument(
            end, type=_finite, default=None, metavar="X",
            help=f"heatmaps: the colour scale's {side} end (default: the robust rule, which "
            "draws a few outlying cells at the end colours; the colour bar says which)",
        )  # fmt: skip
    plot.add_argument(
        "--config",
        metavar="S",
        help="object levels: the state whose objects the POWER map shows (default the start)",
    )
    plot.add_argument("-o", "--output", required=True, metavar="FILE", help="figure file")
    _add_common(plot)
    plot.set_defaults(run=run_plot)

    report = commands.add_parser(
        "report",
        help="a self-contained HTML report: POWER, heatmap or graph, γ curves, tendencies",
        description=(
            "Analyse ENV and write DIR/report.html: the environment, its POWER table with "
            "standard errors, a heatmap (gridworlds) or graph drawing, POWER against γ, action "
            "tendencies at chosen states, and the settings (seed, samples, versions) that "
            "reproduce it. The page is interactive (a γ slider, hover values, click-through "
            "curves) and loads nothing from the network; --static writes PNG figures instead. "
            "Everything is embedded, so the file stands alone."
        ),
    )
    report.add_argument("env", metavar="ENV", help=ENV_HELP)
    report.add_argument(
        "-o",
        "--output",
        default=None,
        metavar="DIR",
        help="folder for report.html (default: ENV-report)",
    )
    report.add_argument(
        "--gamma",
        default=None,
        metavar="G",
        help="discount of the table, heatmap and tendencies (default: suggested, else 0.9)",
    )
    report.add_argument(
        "--states", nargs="+", metavar="S", help="states for the γ curves and tendencies"
    )
    report.add_argument(
        "--static",
        action="store_true",
        help="PNG figures instead of the interactive page (for journals and e-mail; needs "
        "matplotlib)",
    )
    _add_common(report)
    report.set_defaults(run=run_report)


def _gamma(text: str | None, mdp) -> float:
    if text is None:
        return float(mdp.metadata.get("gamma", (0.9,))[0])
    values = parse_gammas(text)
    if len(values) != 1:
        raise InvalidParameterError(f"--gamma takes one discount here; got {text!r}.")
    return values[0]


def _analyses(rule):
    """POWER, choice probabilities and their sweeps: the optimal agent's or the rule's."""
    from ..analysis import optimality, optimality_sweep, power, power_sweep

    if rule is None:
        return power, optimality, power_sweep, optimality_sweep
    from ..agents import (
        choice_probability,
        choice_probability_sweep,
        rule_power,
        rule_power_sweep,
    )

    return (
        lambda mdp, gamma, **kw: rule_power(mdp, gamma, rule, **kw),
        lambda mdp, gamma, **kw: choice_probability(mdp, gamma, rule, **kw),
        lambda mdp, gammas, **kw: rule_power_sweep(mdp, gammas, rule, **kw),
        lambda mdp, gammas, **kw: choice_probability_sweep(mdp, gammas, rule, **kw),
    )


def run_plot(args: argparse.Namespace, out: TextIO) -> int:
    from .. import viz as plotting
    from ..agents import parse_rule
    from ..io import load
    from ..mdp import parse_state
    from ..rewards import parse_distribution

    check_positive(args.samples, "--samples")
    path = plotting.check_path(args.output)
    mdp = load(args.env)
    rule = parse_rule(args.rule) if args.rule is not None else None
    power, optimality, power_sweep, optimality_sweep = _analyses(rule)
    # a bounded agent's POWER is computed below γ = 1: its curves stop at 0.99
    curve = "0:1:11" if rule is None else "0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,0.99"
    options = {
        "dist": parse_distribution(args.dist, mdp),
        "n_samples": args.samples,
        "rng": seed_from(args.seed),
        "progress": False if args.quiet else None,
    }
    grid = "grid" in mdp.metadata or "level" in mdp.metadata
    if args.config is not None and "level" not in mdp.metadata:
        raise InvalidParameterError(
            "--config picks the objects of an object level's map; "
            f"{mdp.name or args.env} is not one."
        )
    scale = {"vmin": args.vmin, "vmax": args.vmax}
    if (args.vmin is not None or args.vmax is not None) and args.what in _CURVES:
        raise InvalidParameterError(
            f"--vmin and --vmax set a heatmap's colour scale; --what {args.what} draws none."
        )
    if args.vmin is not None and args.vmax is not None and args.vmin >= args.vmax:
        raise InvalidParameterError(
            f"--vmin must be below --vmax; got {args.vmin} and {args.vmax}."
        )
    if args.steps is not None and args.what != "empowerment":
        raise InvalidParameterError("--steps is for --what empowerment.")
    if args.what == "empowerment":
        return _plot_empowerment(mdp, args, path, out, scale)
    # the solves per sample: POWER at one discount (and optimality for the arrows), or a curve
    if args.what in ("power", "tendency", "graph"):
        runs = 2 if args.what == "tendency" else 1
    else:
        runs = len(parse_gammas(args.gamma or curve))
    check_work(mdp.n_states, args.samples, runs, args.max_work, runs="solves")
    if args.what in ("power", "tendency", "graph"):
        gamma = _gamma(args.gamma, mdp)
        result = power(mdp, gamma, **options)
        if args.what == "graph" or (args.what == "power" and not grid):
            fig, _ = plotting.draw_graph(mdp, result)
        elif args.what == "power":
            fig, _ = plotting.power_heatmap(
                mdp, result, stderr=args.stderr, config=args.config, **scale
            )
        else:
            if "grid" not in mdp.metadata:
                raise InvalidParameterError(
                    f"--what tendency draws arrows on a gridworld; {mdp.name or args.env} is a "
                    "graph. Try --what optimality-curve --state S."
                )
            fig, ax = plotting.power_heatmap(mdp, result, stderr=args.stderr, **scale)
            plotting.tendency_overlay(mdp, optimality(mdp, gamma, **options), ax=ax)
    elif args.what == "gamma-curve":
        gammas = parse_gammas(args.gamma or curve)
        states = [parse_state(mdp, s) for s in args.states] if args.states else None
        fig, _ = plotting.power_vs_gamma(power_sweep(mdp, gammas, **options), states)
    else:
        if args.state is None:
            raise InvalidParameterError("--what optimality-curve needs --state S.")
        state = parse_state(mdp, args.state)
        gammas = parse_gammas(args.gamma or curve)
        fig, _ = plotting.optimality_vs_gamma(
            optimality_sweep(mdp, gammas, state=state, **options), state
        )
    if rule is not None:
        fig.suptitle(f"agent: {rule}", fontsize=9)
    plotting.save(fig, path)
    print(f"wrote {path}", file=out)
    return 0


def _plot_empowerment(mdp, args: argparse.Namespace, path, out: TextIO, scale: dict) -> int:
    from .. import viz as plotting
    from ..measures import empowerment

    steps = 3 if args.steps is None else args.steps
    check_positive(steps, "--steps")
    if "grid" not in mdp.metadata:
        raise InvalidParameterError(
            f"--what empowerment draws a gridworld's map; {mdp.name or args.env} has none. "
            f"`powerseek empowerment {args.env} --steps {steps}` prints the values."
        )
    fig, _ = plotting.power_heatmap(mdp, empowerment(mdp, steps), digits=2, **scale)
    plotting.save(fig, path)
    print(f"wrote {path}", file=out)
    return 0


def run_report(args: argparse.Namespace, out: TextIO) -> int:
    from ..agents import parse_rule
    from ..io import load
    from ..mdp import parse_state
    from ..rewards import parse_distribution
    from ..viz import DEFAULT_GAMMAS, write_report

    check_positive(args.samples, "--samples")
    mdp = load(args.env)
    # POWER and optimality at --gamma and on the γ slider's discounts
    check_work(mdp.n_states, args.samples, 2 * (len(DEFAULT_GAMMAS) + 1), args.max_work,
               runs="solves")  # fmt: skip
    gamma = _gamma(args.gamma, mdp)
    states = [parse_state(mdp, s) for s in args.states] if args.states else None
    directory = Path(args.output or f"{Path(args.env).stem}-report")
    seed = seed_from(args.seed)
    path = write_report(
        mdp,
        directory,
        gamma=gamma,
        dist=parse_distribution(args.dist, mdp),
        n_samples=args.samples,
        rng=seed,
        states=states,
        command="powerseek " + shlex.join(getattr(args, "argv", [])),
        env=args.env,
        progress=False if args.quiet else None,
        rule=parse_rule(args.rule) if args.rule is not None else None,
        static=args.static,
    )
    size = path.stat().st_size / 1024
    print(
        f"wrote {path} ({size:.0f} KiB): {mdp.name or args.env}, POWER at gamma {gamma:g} from "
        f"{args.samples} samples (seed {seed}); open it in a browser",
        file=out,
    )
    return 0
