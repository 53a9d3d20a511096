"""``powerseek list``, ``show`` and ``convert``: the catalog and environment files."""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from .._validation import label_text
from ._common import (
    ENV_HELP,
    add_format,
    write_json,
)

if TYPE_CHECKING:
    from ..mdp import MDP

__all__ = ["add_parsers"]

_LISTING_LIMIT = 40


def add_parsers(commands) -> None:
    """Add ``list``, ``show`` and ``convert`` to the CLI's subparsers."""
    listing = commands.add_parser(
        "list",
        help="list the catalog of bundled environments",
        description="List the catalog of bundled environments from the literature.",
    )
    add_format(listing)
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
    show.add_argument("env", metavar="ENV", help=ENV_HELP)
    show.add_argument(
        "--all",
        action="store_true",
        help=f"list the transitions of every state (by default only up to {_LISTING_LIMIT} states)",
    )
    add_format(show)
    show.set_defaults(run=_run_show)

    convert = commands.add_parser(
        "convert",
        help="save an environment in another file format",
        description=(
            "Read ENV and write it to OUTPUT, in the format given by OUTPUT's suffix: .toml "
            "(string labels), .grid (gridworlds), .json (networkx node-link) or .gv / .dot "
            "(POWERplay's graphviz graphs)."
        ),
    )
    convert.add_argument("env", metavar="ENV", help=ENV_HELP)
    convert.add_argument(
        "output", metavar="OUTPUT", help="file to write (.toml, .grid, .json or .gv)"
    )
    convert.set_defaults(run=_run_convert)


def _run_list(args: argparse.Namespace, out: TextIO) -> int:
    from ..io import list_environments

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
        write_json(payload, out)
        return 0
    width = max(len(e.name) for e in entries)
    out.write(f"{'name':<{width}}  {'states':>6}  {'kind':<13}  title\n")
    for e in entries:
        kind = "deterministic" if e.deterministic else "stochastic"
        count = "large" if e.n_states is None else e.n_states
        out.write(f"{e.name:<{width}}  {count:>6}  {kind:<13}  {e.title}\n")
    out.write(f"\n{len(entries)} environments. Inspect one with `powerseek show NAME`.\n")
    return 0


def _run_show(args: argparse.Namespace, out: TextIO) -> int:
    from ..io import load

    mdp = load(args.env)
    if args.format == "json":
        write_json(_show_payload(mdp), out)
    else:
        out.write(_show_text(mdp, list_all=args.all))
    return 0


def _run_convert(args: argparse.Namespace, out: TextIO) -> int:
    from ..io import check_output_folder, load, save

    check_output_folder(args.output)
    mdp = load(args.env)
    path = save(mdp, args.output)
    out.write(f"wrote {path} ({mdp.n_states} states)\n")
    return 0


def _outcome_text(outcome: Any) -> str:
    if isinstance(outcome, dict):
        return "{" + ", ".join(f"{label_text(s)}: {p:.6g}" for s, p in outcome.items()) + "}"
    return label_text(outcome)


def _show_text(mdp: MDP, *, list_all: bool) -> str:
    from ..mdp import gridworld, summarize

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
    level = meta.get("level")
    if level is not None and hasattr(level, "summary"):
        lines.append("")
        lines += [f"  {line}" for line in level.summary().split("\n")]
        lines += ["  map:"] + [f"    {row}" for row in level.art]
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
    # a named cell is listed with its legend name: "(1, 3) [exit]"
    names = {cells[0]: name for name, cells in mdp.legend_names().items() if len(cells) == 1}
    lines.append(f"terminal states: {_short_list(summary.terminal_states, names)}")
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


def _short_list(
    states: Sequence[Hashable], names: dict[Hashable, str] | None = None, limit: int = 8
) -> str:
    if not states:
        return "none"
    names = names or {}
    texts = [label_text(s) + (f" [{names[s]}]" if s in names else "") for s in states[:limit]]
    more = f", ... ({len(states)} in all)" if len(states) > limit else ""
    return f"{len(states)}: " + ", ".join(texts) + more


def _show_payload(mdp: MDP) -> dict[str, Any]:
    from ..mdp import gridworld, summarize

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
        "names": {
            name: [label_text(s) for s in cells] for name, cells in mdp.legend_names().items()
        },
    }
