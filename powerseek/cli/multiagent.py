"""``powerseek multiagent``: POWER in worlds of two agents.

``powerseek multiagent power ENV --other-policy POLICY --gamma G [--agent H|A]``
estimates the acting agent's POWER at every joint state with the other agent's
policy fixed; ENV is a joint world (a POWERplay joint ``.gv`` file, or any
environment whose states and actions are pairs) and POLICY is ``uniform``,
``stay`` (or another action name) or a policy graph file. The output is that
of ``powerseek power`` for the acting agent's MDP.
"""

from __future__ import annotations

import argparse
from typing import TextIO

from .analysis import analysis_options, run_power_on
from .common import ENV_HELP

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
    power.add_argument("env", metavar="ENV", help=ENV_HELP + "; its states and actions are pairs")
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
    power.set_defaults(run=_run_power)


def _run_power(args: argparse.Namespace, out: TextIO) -> int:
    from ..io.catalog import load
    from ..multiagent import JointMDP, induced_mdp, resolve_policy

    joint = JointMDP.from_mdp(load(args.env))
    agent = joint.agents[0] if args.agent is None else args.agent
    other = joint.other(agent)
    policy = resolve_policy(joint, other, args.other_policy)
    return run_power_on(args, induced_mdp(joint, agent, policy), out)
