"""``powerseek explore``: search for counterexamples to a conjecture."""

from __future__ import annotations

import argparse
import json
import shlex
from typing import TextIO

from ..exceptions import InvalidParameterError
from ._common import check_positive, parse_exact_gammas

__all__ = ["MAX_SEARCH_STATES", "add_parser"]

#: The most states of the MDPs a conjecture search may draw.
MAX_SEARCH_STATES = 12

#: Exit status when a counterexample is found.
REFUTED = 3


def add_parser(commands) -> None:
    """Add the ``explore`` command to the CLI's subparsers."""
    parser = commands.add_parser(
        "explore",
        help="search for counterexamples to a conjecture (built-in or your own predicate)",
        description=(
            "Test a conjecture about power-seeking: a built-in one of theory.md §E (see --list) "
            "or your own predicate f(mdp, dist, gamma) returning True, False, None (does not "
            "apply) or a powerseek.explore.Verdict, given as FILE.py:FUNCTION or "
            "package.module:FUNCTION. By default hypothesis searches random small MDPs and "
            "shrinks a counterexample to a small one; --exhaustive sweeps every deterministic "
            "MDP up to --size states instead. Reports the cases tried and the findings, writes "
            "the counterexample as an environment file with -o, and exits with status 3 when "
            "the conjecture is refuted."
        ),
    )
    parser.add_argument(
        "conjecture",
        nargs="?",
        metavar="CONJECTURE",
        help="a built-in conjecture (see --list), or FILE.py:FUNCTION / package.module:FUNCTION",
    )
    parser.add_argument("--list", action="store_true", help="list the built-in conjectures")
    parser.add_argument(
        "--exhaustive",
        action="store_true",
        help="sweep a finite family instead of a random search",
    )
    parser.add_argument(
        "--size",
        type=int,
        default=None,
        metavar="N",
        help="with --exhaustive: at most N states (default 3), N options for the "
        "terminal-choice conjectures (default 5), or N actions a player for the game "
        "conjectures (default 2)",
    )
    parser.add_argument(
        "--examples",
        type=int,
        default=200,
        metavar="N",
        help="cases a search generates before giving up (default 200)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        metavar="S",
        help="search seed (default 0): the same seed gives the same cases and result",
    )
    parser.add_argument(
        "--gamma",
        default=None,
        metavar="G",
        help="discounts of the cases: numbers or fractions, a list or START:STOP:COUNT "
        "(default 0,1/2,9/10,1)",
    )
    parser.add_argument(
        "--dist",
        default=None,
        metavar="DIST",
        help="IID reward distribution of the cases: uniform (default), uniform(a,b), "
        "bernoulli(p), beta(a,b) or any scipy.stats name",
    )
    parser.add_argument(
        "--max-states",
        type=int,
        default=None,
        metavar="N",
        help="states of the MDPs a search draws (default 4)",
    )
    parser.add_argument("--stochastic", action="store_true", help="search stochastic MDPs as well")
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the counterexample as an environment file (.toml or .json) and its "
        "rewards beside it as FILE's stem + .dist.toml; a game conjecture's as a .json game",
    )
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def _listing(out: TextIO) -> int:
    from ..explore import CONJECTURES

    for c in CONJECTURES.values():
        print(f"{c.name}\n    {c.statement}\n    source: {c.source}", file=out)
    print(
        "\nOr give your own predicate f(mdp, dist, gamma) as FILE.py:FUNCTION "
        "(see docs/explore.md).",
        file=out,
    )
    return 0


def _check_output(path: str, conjecture) -> None:
    """Refuse a path the counterexample could not be written to, before searching."""
    from pathlib import Path

    from ..io import check_output_folder, format_of

    if conjecture.subject == "game":
        if Path(path).suffix.lower() != ".json":
            raise InvalidParameterError(
                f"-o {path}: counterexamples to {conjecture.name} are games; write them as .json."
            )
        check_output_folder(path)
        return
    kind = format_of(path)
    if kind == "grid":
        raise InvalidParameterError(
            f"-o {path}: counterexamples are graph MDPs; write them as .toml or .json."
        )
    check_output_folder(path)


