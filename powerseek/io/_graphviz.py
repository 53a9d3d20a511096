"""POWERplay graph files (``.gv``, ``.dot``): graphviz DOT as networkx writes it.

POWERplay stores every MDP and policy as a DOT digraph, in one of these forms:

Plain successor graphs
    ``digraph "name" { "a"; "b"; "a" -> "b"; ... }``: each out-edge of a node is
    one deterministic action to that successor, named after it.
Tripartite (stochastic) graphs
    State nodes ``"[s]"``, action nodes ``"[a]__[s]"`` and outcome nodes
    ``"[s']__[a]__[s]"``, with edges ``"[s]" -> "[a]__[s]"`` and
    ``"[a]__[s]" -> "[s']__[a]__[s]" [weight="p"]``. Older files leave out the
    brackets (``"down__(0, 0)"``); both are read.
Policy graphs
    The first layer only, ``"[s]" -> "[a]__[s]" [weight="π(a|s)"]``: read with
    :func:`read_policy`.

Labels are text in DOT. They are read back as grid cells ``(r, c)`` when every
state label is one (so the gridworld figures work; the map's shape is their
bounding box, and its legend marks are not kept), and as strings otherwise
(integer node names too: DOT does not tell ``1`` from ``"1"``). Joint
(multi-agent) states ``"(r, c)_H^(r, c)_A"`` become tuples of per-agent
labels, one per agent tag, and joint actions ``"right_H^stay_A"`` tuples of
per-agent actions; the tags are kept as the ``agents`` metadata.

Graph attributes ``title``, ``description``, ``source``, ``gamma`` (a number or
comma-separated numbers) and ``start`` carry the metadata both ways; others are
ignored. Weights must be finite, in [0, 1] and sum to 1 within 1e-9 per action
(per state in a policy); zero-weight outcomes are dropped.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

from .._validation import quote
from ..exceptions import InvalidMDPError, InvalidTypeError, ParseError
from ..mdp import MDP
from ..mdp.gridworld import GridLayout
from ._common import _gamma_tuple, read_text
from ._dot import DotGraph, parse_dot

__all__ = ["dump", "dump_policy", "parse", "parse_policy", "read_policy"]

#: How far the weights of one action (or one state's policy) may sum from 1.
WEIGHT_TOLERANCE = 1e-9
_CELL = re.compile(r"\(\s*(-?\d+)\s*,\s*(-?\d+)\s*\)")
_AGENT_PART = re.compile(r"(.+)_([A-Za-z0-9]+)")
_METADATA = ("title", "description", "source")


# ----------------------------------------------------------------------
# reading


class _Layers:
    """A tripartite (or plain) graph taken apart: states, actions, outcomes."""

    def __init__(self, graph: DotGraph, source: str) -> None:
        self.graph = graph
        self.source = source
        self.states: list[str] = []
        # state text -> list of (action text, weight text or None, line)
        self.actions: dict[str, list[tuple[str, str | None, int]]] = {}
        # (action text, state text) -> list of (successor text, weight text, line)
        self.outcomes: dict[tuple[str, str], list[tuple[str, str | None, int]]] = {}

    def error(self, message: str, line: int | None) -> ParseError:
        return ParseError(message, source=self.source, line=line)


def _bracketed(name: str) -> list[str] | None:
    if len(name) >= 2 and name.startswith("[") and name.endswith("]"):
        return name[1:-1].split("]__[")
    return None


def _split_names(graph: DotGraph, source: str) -> tuple[str, dict[str, list[str]]]:
    """The encoding ("plain", "bracketed" or "unbracketed") and each node's parts."""
    names = list(graph.nodes)
    bracketed = {name: _bracketed(name) for name in names}
    inside = [name for name in names if bracketed[name] is not None]
    layered = [name for name in names if "]__[" in name]
    if layered and len(inside) == len(names):
        return "bracketed", {name: parts for name, parts in bracketed.items()}
    if inside and layered:
        plain = next(name for name in names if bracketed[name] is None)
        raise ParseError(
            f"node {plain!r} is not in the bracketed form '[...]' that the other nodes use "
            f"(e.g. {inside[0]!r}): a mix of plain and tripartite encodings.",
            source=source,
            line=graph.nodes[plain],
        )
    # the older form without brackets: an edge s -> a__s marks a tripartite graph
    if any(edge.target.endswith("__" + edge.source) for edge in graph.edges):
        return "unbracketed", {name: name.split("__") for name in names}
    return "plain", {name: [name] for name in names}


