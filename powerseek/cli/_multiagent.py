"""``powerseek multiagent``: POWER in worlds of two agents.

``powerseek multiagent power ENV --other-policy POLICY --gamma G [--agent H|A]``
estimates the acting agent's POWER at every joint state with the other agent's
policy fixed; ENV is a joint world (the catalog's ``powerplay-joint-3x3``, a
POWERplay joint ``.gv`` file, any environment whose states and actions are
pairs, or ``joint:ENV``, two agents in a single-agent world, shaped by
``--no-overlap``, ``--noise``, ``--forbid`` and ``--agents``) and POLICY is ``uniform``,
``stay`` (or another action name) or a policy graph file. The output is that
of ``powerseek power`` for the acting agent's MDP.
"""

from __future__ import annotations

import argparse
from typing import TextIO

from ._analysis import analysis_options, run_power_on
from ._common import add_max_work, count

__all__ = ["add_parser"]


def add_parser(commands) -> None:
    """Add ``multiagent`` and its subcommands to the CLI's subparsers."""
    group = commands.add_parser(
        "multiagent",
        help="POWER in worlds of two agents",
        description="Analyses of joint worlds of two agents (docs/multiagent.md).",
    )
    sub = group.add_subparsers(dest="multiagent_command", metavar="COMMAND", required=True)
    power = sub.add_parser(
        "power",
        parents=[analysis_options()],
        help="POWER of one agent at every joint state, the other's policy fixed",
        description=(
            "Estimate the acting agent's POWER at every joint state while the other agent "
            "follows --other-policy, by Monte Carlo over reward samples on the joint states. "
            "The output is that of `powerseek power` for the acting agent's MDP."
        ),
    )
    power.add_argument("env", metavar="ENV", help=_JOINT_ENV_HELP)
    power.add_argument(
        "--other-policy",
        default="uniform",
        metavar="POLICY",
        help="the other agent's policy: uniform (default), stay or another action name, or a "
        "POWERplay policy graph (.gv)",
    )
    power.add_argument(
        "--agent",
        default=None,
        metavar="NAME",
        help="the acting agent (default the first, H in POWERplay's files)",
    )
    _add_joint_options(power)
    power.set_defaults(run=_run_power)

    corr = sub.add_parser(
        "correlation",
        help="POWER of both agents for each correlation between their rewards",
        description=(
            "POWERplay's 'with reward' experiments: H's reward is drawn, A's is correlated with "
            "it (per state: a copy with probability c, or the reflection for c < 0, else an "
            "independent draw); H plays optimally against A's seed policy (--other-policy), A "
            "responds optimally, and both agents' POWER is estimated at every joint state, on "
            "the same samples for every correlation."
        ),
    )
    corr.add_argument("env", metavar="ENV", help=_JOINT_ENV_HELP)
    corr.add_argument(
        "--other-policy",
        default="uniform",
        metavar="POLICY",
        help="A's seed policy (default uniform)",
    )
    corr.add_argument(
        "--correlation", required=True, metavar="C", help="correlations in [-1, 1]: 0.5 or -1,0,1"
    )
    corr.add_argument("--gamma", required=True, type=float, metavar="G", help="H's discount")
    corr.add_argument(
        "--gamma-other", type=float, default=None, metavar="G", help="A's discount (default G)"
    )
    corr.add_argument("--samples", type=count, default=10_000, metavar="N")
    corr.add_argument("--seed", type=int, default=None, metavar="S")
    add_max_work(corr, "solves, two per correlation")
    corr.add_argument(
        "--dist",
        default="uniform",
        metavar="SPEC",
        help="each state's reward (IID; default uniform)",
    )
    corr.add_argument(
        "--format", choices=("table", "json", "csv", "jsonl"), default="table", help="output format"
    )
    corr.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_joint_options(corr)
    corr.set_defaults(run=_run_correlation)


_JOINT_ENV_HELP = (
    "a joint world (catalog: powerplay-joint-3x3, powerplay-joint-maze-7x7; a joint .gv or "
    ".grid file), or joint:ENV for two agents in any single-agent world or map"
)


def _add_joint_options(parser: argparse.ArgumentParser) -> None:
    """The options of a joint world built from a single-agent one (``joint:ENV``)."""
    group = parser.add_argument_group(
        "joint:ENV (two agents in a single-agent world; as powerseek.multiagent.joint_world)"
    )
    group.add_argument(
        "--no-overlap", action="store_true",
        help="the agents may not share a state (deterministic worlds)",
    )  # fmt: skip
    group.add_argument(
        "--noise", metavar="P[,P]",
        help="slip noise of a gridworld's moves: one value, or one per agent (H,A)",
    )  # fmt: skip
    group.add_argument(
        "--forbid", metavar="FILE",
        help='a TOML file of forbidden joint actions: [[forbid]] state = ["*", "(0, 2)"] '
        'action = ["stay", "*"] ("*": any; one entry per agent)',
    )  # fmt: skip
    group.add_argument("--agents", metavar="H,A", help="the agents' names (default H,A)")