def run(args: argparse.Namespace, out: TextIO) -> int:
    from ..explore import (
        CONJECTURES,
        DEFAULT_GAMMAS,
        Conjecture,
        exhaustive_cases,
        exhaustive_search,
        explore,
        load_predicate,
        search_cases,
        strategies,
    )
    from ..rewards import IID, parse_scipy

    if args.list or args.conjecture is None:
        return _listing(out)
    name = args.conjecture
    if name in CONJECTURES:
        conjecture = CONJECTURES[name]
    elif ":" in name:
        conjecture = Conjecture.from_predicate(load_predicate(name))
    else:
        raise InvalidParameterError(
            f"{name!r} is neither a built-in conjecture ({', '.join(CONJECTURES)}) nor a "
            "predicate given as FILE.py:FUNCTION or package.module:FUNCTION."
        )
    for value, option in ((args.size, "--size"), (args.examples, "--examples")):
        check_positive(value, option)
    check_positive(args.max_states, "--max-states")
    if args.max_states is not None and args.max_states > MAX_SEARCH_STATES:
        raise InvalidParameterError(
            f"--max-states {args.max_states}: a search draws MDPs of at most "
            f"{MAX_SEARCH_STATES} states (the exact quantities conjectures use enumerate visit "
            "distributions, exponential in the states, and hypothesis shrinks towards small "
            "cases anyway). To study one large MDP, run its analysis directly "
            "(powerseek power, check) instead."
        )
    chosen = [
        option
        for option, given in (
            ("--gamma", args.gamma is not None),
            ("--dist", args.dist is not None),
            ("--max-states", args.max_states is not None),
            ("--stochastic", args.stochastic),
        )
        if given
    ]
    if chosen and not conjecture.general:
        size = "actions" if conjecture.subject == "game" else "options"
        raise InvalidParameterError(
            f"{conjecture.name} has its own cases ({conjecture.cases_text}), so "
            f"{', '.join(chosen)} cannot be used with it; --size sets how many {size} the "
            "exhaustive sweep goes up to."
        )
    if args.exhaustive and (args.stochastic or args.max_states is not None):
        raise InvalidParameterError(
            "--exhaustive sweeps deterministic MDPs of up to --size states; --stochastic and "
            "--max-states apply to the random search."
        )
    if args.output:
        _check_output(args.output, conjecture)
    progress = False if args.quiet else None
    gammas = parse_exact_gammas(args.gamma) if args.gamma is not None else list(DEFAULT_GAMMAS)
    dist = IID(parse_scipy(args.dist)) if args.dist is not None else IID()
    if args.exhaustive:
        cases = (
            exhaustive_cases(args.size or conjecture.default_size, gammas=gammas, dist=dist)
            if conjecture.general
            else None
        )
        result = exhaustive_search(conjecture, cases, size=args.size, progress=progress)
    else:
        cases = None
        if conjecture.general:
            mdps = strategies.mdps(
                max_states=args.max_states or 4, stochastic=None if args.stochastic else False
            )
            cases = search_cases(mdps, dists=dist, gammas=gammas)
        result = explore(
            conjecture, cases=cases, max_examples=args.examples, seed=args.seed, progress=progress
        )
    written = []
    source = "powerseek " + shlex.join(getattr(args, "argv", []))
    if args.output and result.counterexample is not None:
        written = result.save_counterexample(args.output, source=source)
    if args.format == "json":
        payload = result.to_dict()
        payload["written"] = [str(path) for path in written]
        print(json.dumps(payload, indent=2, ensure_ascii=False), file=out)
    else:
        print(result.summary(), file=out)
        if result.counterexample is not None:
            kind = "a game" if conjecture.subject == "game" else "an environment"
            print(f"\nthe counterexample as {kind} file:\n", file=out)
            print(result.counterexample_text(source=source), file=out)
        if written and conjecture.subject == "game":
            print(f"\nwrote {written[0]}", file=out)
        elif written:
            env = written[0]
            dist_option = f" --dist {written[1]}" if len(written) > 1 else ""
            print(f"\nwrote {', '.join(map(str, written))}; check it with:", file=out)
            print(
                f"  powerseek power {env} --gamma {float(result.counterexample.gamma):g}"
                f"{dist_option}",
                file=out,
            )
        elif args.output:
            print(f"\nno counterexample: {args.output} not written", file=out)
    return REFUTED if result.counterexample is not None else 0
