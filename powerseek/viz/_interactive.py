"""The interactive report: one offline HTML file with an SVG heatmap, a γ slider and curves.

:func:`report_data` runs the analyses on common reward samples (POWER and
every action's optimality probability at each discount of the sweep) and
returns them as plain JSON-ready data; :func:`build_interactive_report` embeds
that data and a small inline script (``report.js``, no library, no network) in
one page. The page draws the heatmap (a gridworld) or the graph as SVG, every
cell hoverable with POWER ± SE, its interval and its actions' optimality
probabilities; a slider (with a play button) moves the map, the arrows and the
tables through the discounts; clicking a cell draws its POWER and optimality
curves with confidence bands, marking where one action's lead is resolved.

Examples
--------
>>> import powerseek
>>> from powerseek.viz._interactive import report_data, robust_range
>>> data = report_data(powerseek.load("candy-wait"), gamma=0.5, gammas=[0, 0.5, 1],
...                    n_samples=500, rng=0)
>>> data["kind"], data["gammas"], data["initial"]
('graph', [0.0, 0.5, 1.0], 1)
>>> robust_range([0.5, 0.51, 0.52, 0.53, 0.54, 0.55, 0.56, 0.57, 0.58, 0.6, 5.0])
(0.5, 0.6)
"""

from __future__ import annotations

import html
import json
from collections.abc import Hashable, Sequence
from importlib import resources
from typing import Any

import numpy as np

from .._display import robust_range
from .._provenance import software_versions
from .._validation import label_text, stream_seed
from ..analysis import optimality_sweep, power_sweep
from ..exceptions import InvalidParameterError
from ..mdp import MDP
from ..rewards import IID, RewardDistribution
from ._figures import DIRECTIONS, resolved_leaders

__all__ = ["build_interactive_report", "lead_sentence", "report_data", "robust_range"]

#: The most states the interactive page draws (each at every discount, with its actions).
MAX_STATES = 5_000

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 78em; margin: 1.5em auto; padding: 0 1em;
       color: #222; }