def _joint(args: argparse.Namespace):
    """The joint world ENV names, built from a single-agent world for ``joint:ENV``."""
    from ..exceptions import InvalidMDPError, InvalidParameterError
    from ..io import JOINT_PREFIX, load
    from ..multiagent import JointMDP, joint_world

    options = {"--no-overlap": args.no_overlap, "--noise": args.noise,
               "--forbid": args.forbid, "--agents": args.agents}  # fmt: skip
    given = [flag for flag, value in options.items() if value]
    if not args.env.startswith(JOINT_PREFIX):
        if given:
            raise InvalidParameterError(
                f"{given[0]} builds a joint world from a single-agent one; write ENV as "
                f"joint:{args.env}."
            )
        mdp = load(args.env)
        try:
            return JointMDP.from_mdp(mdp)
        except InvalidMDPError:
            raise InvalidParameterError(
                f"{args.env} is not a joint world: its states are not pairs, one per agent. "
                f"Put two agents in it with joint:{args.env} (options --no-overlap, --noise, "
                "--forbid), use a joint world of the catalog (powerplay-joint-3x3), or in Python "
                "powerseek.multiagent.joint_world / product."
            ) from None
    world = load(args.env[len(JOINT_PREFIX) :])
    return joint_world(
        world,
        agents=_names(args.agents) if args.agents else ("H", "A"),
        overlap=not args.no_overlap,
        noise=_noise(args.noise) if args.noise else None,
        forbid=_rules(args.forbid) if args.forbid else None,
        name=f"{JOINT_PREFIX}{world.name or args.env[len(JOINT_PREFIX) :]}",
    )


def _names(text: str) -> tuple[str, str]:
    from ..exceptions import InvalidParameterError

    names = tuple(part.strip() for part in text.split(","))
    if len(names) != 2 or not all(names):
        raise InvalidParameterError(f"--agents must be two names, e.g. H,A; got {text!r}.")
    return names


def _noise(text: str) -> tuple[float, ...]:
    from ..exceptions import InvalidParameterError

    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        values = ()
    if len(values) not in (1, 2):
        raise InvalidParameterError(
            f"--noise must be one probability or two (H,A), e.g. 0.1 or 0.1,0; got {text!r}."
        )
    return values if len(values) == 2 else values * 2


def _rules(path: str) -> list:
    from ..exceptions import InvalidParameterError
    from ..io import parse_document

    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise InvalidParameterError(f"--forbid: cannot read {path!r} ({exc.strerror}).") from None
    doc = parse_document(text, path)
    if set(doc) != {"forbid"} or not isinstance(doc["forbid"], list):
        raise InvalidParameterError(
            f"--forbid: {path} must hold [[forbid]] tables (state = [S1, S2], action = "
            f"[A1, A2]) and nothing else; found keys {', '.join(map(repr, doc)) or 'none'}."
        )
    return doc["forbid"]


def _run_power(args: argparse.Namespace, out: TextIO) -> int:
    from ..multiagent import induced_mdp, resolve_policy

    joint = _joint(args)
    agent = joint.agents[0] if args.agent is None else args.agent
    other = joint.other(agent)
    policy = resolve_policy(joint, other, args.other_policy)
    return run_power_on(args, induced_mdp(joint, agent, policy), out)


def _run_correlation(args: argparse.Namespace, out: TextIO) -> int:
    import csv

    from .._validation import label_text
    from ..exceptions import InvalidParameterError
    from ..multiagent import correlation_sweep
    from ..rewards import parse_distribution
    from ._common import check_positive, check_work, seed_from, write_json, write_json_lines

    joint = _joint(args)
    try:
        correlations = [float(c) for c in args.correlation.split(",")]
    except ValueError:
        raise InvalidParameterError(
            f"--correlation must be numbers in [-1, 1] separated by commas; got "
            f"{args.correlation!r}."
        ) from None
    check_positive(args.samples, "--samples")
    # each correlation solves both agents' MDPs on every sample
    check_work(joint.mdp.n_states, args.samples, 2 * len(correlations), args.max_work,
               runs="solves (two per correlation)")  # fmt: skip
    result = correlation_sweep(
        joint,
        correlations,
        args.gamma,
        gamma_other=args.gamma_other,
        seed_policy=args.other_policy,
        dist=parse_distribution(args.dist, joint.mdp),
        n_samples=args.samples,
        rng=seed_from(args.seed),
        progress=False if args.quiet else None,
    )
    if args.format == "json":
        write_json(result.to_dict(), out)
    elif args.format == "jsonl":
        write_json_lines(result.to_records(), out)
    elif args.format == "csv":
        writer = csv.writer(out, lineterminator="\n")
        columns = ["correlation", "agent", "state", "value", "stderr", "ci_low", "ci_high"]
        writer.writerow(columns)
        for row in result.to_records():
            writer.writerow(
                [row[c] if not isinstance(row[c], float) else repr(row[c]) for c in columns]
            )
    else:
        h, a = joint.agents
        lines = [
            f"{joint.name or 'joint world'}: gamma {result.gamma} ({h}), {result.gamma_other} "
            f"({a}); {result.provenance['n_samples']} samples, seed {result.provenance['seed']}",
            f"rewards: {result.provenance['distribution']}; {a}'s seed policy: {args.other_policy}",
        ]
        width = max(5, max(len(label_text(s)) for s in result.states))
        for k, c in enumerate(result.correlations):
            lines += [
                "",
                f"correlation {c:g}: corr(POWER_{h}, POWER_{a}) across states "
                f"{result.power_correlation[k]:.3f} +- {result.power_correlation_stderr[k]:.3f}",
                f"  {'state':<{width}}  {'POWER_' + h:>9}  {'stderr':>7}  {'POWER_' + a:>9}  "
                f"{'stderr':>7}",
            ]
            first, second = result.power_first[k], result.power_second[k]
            for i, state in enumerate(result.states):
                lines.append(
                    f"  {label_text(state):<{width}}  {first.mean[i]:9.4f}  {first.stderr[i]:7.4f}"
                    f"  {second.mean[i]:9.4f}  {second.stderr[i]:7.4f}"
                )
        out.write("\n".join(lines) + "\n")
    return 0