def _layers(graph: DotGraph, source: str) -> tuple[str, _Layers]:
    encoding, parts = _split_names(graph, source)
    layers = _Layers(graph, source)
    if encoding == "plain":
        layers.states = list(graph.nodes)
        for state in layers.states:
            layers.actions[state] = []
        for edge in graph.edges:
            layers.actions[edge.source].append((edge.target, None, edge.line))
        return encoding, layers
    for name, pieces in parts.items():
        if len(pieces) > 3:
            raise layers.error(
                f"node {name!r} has {len(pieces) - 1} '__' separators; tripartite nodes are "
                "[s], [a]__[s] or [s']__[a]__[s].",
                graph.nodes[name],
            )
        if len(pieces) == 1:
            layers.states.append(name)
    state_of = {name: parts[name][0] for name in layers.states}
    by_text = {text: name for name, text in state_of.items()}
    layers.states = [state_of[name] for name in layers.states]
    layers.actions = {state: [] for state in layers.states}
    has_parent: set[str] = set()
    for edge in graph.edges:
        head, tail = parts[edge.source], parts[edge.target]
        if len(head) == 1 and len(tail) == 2:
            if tail[1] != head[0]:
                raise layers.error(
                    f"edge {edge.source!r} -> {edge.target!r}: the action node belongs to "
                    f"state {tail[1]!r}, not {head[0]!r}.",
                    edge.line,
                )
            layers.actions[head[0]].append((tail[0], edge.attributes.get("weight"), edge.line))
            has_parent.add(edge.target)
        elif len(head) == 2 and len(tail) == 3:
            if tail[1:] != head:
                raise layers.error(
                    f"edge {edge.source!r} -> {edge.target!r}: the outcome node belongs to "
                    f"action {tail[1]!r} of state {tail[2]!r}.",
                    edge.line,
                )
            if tail[0] not in by_text:
                raise layers.error(
                    f"outcome node {edge.target!r} leads to {tail[0]!r}, which is not a state "
                    "node of the graph.",
                    edge.line,
                )
            key = (head[0], head[1])
            weight = edge.attributes.get("weight")
            layers.outcomes.setdefault(key, []).append((tail[0], weight, edge.line))
            has_parent.add(edge.target)
        else:
            kinds = {1: "state", 2: "action", 3: "outcome"}
            raise layers.error(
                f"edge {edge.source!r} -> {edge.target!r} joins a {kinds[len(head)]} node to a "
                f"{kinds[len(tail)]} node; tripartite graphs have edges state -> action -> "
                "outcome only (a mix of plain and tripartite encodings?).",
                edge.line,
            )
    for name, pieces in parts.items():
        line = graph.nodes[name]
        if len(pieces) == 2 and name not in has_parent:
            raise layers.error(
                f"action node {name!r} is dangling: no edge from its state {pieces[1]!r}.", line
            )
        if len(pieces) == 3:
            action = _node_name(encoding, pieces[1:])
            if action not in graph.nodes:
                raise layers.error(f"outcome node {name!r} has no action node {action!r}.", line)
            if name not in has_parent:
                raise layers.error(
                    f"outcome node {name!r} is dangling: no edge from {action!r}.", line
                )
    return encoding, layers


def _node_name(encoding: str, pieces: list[str]) -> str:
    if encoding == "bracketed":
        return "[" + "]__[".join(pieces) + "]"
    return "__".join(pieces)


def _weight(text: str | None, what: str, line: int, source: str) -> float:
    if text is None:
        raise ParseError(
            f'{what} has no weight; outcome edges need weight="p".', source=source, line=line
        )
    try:
        value = float(text)
    except ValueError:
        raise ParseError(
            f"{what} has the weight {text!r}, which is not a number.", source=source, line=line
        ) from None
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise ParseError(
            f"{what} has the weight {text!r}; weights are probabilities in [0, 1].",
            source=source,
            line=line,
        )
    return value