h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.88em; }
th, td { border: 1px solid #ccc; padding: 0.15em 0.5em; text-align: right; }
th { background: #f0f3f8; } td.label { text-align: left; font-family: monospace; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; }
.note { color: #555; font-size: 0.9em; }
.row { display: flex; flex-wrap: wrap; gap: 1.5em; align-items: flex-start; }
#detail { flex: 1 1 28em; min-width: 28em; }
.controls { margin: 0.6em 0; display: flex; gap: 0.8em; align-items: center; }
#gamma-slider { width: 22em; }
#tooltip { position: fixed; pointer-events: none; background: #fff; border: 1px solid #888;
           padding: 0.4em 0.6em; font-size: 0.85em; box-shadow: 2px 2px 6px #0003;
           display: none; white-space: pre; z-index: 10; }
.cell { cursor: pointer; } .cell:hover { stroke: #000; stroke-width: 2; }
.selected { stroke: #e6550d !important; stroke-width: 3 !important; }
.scroll { max-height: 28em; overflow-y: auto; }
svg text { font-family: system-ui, sans-serif; }
"""


def _short(x: float, digits: int) -> float:
    return float(f"{float(x):.{digits}g}")


def _rows(array: np.ndarray, digits: int) -> list[list[float]]:
    return [[_short(x, digits) for x in row] for row in np.asarray(array, dtype=float)]


def _geometry(mdp: MDP) -> dict[str, Any]:
    """Where each state is drawn: grid cells, or a graph layout and its edges."""
    layout = mdp.metadata.get("grid")
    if layout is not None:
        marks = dict(layout.marks)
        return {
            "kind": "grid",
            "shape": list(layout.shape),
            "cells": [list(s) for s in mdp.states],
            "marks": [marks.get(s, "") for s in mdp.states],
        }
    import networkx as nx

    graph = nx.Graph()  # the layout of the undirected graph spreads two-way edges apart
    graph.add_nodes_from(range(mdp.n_states))
    for i, state in enumerate(mdp.states):
        for action in mdp.actions_of(state):
            for successor in mdp.transition(state, action):
                if successor != state:
                    graph.add_edge(i, mdp.index(successor))
    position = nx.kamada_kawai_layout(graph) if mdp.n_states > 1 else {0: (0.0, 0.0)}
    xy = np.array([position[i] for i in range(mdp.n_states)], dtype=float)
    xy[:, 1] *= -1  # networkx's y grows upwards, the page's downwards
    xy -= xy.min(axis=0)
    xy /= np.maximum(xy.max(axis=0), 1e-12)
    return {"kind": "graph", "pos": [[round(x, 4), round(y, 4)] for x, y in xy]}


def _pairs(mdp: MDP) -> list[list[list]]:
    """Per state, per action: [direction or None, [[successor index, probability], ...]]."""
    return [
        [
            [
                action if action in DIRECTIONS or action == "stay" else None,
                [[mdp.index(t), _short(p, 6)] for t, p in mdp.transition(state, action).items()],
            ]
            for action in mdp.actions_of(state)
        ]
        for state in mdp.states
    ]


def report_data(
    mdp: MDP,
    *,
    gamma: float,
    gammas: Sequence[float],
    dist: RewardDistribution | None = None,
    n_samples: int = 10_000,
    rng: Any = None,
    highlighted: Sequence[tuple[Hashable, str]] = (),
    progress: bool | None = False,
    seed: Any = None,
) -> dict[str, Any]:
    """The numbers the interactive report shows, as JSON-ready data.

    POWER of every state and the optimality probability of every action at
    each discount of ``gammas ∪ {gamma}``, all on the same reward samples
    (`rng`), so the slider compares like with like and the values at `gamma`
    are exactly :func:`powerseek.power`'s with that seed.

    Parameters
    ----------
    mdp : MDP
        The environment.
    gamma : float
        The discount the page opens at.
    gammas : sequence of float
        The slider's discounts (`gamma` is added if missing).
    dist : RewardDistribution, optional
        Default IID uniform on [0, 1].
    n_samples : int
        The number of reward functions drawn.
    rng : int or numpy.random.Generator, optional
        The seed of the reward samples (default 0).
    highlighted : sequence of (state, reason)
        States to outline and draw curves for, each with the sentence saying why.
    progress : bool or None, default False
        Show a progress bar (None: only on a terminal).
    seed : int, optional
        The old name of `rng` (a FutureWarning; it goes in the next release).

    Raises
    ------
    InvalidParameterError
        For more than :data:`MAX_STATES` states, before any work.

    Returns
    -------
    dict
        ``states``, ``actions``, ``gammas``, ``initial`` (the index of `gamma`),
        ``power`` and ``optimality`` (``mean``/``stderr`` per discount),
        ``scale`` (per discount: colour range and clipped counts), ``leads``
        (per state: the resolved leading action per discount, -1 if none), the
        geometry and the highlighted states.
    """
    dist = IID() if dist is None else dist
    grid = sorted({float(g) for g in gammas} | {float(gamma)})
    if mdp.n_states > MAX_STATES:  # before any work: the page would not open comfortably
        size = (mdp.n_states * 26 + mdp.n_pairs * 30) * len(grid) / 2**20
        raise InvalidParameterError(
            f"{mdp.name or 'the MDP'} has {mdp.n_states} states; the interactive report draws "
            f"every state at every discount (a page of about {size:.0f} MiB here) and takes at "
            f"most {MAX_STATES}. Use the static report (`static=True`), or the table of "
            "`powerseek.power` for the numbers."
        )
    seed = stream_seed(rng, seed, "report_data()")
    options = {"dist": dist, "n_samples": n_samples, "rng": seed, "progress": progress}
    sweep = power_sweep(mdp, grid, **options)
    choices = optimality_sweep(mdp, grid, **options)
    confidence = float(sweep.estimates[0].confidence)
    from scipy import stats

    z = float(stats.norm.ppf(0.5 + confidence / 2))
    power_mean = np.array([e.mean for e in sweep.estimates])
    power_se = np.array([e.stderr for e in sweep.estimates])
    P = np.array([r.probability for r in choices])
    E = np.array([r.stderr for r in choices])
    offsets = np.asarray(mdp.pair_offsets)
    leads = []
    for i in range(mdp.n_states):
        a, b = offsets[i], offsets[i + 1]
        leads.append(resolved_leaders(P[:, a:b], E[:, a:b], z).tolist() if b - a > 1 else [])
    scale = []
    for row in power_mean:
        lo, hi = robust_range(row)
        scale.append([_short(lo, 10), _short(hi, 10), int((row < lo).sum()), int((row > hi).sum())])
    index = {s: i for i, s in enumerate(mdp.states)}
    at = grid.index(float(gamma))
    lead = lead_sentence(mdp, float(gamma), power_mean[at], options, confidence)
    return {
        "name": mdp.name or "environment",
        **_geometry(mdp),
        "states": [label_text(s) for s in mdp.states],
        "actions": [[label_text(a) for a in mdp.actions_of(s)] for s in mdp.states],
        "pairs": _pairs(mdp),
        "offsets": offsets.tolist(),
        "gammas": grid,
        "initial": grid.index(float(gamma)),
        "confidence": confidence,
        "z": z,
        "n_samples": int(sweep.estimates[0].n_samples),
        "power": {"mean": _rows(power_mean, 10), "stderr": _rows(power_se, 10)},
        "optimality": {"mean": _rows(P, 6), "stderr": _rows(E, 5)},
        "scale": scale,
        "leads": leads,
        "highlighted": [[index[s], why] for s, why in highlighted],
        "solver": str(sweep.solver[grid.index(float(gamma))].get("method")),
        "lead": lead,
    }


def lead_sentence(
    mdp: MDP, gamma: float, power: Sequence[float], options: dict[str, Any], confidence: float
) -> str:
    """Which state has the most POWER, and by how much it leads the runner-up.

    The two states of highest POWER compared on the same samples as `power`
    (:func:`powerseek.analysis.compare_power` with the same `options`): the
    difference with its paired standard error, far below the two standard errors
    combined when the states share their futures, and whether the lead is
    resolved at `confidence`.

    Parameters
    ----------
    mdp : MDP
        The environment.
    gamma : float
        The discount.
    power : sequence of float
        POWER of every state at `gamma`, from `options`' samples.
    options : dict
        ``dist``, ``n_samples``, ``rng`` (an integer seed) and ``progress``.
    confidence : float
        The confidence at which the lead counts as resolved.

    Returns
    -------
    str
        Empty for a one-state MDP.
    """
    from ..analysis import compare_power

    if mdp.n_states < 2:
        return ""
    first, second = (mdp.states[i] for i in np.argsort(-np.asarray(power), kind="stable")[:2])
    result = compare_power(mdp, gamma, [first, second], **options)
    d, se = result.difference(first, second)
    resolved = bool(result.resolved(confidence, "none")[0, 1])
    return (
        f"Most POWER at γ = {gamma:g}: {label_text(first)}. {result.lead_text(first, second)} "
        f"(the paired standard error on the same {result.provenance['n_samples']:,} samples; "
        f"the two standard errors combined would give ± "
        f"{result.independent_stderr(first, second):.4f}), "
        + ("resolved" if resolved else "not resolved")
        + f" at {confidence:.0%}."
    )


def _script() -> str:
    return resources.files(__package__).joinpath("report.js").read_text(encoding="utf-8")


#: Characters written as JSON \u escapes inside the page's data element. With no "<" left
#: the HTML parser cannot leave the script-data state ("</script", and "<!--" followed by
#: "<script", which would make the data swallow the page's script); "&" and ">" are escaped
#: for parsers that treat the element as markup, and U+2028/2029 for old JavaScript.
_EMBED_ESCAPES = {ord(c): f"\\u{ord(c):04x}" for c in "<>&\u2028\u2029"}


def _embed(data: dict[str, Any]) -> str:
    """The page's data as JSON text that no HTML parser state can end early.

    Examples
    --------
    >>> print(_embed({"label": "<!--<script></script>&"}))
    {"label":"\\u003c!--\\u003cscript\\u003e\\u003c/script\\u003e\\u0026"}
    >>> json.loads(_embed({"label": "<!--<script>"}))["label"]
    '<!--<script>'
    """
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.translate(_EMBED_ESCAPES)


def build_interactive_report(
    data: dict[str, Any],
    *,
    title: str,
    intro: Sequence[str] = (),
    sections: Sequence[str] = (),
    settings: dict[str, Any] | None = None,
) -> str:
    """The page: `data` from :func:`report_data`, drawn by the inline script.

    Parameters
    ----------
    data : dict
        From :func:`report_data`.
    title : str
        The page's title.
    intro : sequence of str
        HTML paragraphs before the map (the environment's description).
    sections : sequence of str
        HTML of further sections (bounded agent, two agents), after the tendencies.
    settings : dict, optional
        What reproduces the numbers (seed, samples, versions, command).

    Returns
    -------
    str
        A complete HTML document that loads nothing from the network.
    """
    settings = {**(settings or {}), **software_versions()}
    rows = "".join(
        f'<tr><td class="label">{html.escape(str(k))}</td>'
        f'<td class="label">{html.escape(str(v))}</td></tr>'
        for k, v in settings.items()
    )
    what = "cell" if data["kind"] == "grid" else "state"
    body = f"""
<h1>{html.escape(title)}</h1>
{"".join(intro)}
<h2>POWER</h2>
<p>POWER of every {what} from {data["n_samples"]} reward samples, the same samples at every
discount, with standard errors and {data["confidence"]:.0%} intervals. Hover a {what} for its
numbers and its actions' optimality probabilities; click it for its curves against γ.
Arrows: each move's probability of being optimal (length; a dot for staying).</p>
<p id="lead">{html.escape(data.get("lead", ""))}</p>
<div class="controls">
<button id="play" type="button">▶ play</button>
<label for="gamma-slider">γ</label>
<input id="gamma-slider" type="range" min="0" max="{len(data["gammas"]) - 1}" step="1"
 value="{data["initial"]}">
<output id="gamma-value"></output>
<label><input id="show-arrows" type="checkbox" checked> arrows</label>
</div>
<div class="row">
<div><svg id="map" role="img" aria-label="POWER map"></svg>
<p id="scale-note" class="note"></p></div>
<div id="detail"><h3 id="detail-title"></h3><div id="detail-curves"></div>
<div id="detail-table"></div></div>
</div>
<h2>Highlighted states</h2>
<ul id="highlights"></ul>
<h2>POWER against the discount</h2>
<p class="note">Lines: POWER of the highlighted states against γ; bands: their
{data["confidence"]:.0%} intervals. The dotted line is the slider's γ.</p>
<div id="overview"></div>
<h2>POWER table</h2>
<div class="scroll"><table id="power-table"></table></div>
{"".join(sections)}
<h2>Settings</h2>
<table>{rows}</table>
<div id="tooltip"></div>
"""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"{body}\n"
        f'<script type="application/json" id="powerseek-data">{_embed(data)}</script>\n'
        f"<script>\n{_script()}\n</script>\n</body>\n</html>\n"
    )