def _distribution(items, what: str, line: int, source: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for target, text, edge_line in items:
        weights[target] = weights.get(target, 0.0) + _weight(
            text, f"the edge of {what} to {target!r}", edge_line, source
        )
    total = math.fsum(weights.values())
    if abs(total - 1.0) > WEIGHT_TOLERANCE:
        raise ParseError(
            f"the weights of {what} sum to {total!r}, not 1 (within {WEIGHT_TOLERANCE:g}).",
            source=source,
            line=line,
        )
    return {target: p for target, p in weights.items() if p > 0.0}


def _agents_of(texts: list[str]) -> tuple[str, ...] | None:
    """The agent tags when every text is a joint label ``x_H^y_A`` with the same tags."""
    agents = None
    for text in texts:
        pieces = text.split("^")
        if len(pieces) < 2:
            return None
        matches = [_AGENT_PART.fullmatch(piece) for piece in pieces]
        if not all(matches):
            return None
        tags = tuple(match.group(2) for match in matches)
        if agents is None:
            agents = tags
        elif tags != agents:
            return None
    return agents


def _scalar_decoder(texts: list[str]):
    if texts and all(_CELL.fullmatch(text) for text in texts):
        return lambda text: tuple(int(x) for x in _CELL.fullmatch(text).groups())
    return lambda text: text


def _decoders(states: list[str], actions: list[str]):
    """Text -> label for states and for actions, and the agent tags (or None)."""
    agents = _agents_of(states)
    if agents is None:
        return _scalar_decoder(states), (lambda text: text), None
    inner = _scalar_decoder(
        [_AGENT_PART.fullmatch(p).group(1) for t in states for p in t.split("^")]
    )

    def state(text: str):
        return tuple(inner(_AGENT_PART.fullmatch(p).group(1)) for p in text.split("^"))

    if _agents_of(actions) == agents:

        def action(text: str):
            return tuple(_AGENT_PART.fullmatch(p).group(1) for p in text.split("^"))

    else:

        def action(text: str):
            return text

    return state, action, agents


def _refuse_merged_labels(decode, texts, what: str, source: str, line_of) -> None:
    """Refuse two of `texts` that `decode` reads as the same label.

    ``[(0, 0)]`` and ``[(0,0)]`` (or ``(00, 0)``, a tab, a fullwidth digit) are one
    cell once decoded: two such nodes would become one state, one node's edges
    silently replacing the other's, so the file is refused, naming both.
    """
    seen: dict[Hashable, str] = {}
    for text in texts:
        label = decode(text)
        first = seen.setdefault(label, text)
        if first != text:
            raise ParseError(
                f"the {what} nodes {first!r} and {text!r} both read as {label!r}; name each "
                f"{what} one way.",
                source=source,
                line=line_of(text),
            )


def _metadata(graph: DotGraph, source: str, state_label, states: list[str]) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    for key in _METADATA:
        if key in graph.attributes:
            metadata[key] = graph.attributes[key]
    if "gamma" in graph.attributes:
        text = graph.attributes["gamma"]
        try:
            values = [float(x) for x in text.split(",")]
            metadata["gamma"] = _gamma_tuple(values if len(values) > 1 else values[0], "`gamma`")
        except (ValueError, ParseError):
            raise ParseError(
                f"the graph attribute gamma={text!r} is not a discount or a comma-separated list "
                "of discounts in [0, 1].",
                source=source,
            ) from None
    if "start" in graph.attributes:
        text = graph.attributes["start"]
        if text not in states:
            raise ParseError(
                f"the graph attribute start={text!r} is not a state of the graph.", source=source
            )
        metadata["start"] = state_label(text)
    return metadata


def parse(text: str, source: str, default_name: str | None) -> MDP:
    """The MDP in the text of a POWERplay ``.gv`` file (plain or tripartite).

    Parameters
    ----------
    text : str
    source : str
        Where the text came from (a path), for error messages.
    default_name : str or None
        The MDP's name when the graph has none.

    Returns
    -------
    MDP

    Raises
    ------
    ParseError
        Naming `source`, the line and the node.

    Examples
    --------
    >>> mdp = parse('digraph "paper" { "★" -> "∅"; "★" -> "ℓ"; "∅" -> "∅"; "ℓ" -> "ℓ" }',
    ...             "<gv>", None)
    >>> mdp.name, mdp.actions_of("★")
    ('paper', ('∅', 'ℓ'))
    >>> coin = parse('''strict digraph {
    ...   "[s]" -> "[flip]__[s]";
    ...   "[flip]__[s]" -> "[s]__[flip]__[s]" [weight="0.3"];
    ...   "[flip]__[s]" -> "[t]__[flip]__[s]" [weight="0.7"];
    ...   "[t]" -> "[stay]__[t]";
    ...   "[stay]__[t]" -> "[t]__[stay]__[t]" [weight=1];
    ... }''', "<gv>", "coin")
    >>> coin.transition("s", "flip")
    {'s': 0.3, 't': 0.7}
    """
    graph = parse_dot(text, source)
    encoding, layers = _layers(graph, source)
    actions_text = [a for state in layers.states for a, _, _ in layers.actions[state]]
    if encoding != "plain" and layers.states and not layers.outcomes:
        raise ParseError(
            "this is a policy graph (state -> action edges with weights and no outcome nodes), "
            "not an MDP; read it with powerseek.io.read_policy.",
            source=source,
        )
    state_label, action_label, agents = _decoders(layers.states, actions_text)
    transitions: dict[Hashable, dict[Hashable, Any]] = {}
    first_line = {
        state: graph.nodes.get(state, graph.nodes.get(f"[{state}]")) for state in layers.states
    }
    outcome_line = {s: line for entries in layers.outcomes.values() for s, _, line in entries}
    every_state = list(dict.fromkeys([*layers.states, *outcome_line]))
    _refuse_merged_labels(
        state_label, every_state, "state", source,
        lambda text: first_line.get(text) or outcome_line.get(text),
    )  # fmt: skip
    for state in layers.states:
        entries = layers.actions[state]
        if not entries:
            raise ParseError(
                f"state node {state!r} has no out-edges; every state needs an action (a terminal "
                "state has a self-loop).",
                source=source,
                line=first_line[state],
            )
        per_action: dict[Hashable, Any] = {}
        for action, _, line in entries:
            label = action_label(action)
            if label in per_action:
                raise ParseError(
                    f"state {state!r} has the action {action!r} twice.", source=source, line=line
                )
            if encoding == "plain":
                per_action[label] = state_label(action)
                continue
            outcomes = layers.outcomes.get((action, state))
            node = _node_name(encoding, [action, state])
            if not outcomes:
                raise ParseError(
                    f"action node {node!r} is dangling: it has no outcome edges.",
                    source=source,
                    line=graph.nodes[node],
                )
            weights = _distribution(outcomes, f"action node {node!r}", outcomes[0][2], source)
            per_action[label] = {state_label(s): p for s, p in weights.items()}
        transitions[state_label(state)] = per_action
    metadata = _metadata(graph, source, state_label, layers.states)
    labels = list(transitions)
    if agents is not None:
        metadata["agents"] = agents
    elif labels and all(isinstance(s, tuple) for s in labels):
        rows = max(r for r, _ in labels) + 1
        cols = max(c for _, c in labels) + 1
        if min(min(r, c) for r, c in labels) >= 0:
            stay = all("stay" in transitions[cell] for cell in labels)
            metadata["grid"] = GridLayout(shape=(rows, cols), stay=stay)
    try:
        return MDP(transitions, name=graph.name or default_name, metadata=metadata)
    except InvalidMDPError as exc:
        raise ParseError(str(exc), source=source) from None


def parse_policy(text: str, source: str = "<string>") -> dict[Hashable, dict[Hashable, float]]:
    """The policy in the text of a POWERplay policy graph: state -> {action: probability}.

    Labels are decoded as in :func:`parse` (cells and joint labels).

    Parameters
    ----------
    text : str
        The DOT text of the policy graph.
    source : str, default "<string>"
        Where the text came from, for error messages.

    Returns
    -------
    dict
        state -> {action: probability}, zero-probability actions left out.

    Raises
    ------
    ParseError
        If the text is not a policy graph, or a state's weights do not sum to 1.

    Examples
    --------
    >>> parse_policy('''digraph {
    ...   "[(0, 0)]" -> "[stay]__[(0, 0)]" [weight=1];
    ...   "[(0, 0)]" -> "[right]__[(0, 0)]" [weight=0];
    ...   "[(0, 1)]" -> "[left]__[(0, 1)]" [weight="0.5"];
    ...   "[(0, 1)]" -> "[stay]__[(0, 1)]" [weight="0.5"];
    ... }''')
    {(0, 0): {'stay': 1.0}, (0, 1): {'left': 0.5, 'stay': 0.5}}
    """
    graph = parse_dot(text, source)
    encoding, layers = _layers(graph, source)
    if encoding == "plain" or layers.outcomes:
        raise ParseError(
            "this is an MDP graph, not a policy graph (a policy has state -> action edges with "
            "weights and no outcome nodes); read it with powerseek.load.",
            source=source,
        )
    actions_text = [a for state in layers.states for a, _, _ in layers.actions[state]]
    state_label, action_label, _ = _decoders(layers.states, actions_text)
    _refuse_merged_labels(
        state_label, layers.states, "state", source,
        lambda text: graph.nodes.get(_node_name(encoding, [text])),
    )  # fmt: skip
    policy: dict[Hashable, dict[Hashable, float]] = {}
    for state in layers.states:
        entries = layers.actions[state]
        if not entries:
            continue  # no decision recorded for this state
        node = _node_name(encoding, [state])
        weights = _distribution(entries, f"state node {node!r}", entries[0][2], source)
        # action texts decode piece by piece, unchanged: distinct texts stay distinct
        policy[state_label(state)] = {action_label(a): p for a, p in weights.items()}
    return policy


def read_policy(path: str | os.PathLike) -> dict[Hashable, dict[Hashable, float]]:
    """Read a POWERplay policy graph file (see :func:`parse_policy`).

    Parameters
    ----------
    path : str or os.PathLike
        The policy graph file (``.gv``).

    Returns
    -------
    dict
        state -> {action: probability}, zero-probability actions left out.
    """
    path = Path(path)
    return parse_policy(read_text(path, "a policy graph"), str(path))


# ----------------------------------------------------------------------
# writing


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def _scalar_text(label: Hashable) -> str:
    if isinstance(label, tuple) and len(label) == 2 and all(type(x) is int for x in label):
        return f"({label[0]}, {label[1]})"
    if isinstance(label, str):
        return label
    raise InvalidTypeError(
        f".gv files hold string and (row, col) labels; {quote(label)} is a "
        f"{type(label).__name__}. Save as node-link JSON (.json)."
    )


def _encoder(agents: tuple[str, ...] | None, joint: bool):
    def encode(label: Hashable) -> str:
        if joint:
            if not (isinstance(label, tuple) and len(label) == len(agents)):
                raise InvalidTypeError(
                    f"joint label {quote(label)} does not have one part per agent {agents}."
                )
            return "^".join(f"{_scalar_text(x)}_{tag}" for x, tag in zip(label, agents))
        return _scalar_text(label)

    return encode


def _graph_lines(mdp_name: str | None, metadata: Mapping[str, Any], start_text: str | None):
    head = "strict digraph " + (_quoted(mdp_name) + " " if mdp_name else "") + "{"
    lines = [head]
    for key in _METADATA:
        if isinstance(metadata.get(key), str):
            lines.append(f"graph [{key}={_quoted(metadata[key])}];")
    if "gamma" in metadata:
        gammas = metadata["gamma"]
        gammas = gammas if isinstance(gammas, tuple) else (gammas,)
        lines.append(f"graph [gamma={_quoted(','.join(repr(float(g)) for g in gammas))}];")
    if start_text is not None:
        lines.append(f"graph [start={_quoted(start_text)}];")
    return lines


def dump(mdp: MDP) -> str:
    """The text of a POWERplay ``.gv`` file holding `mdp`.

    Successor graphs (deterministic, each action named after its successor)
    are written plain; every other MDP in the bracketed tripartite form with
    ``repr`` weights, so the probabilities survive exactly.

    Returns
    -------
    str

    Raises
    ------
    InvalidTypeError
        If a label cannot be written so that it reads back the same.

    Examples
    --------
    >>> from powerseek import load
    >>> text = dump(load("candy-wait"))
    >>> [line for line in text.splitlines() if line.startswith('"start" ->')]
    ['"start" -> "candy";', '"start" -> "wait";']
    >>> parse(text, "<gv>", None) == load("candy-wait")
    True
    """
    agents = mdp.metadata.get("agents")
    encode_state = _encoder(agents, agents is not None)
    actions = [a for labels in mdp.actions for a in labels]
    joint_actions = agents is not None and all(
        isinstance(a, tuple) and len(a) == len(agents) for a in actions
    )
    encode_action = _encoder(agents, joint_actions)
    table = mdp.to_dict()
    plain = (
        agents is None
        and mdp.is_deterministic
        and all(
            action == outcome
            for per_action in table.values()
            for action, outcome in per_action.items()
        )
    )
    start = mdp.metadata.get("start")
    lines = _graph_lines(mdp.name, mdp.metadata, None if start is None else encode_state(start))
    if plain:
        lines += [f"{_quoted(encode_state(s))};" for s in mdp.states]
        for state, per_action in table.items():
            for successor in per_action:
                lines.append(
                    f"{_quoted(encode_state(state))} -> {_quoted(encode_state(successor))};"
                )
    else:
        for state in mdp.states:
            s = encode_state(state)
            lines.append(f"{_quoted(f'[{s}]')};")
            for action in mdp.actions_of(state):
                a = encode_action(action)
                node = f"[{a}]__[{s}]"
                lines.append(f"{_quoted(f'[{s}]')} -> {_quoted(node)};")
                for successor, p in mdp.transition(state, action).items():
                    outcome = f"[{encode_state(successor)}]__{node}"
                    lines.append(
                        f"{_quoted(node)} -> {_quoted(outcome)} [weight={_quoted(repr(p))}];"
                    )
    text = "\n".join(lines + ["}"]) + "\n"
    _check_round_trip(mdp, text)
    return text


def _check_round_trip(mdp: MDP, text: str) -> None:
    try:
        reread = parse(text, "<check>", mdp.name)
    except ParseError as exc:
        raise InvalidTypeError(
            f"this MDP cannot be written as .gv ({exc.message}); save it as node-link JSON (.json)."
        ) from None
    for mine, theirs in zip(mdp.states, reread.states):
        if mine != theirs:
            raise InvalidTypeError(
                f"state {quote(mine)} would read back from .gv as {quote(theirs)}; save this MDP "
                "as node-link JSON (.json)."
            )
    if reread.actions != mdp.actions or not reread.same_dynamics(mdp):
        raise InvalidTypeError(
            "this MDP's actions would not read back the same from .gv; save it as node-link JSON "
            "(.json)."
        )


def dump_policy(
    policy: Mapping[Hashable, Mapping[Hashable, float]],
    *,
    name: str | None = None,
    agents: tuple[str, ...] | None = None,
) -> str:
    """The text of a POWERplay policy graph for ``state -> {action: probability}``.

    Parameters
    ----------
    policy : mapping
        ``state -> {action: probability}`` for every state of the graph.
    name : str, optional
        The graph's name; a default when None.
    agents : tuple of str, optional
        Agent tags of joint states (and of joint actions, where they are tuples).

    Returns
    -------
    str

    Examples
    --------
    >>> text = dump_policy({"s": {"go": 0.25, "stay": 0.75}})
    >>> parse_policy(text)
    {'s': {'go': 0.25, 'stay': 0.75}}
    """
    encode_state = _encoder(agents, agents is not None)
    actions = [a for per in policy.values() for a in per]
    encode_action = _encoder(
        agents,
        agents is not None and all(isinstance(a, tuple) and len(a) == len(agents) for a in actions),
    )
    lines = _graph_lines(name, {}, None)
    for state, per_action in policy.items():
        s = f"[{encode_state(state)}]"
        for action, p in per_action.items():
            node = f"[{encode_action(action)}]__{s}"
            lines.append(f"{_quoted(s)} -> {_quoted(node)} [weight={_quoted(repr(float(p)))}];")
    return "\n".join(lines + ["}"]) + "\n"
