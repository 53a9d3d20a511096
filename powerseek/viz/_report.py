"""A self-contained HTML report on one environment: POWER, pictures, tendencies, settings.

:func:`build_report` runs the analyses (POWER at one discount with standard
errors, a γ sweep on common samples, action optimality probabilities) and
returns the HTML text; :func:`write_report` writes it atomically. By default
the page is interactive (:mod:`powerseek.viz._interactive`: an SVG map with a γ
slider, hover values and click-through curves, one file that loads nothing
from the network); ``static=True`` gives the page of PNG figures for journals
and e-mail (it needs matplotlib). The settings section records everything
needed to reproduce the numbers: seed, samples, distribution, discounts, the
command line and the versions of powerseek and its dependencies.

Examples
--------
>>> import powerseek
>>> from powerseek.viz._report import build_report
>>> page = build_report(powerseek.load("candy-wait"), n_samples=500, rng=0)
>>> 'id="gamma-slider"' in page and "https://" not in page
True
>>> page = build_report(powerseek.load("candy-wait"), n_samples=500, rng=0, static=True)
>>> "<h2>POWER</h2>" in page and "data:image/png;base64," in page
True
"""

from __future__ import annotations

import base64
import html
import io
import secrets
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._display import curves_svg, heatmap_html, table_html
from .._provenance import software_versions
from .._validation import label_text
from ..agents import as_rule, choice_probability, rule_power
from ..analysis import optimality, optimality_sweep, power, power_sweep
from ..exceptions import InvalidParameterError, PowerseekError
from ..io import check_output_folder, write_text_atomic
from ..mdp import MDP, gridworld
from ..rewards import IID, RewardDistribution
from . import _figures as plotting
from ._interactive import lead_sentence

__all__ = ["DEFAULT_GAMMAS", "build_report", "write_report"]

#: Discounts of the report's γ curves.
DEFAULT_GAMMAS = tuple(np.round(np.linspace(0, 1, 11), 2))
_MAX_TABLE = 200
_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em;
       color: #222; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: right; }
th { background: #f0f3f8; } td.label { text-align: left; font-family: monospace; }
pre { background: #f6f6f6; padding: 0.8em; overflow-x: auto; }
img { max-width: 100%; } .note { color: #555; font-size: 0.9em; }
"""


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight", dpi=110)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="figure" src="data:image/png;base64,{data}">'


def _e(value: Any) -> str:
    return html.escape(str(value))


def _report_seed(rng: Any) -> int:
    """The integer seed a report records: `rng` itself, one draw of a Generator, or fresh."""
    if rng is None:
        return secrets.randbits(32)
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(2**32))
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)) or rng < 0:
        raise InvalidParameterError(
            f"`rng` must be None, a non-negative integer seed or a numpy Generator; got {rng!r}."
        )
    return int(rng)


def _default_states(mdp: MDP, values: np.ndarray, states, gamma: float) -> list[tuple]:
    """The states to highlight, each with the sentence saying why it was chosen."""
    if states is not None:
        unknown = [s for s in states if s not in mdp]
        if unknown:
            raise InvalidParameterError(f"{label_text(unknown[0])} is not a state of the MDP.")
        return [(s, "asked for with --states.") for s in dict.fromkeys(states)]
    chosen: dict = {}
    start = mdp.metadata.get("start")
    if start is not None:
        chosen[start] = "the environment's start state."
    order = np.argsort(values, kind="stable")
    ranks = ("most", "second most", "third most")
    picks = [*zip(ranks, order[::-1][:3]), *zip(("least", "second least"), order[:2])]
    for rank, k in picks:
        state, why = mdp.states[k], f"the {rank} powerful state at γ = {gamma:g}."
        chosen[state] = f"{chosen[state][:-1]}, and {why}" if state in chosen else why
    return list(chosen.items())[:6]


def _choice_states(mdp: MDP, states: Sequence[Hashable]) -> list:
    chosen = [s for s in states if len(mdp.actions_of(s)) > 1]
    if not chosen:
        chosen = [s for s in mdp.states if len(mdp.actions_of(s)) > 1][:1]
    return chosen[:3]


def build_report(
    mdp: MDP,
    *,
    gamma: float | None = None,
    gammas: Sequence[float] = DEFAULT_GAMMAS,
    dist: RewardDistribution | None = None,
    n_samples: int = 10_000,
    rng: Any = None,
    states: Sequence[Hashable] | None = None,
    command: str | None = None,
    progress: bool | None = False,
    rule: Any = None,
    static: bool = False,
    env: str | None = None,
) -> str:
    """The HTML report on `mdp`: interactive by default, PNG figures with `static`.

    Parameters
    ----------
    mdp : MDP
        The environment.
    gamma : float, optional
        The discount of the POWER table, heatmap and tendencies (default: the
        environment's first suggested γ, else 0.9).
    gammas : sequence of float
        The discounts of the γ curves.
    dist : RewardDistribution, optional
        Default IID uniform on [0, 1].
    n_samples : int
        Reward samples, shared by every analysis (common random numbers).
    rng : None, int or numpy.random.Generator
        The seed of every analysis in the report, recorded in it so that the
        numbers can be reproduced: an int is used as it is, a Generator gives
        one draw, None a fresh random seed.
    states : sequence, optional
        States for the γ curves and tendencies (default: the start state and
        the most and least powerful ones).
    command : str, optional
        The command line, recorded for reproduction.
    progress : bool or None, default False
        Progress bars for the analyses (None: only on a terminal).
    rule : DecisionRule or str, optional
        Adds a section on that bounded agent (:mod:`powerseek.agents`): its
        POWER beside the optimal agent's on the same samples, and its choice
        probabilities at the chosen states.
    static : bool, default False
        The page of PNG figures (needs matplotlib) instead of the interactive
        one (inline SVG and script, no dependency).
    env : str, optional
        How ``powerseek`` commands name the environment (a catalog name or a file),
        for the commands that reproduce the numbers; default the MDP's name where
        the catalog has it.

    Returns
    -------
    str
        The HTML text, figures and script embedded: the file stands alone offline.
    """
    env = _command_name(mdp, env)
    dist = IID() if dist is None else dist
    if gamma is None:
        gamma = float(mdp.metadata.get("gamma", (0.9,))[0])
    seed = _report_seed(rng)
    settings = {
        "seed": seed,
        "reward samples": n_samples,
        "distribution": dist.describe(),
        "gamma": f"{gamma:g}",
        "gamma curve": ", ".join(f"{g:g}" for g in gammas),
        **({"bounded agent": str(as_rule(rule))} if rule is not None else {}),
        **({"command": command} if command else {}),
    }
    if static:
        return _static_report(
            mdp, gamma, gammas, dist, n_samples, seed, states, settings, progress, rule, env
        )
    from ._interactive import build_interactive_report, report_data

    options = {"dist": dist, "n_samples": n_samples, "progress": progress}
    result = power(mdp, gamma, rng=seed, **options)
    highlighted = _default_states(mdp, np.asarray(result.estimate.mean), states, gamma)
    data = report_data(
        mdp, gamma=gamma, gammas=gammas, rng=seed, highlighted=highlighted, **options
    )
    settings["solver"] = data["solver"]
    settings["reproduce POWER"] = (
        f"powerseek power {env} --gamma {gamma:g} --samples {n_samples} --seed {seed} --format json"
    )
    sections = _environment(mdp) + _level_section(mdp, result, gamma, static=False)
    sections += _impact_section(mdp, gamma, seed, env)
    choice_states = _choice_states(mdp, [s for s, _ in highlighted])
    joint = _joint_world(mdp)
    if joint is not None:
        sections += _two_agent_section(joint, gamma, dist, n_samples, seed, progress, False)
    if rule is not None:
        sections += _rule_section(
            mdp, as_rule(rule), gamma, result, choice_states, seed, options, False
        )
    sections += _empowerment_section(mdp, result, env)
    return build_interactive_report(
        data,
        title=f"powerseek report: {mdp.name or 'environment'}",
        intro=_intro(mdp),
        sections=sections,
        settings=settings,
    )


def _command_name(mdp: MDP, env: str | None) -> str:
    """The environment as a ``powerseek`` command names it (quoted for a shell)."""
    import shlex

    from ..io import catalog_path

    if env is None:
        # the catalog's files by name, without compiling them as list_environments does
        folder = catalog_path()
        named = folder.is_dir() and any(p.stem == mdp.name for p in folder.iterdir())
        env = mdp.name if named else "ENV"
    return shlex.quote(str(env))


def _intro(mdp: MDP) -> list[str]:
    """The environment's title, description and source."""
    parts = []
    meta = mdp.metadata
    if meta.get("title"):
        parts.append(f"<p><strong>{_e(meta['title'])}</strong></p>")
    for key in ("description", "source"):
        if meta.get(key):
            parts.append(f'<p class="note">{_e(key)}: {_e(" ".join(str(meta[key]).split()))}</p>')
    kind = "deterministic" if mdp.is_deterministic else "stochastic"
    parts.append(f"<p>{mdp.n_states} states, {mdp.n_pairs} state-action pairs, {kind}.</p>")
    return parts


def _environment(mdp: MDP) -> list[str]:
    """The environment's map (gridworlds) or its table of actions."""
    parts = ["<h2>Environment</h2>"]
    if "grid" in mdp.metadata:
        parts.append(f"<pre>{_e(gridworld.render(mdp))}</pre>")
    else:
        rows = "".join(
            f'<tr><td class="label">{_e(label_text(s))}</td><td class="label">'
            + _e("; ".join(_outcome(mdp, s, a) for a in mdp.actions_of(s)))
            + "</td></tr>"
            for s in mdp.states[:_MAX_TABLE]
        )
        parts.append(f"<table><tr><th>state</th><th>actions</th></tr>{rows}</table>")
    return parts


def _level_section(mdp: MDP, result: Any, gamma: float, static: bool) -> list[str]:
    """An object level's objects, its POWER map for the start's objects, its side effects."""
    from ..agents import side_effect_probabilities

    level = mdp.metadata.get("level")
    if level is None or not hasattr(level, "agent_slice"):
        return []
    parts = ["<h2>Objects</h2>", f"<pre>{_e(level.summary())}</pre>"]
    parts.append(f"<pre>{_e(chr(10).join(level.art))}</pre>")
    start = mdp.metadata.get("start", mdp.states[0])
    caption = (
        f"POWER at γ = {gamma:g} with the agent in each cell and the objects of the start "
        f"({_e(str(start))}); boxes X, coins C, vases V, goals G marked"
    )
    if static:
        fig, _ = plotting.power_heatmap(mdp, result, title=f"POWER at γ = {gamma:g}")
        parts += [f"<p>{caption}.</p>", _png(fig)]
    else:
        chosen = level.agent_slice(mdp)
        cells = sorted(chosen)
        order = [chosen[c] for c in cells]
        marks = level.marks(mdp.states[order[0]] if order else start)
        parts.append(
            heatmap_html(
                cells,
                np.asarray(result.power)[order],
                stderr=np.asarray(result.stderr)[order],
                shape=(len(level.art), len(level.art[0])),
                marks=marks,
                caption=caption + " (hover: ± standard error)",
                blank={c: m for c, m in marks.items() if c not in chosen},
            )
        )
    if gamma < 1 and level.side_effects:
        found = side_effect_probabilities(mdp, gamma)
        rows = "".join(
            f'<tr><td class="label">{_e(name)}</td><td>{float(p[0]):.4f}</td></tr>'
            for name, p in found.items()
        )
        parts.append(
            f"<p>The probability that the optimal agent of the level's task reward (uniform "
            f"among tied actions) causes each side effect, at γ = {gamma:g} (exact; "
            "<code>powerseek side-effects</code> for other agents and reward draws):</p>"
            f"<table><tr><th>side effect</th><th>probability</th></tr>{rows}</table>"
        )
    return parts


#: Auxiliary rewards of the report's AUP penalty (the Conservative Agency code's number).
_REPORT_AUX = 30
#: Most states of an object level the report computes impact for.
_IMPACT_STATES = 200_000


def _impact_section(mdp: MDP, gamma: float, seed: int, env: str) -> list[str]:
    """An object level's AUP penalty over the map and its impact level as a strip."""
    from ..impact import attainable_utility, aup_penalty, impact_level

    level = mdp.metadata.get("level")
    if (
        level is None
        or not hasattr(level, "agent_slice")
        or not getattr(level, "noop", False)
        or not mdp.is_deterministic
        or mdp.n_states > _IMPACT_STATES
        or not 0 < gamma < 1
    ):
        return []
    au = attainable_utility(mdp, gamma, n_aux=_REPORT_AUX, rng=seed)
    penalty = aup_penalty(au, mdp)
    worst = np.maximum.reduceat(penalty, mdp.pair_offsets[:-1])
    chosen = level.agent_slice(mdp)
    cells = sorted(chosen)
    start = mdp.metadata.get("start", mdp.states[0])
    marks = level.marks(mdp.states[chosen[cells[0]]] if cells else start)
    parts = [
        "<h2>Impact</h2>",
        heatmap_html(
            cells,
            worst[[chosen[c] for c in cells]],
            shape=(len(level.art), len(level.art[0])),
            marks=marks,
            caption=(
                f"The largest AUP penalty of an action from each cell (the objects of the "
                f"start; {_REPORT_AUX} auxiliary rewards IID uniform on [0, 1], seed {seed}, "
                f"γ = {gamma:g}; stepwise baseline, per-AU scaling)"
            ),
            blank={c: m for c, m in marks.items() if c not in chosen},
        ),
    ]
    found = impact_level(mdp, penalty, gamma)
    parts.append(_budget_strip(found))
    low, plan = found.first_safe()
    parts.append(
        "<p>No policy of the penalised agent does the task without a side effect.</p>"
        if plan is None
        else f"<p>The first safe policy ({_e(plan)}) is chosen for budgets R &gt; "
        f"{float(low):.6g}, that is for λ &lt; {float(1 / low):.6g}; "
        f"<code>powerseek impact {_e(env)} --partition --seed {seed} "
        f"--gamma {gamma:g}</code> prints the partition exactly.</p>"
    )
    return parts


#: Sequence length of the report's empowerment section.
_REPORT_STEPS = 3
#: The report's empowerment is computed for worlds up to this many states.
_EMPOWERMENT_STATES = 200_000


def _empowerment_section(mdp: MDP, power_result: Any, env: str) -> list[str]:
    """A gridworld's 3-step empowerment as a map, and its rank agreement with POWER."""
    from scipy.stats import spearmanr

    from ..exceptions import SearchLimitError
    from ..measures import empowerment

    if "grid" not in mdp.metadata or mdp.n_states > _EMPOWERMENT_STATES:
        return []
    command = f"powerseek empowerment {env} --steps {_REPORT_STEPS}"
    try:
        result = empowerment(mdp, _REPORT_STEPS, max_entries=5_000_000)
    except (InvalidParameterError, SearchLimitError) as exc:
        return ["<h2>Empowerment</h2>", f"<p>Not computed here: {_e(str(exc))}</p>"]
    layout = mdp.metadata["grid"]
    exact = "exact" if result.method == "count" else f"within {result.bound:.1g} bits"
    parts = [
        "<h2>Empowerment</h2>",
        heatmap_html(
            list(mdp.states),
            result.values,
            shape=layout.shape,
            marks=dict(layout.marks),
            caption=f"{_REPORT_STEPS}-step empowerment in bits ({exact}; {command})",
        ),
    ]
    power_values = np.asarray(power_result.estimate.mean)
    if mdp.n_states > 2 and np.ptp(result.values) > 0 and np.ptp(power_values) > 0:
        rho = float(spearmanr(result.values, power_values).statistic)
        parts.append(
            f"<p>Spearman rank correlation with POWER at γ = {power_result.gamma:g} over the "
            f"{mdp.n_states} states: {rho:.3f}.</p>"
        )
    return parts


def _budget_strip(found: Any) -> str:
    """The impact level as a strip over log R: one segment per policy, coloured by outcome."""
    intervals = found.partition.intervals
    finite = [float(x) for _, lo, hi in intervals for x in (lo, hi) if x is not None and x > 0]
    left = min(finite) / 2 if finite else 0.5
    right = max(finite) * 2 if finite else 2.0
    span = np.log(right) - np.log(left)
    segments = []
    for plan, low, high in intervals:
        a = max(float(low), left)
        b = right if high is None else float(high)
        width = max(0.5, 100 * (np.log(b) - np.log(a)) / span)
        outcome = found.outcomes[plan]
        effects = [k for k, v in outcome.side_effects.items() if v]
        colour = "#d9534f" if effects else ("#5cb85c" if plan in found.safe else "#cccccc")
        verdict = ", ".join(effects) if effects else ("safe" if plan in found.safe else "no goal")
        text = f"{plan}: {verdict}"
        tip = f"R in ({float(low):.6g}, {'∞' if high is None else f'{float(high):.6g}'}]: {text}"
        segments.append(
            f'<div title="{_e(tip)}" style="flex: 0 0 {width:.3f}%; background: {colour}; '
            f'overflow: hidden; white-space: nowrap; font-size: 80%; padding: 2px">'
            f"{_e(plan)}</div>"
        )
    return (
        "<p>Which policy the penalised agent follows at each impact budget R = 1/λ (log "
        "scale, from "
        f"{left:.3g} to {right:.3g}; red: a side effect, green: the task done without one, "
        "grey: neither; hover for the budgets):</p>"
        f'<div style="display: flex; width: 100%; border: 1px solid #888">{"".join(segments)}</div>'
    )


def _static_report(
    mdp, gamma, gammas, dist, n_samples, seed, states, settings, progress, rule, env
):
    """The page of PNG figures (matplotlib), for journals and e-mail."""
    options = {"dist": dist, "n_samples": n_samples, "progress": progress}
    result = power(mdp, gamma, rng=seed, **options)
    values = np.asarray(result.estimate.mean)
    highlighted = _default_states(mdp, values, states, gamma)
    chosen = [s for s, _ in highlighted]
    sweep = power_sweep(mdp, list(gammas), rng=seed, **options)
    choice_states = _choice_states(mdp, chosen)
    is_grid = "grid" in mdp.metadata

    parts = [f"<h1>{_e(mdp.name or 'Environment')}</h1>", *_intro(mdp), *_environment(mdp)]
    parts += _level_section(mdp, result, gamma, static=True)
    parts += _impact_section(mdp, gamma, seed, env)
    parts.append("<h2>POWER</h2>")
    parts.append(
        f"<p>POWER at γ = {gamma:g} from {n_samples} reward samples ({_e(dist.describe())}), "
        f"with standard errors and {result.estimate.confidence:.0%} intervals.</p>"
    )
    lead = lead_sentence(mdp, gamma, values, {**options, "rng": seed}, result.estimate.confidence)
    if lead:
        parts.append(f'<p id="lead">{_e(lead)}</p>')
    picture = (
        plotting.power_heatmap(mdp, result, stderr=mdp.n_states <= 60)
        if is_grid
        else (plotting.draw_graph(mdp, result) if mdp.n_states <= 40 else None)
    )
    if picture is not None:
        parts.append(_png(picture[0]))
    table = "".join(
        f'<tr><td class="label">{_e(label_text(s))}</td><td>{m:.4f}</td><td>{e:.4f}</td>'
        f"<td>[{lo:.4f}, {hi:.4f}]</td></tr>"
        for s, m, e, lo, hi in zip(
            result.states,
            result.estimate.mean,
            result.estimate.stderr,
            result.estimate.ci_low,
            result.estimate.ci_high,
        )
    )
    parts.append(
        "<table><tr><th>state</th><th>POWER</th><th>stderr</th><th>interval</th></tr>"
        f"{table}</table>"
    )

    parts.append("<h2>POWER against the discount</h2>")
    parts.append(
        f"<p>On common samples at γ = {', '.join(f'{g:g}' for g in gammas)} "
        "(0 and 1 are the limits). The states drawn:</p><ul>"
        + "".join(f"<li>{_e(label_text(s))}: {_e(why)}</li>" for s, why in highlighted)
        + "</ul>"
    )
    parts.append(_png(plotting.power_vs_gamma(sweep, chosen)[0]))

    parts.append("<h2>Action tendencies</h2>")
    every = optimality(mdp, gamma, rng=seed, **options)  # every state, one solve
    if is_grid:
        fig, ax = plotting.power_heatmap(mdp, result, title=f"Optimal moves at γ = {gamma:g}")
        plotting.tendency_overlay(mdp, every, ax=ax)
        parts.append("<p>Arrow length: the probability that the move is optimal; dot: staying.</p>")
        parts.append(_png(fig))
    for state in choice_states:
        results = optimality_sweep(mdp, list(gammas), state=state, rng=seed, **options)
        parts.append(f"<h3>State {_e(label_text(state))}</h3>")
        parts.append(_png(plotting.optimality_vs_gamma(results, state)[0]))
        parts.append(
            f"<table><tr><th>action</th><th>P at γ = {gamma:g}</th><th>stderr</th></tr>"
            f"{_action_rows(mdp, state, every)}</table>"
        )
    if not choice_states:
        parts.append("<p>No state has more than one action.</p>")

    joint = _joint_world(mdp)
    if joint is not None:
        parts += _two_agent_section(joint, gamma, dist, n_samples, seed, progress, True)
    if rule is not None:
        parts += _rule_section(
            mdp, as_rule(rule), gamma, result, choice_states, seed, options, True
        )

    parts += _empowerment_section(mdp, result, env)
    parts.append("<h2>Settings</h2>")
    settings = {**settings, "solver": result.solver.get("method"), **software_versions()}
    rows = "".join(
        f'<tr><td class="label">{_e(k)}</td><td class="label">{_e(v)}</td></tr>'
        for k, v in settings.items()
    )
    parts.append(f"<table>{rows}</table>")
    title = _e(f"powerseek report: {mdp.name or 'environment'}")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(parts)
        + "\n</body>\n</html>\n"
    )


def _action_rows(mdp: MDP, state: Hashable, result) -> str:
    """Table rows of `state`'s actions: the probability in `result` and its standard error."""
    return "".join(
        f'<tr><td class="label">{_e(label_text(a))}</td><td>{result.of(state, a):.4f}</td>'
        f"<td>{result.stderr_of(state, a):.4f}</td></tr>"
        for a in mdp.actions_of(state)
    )


def _rule_section(mdp, rule, gamma, optimal, states, seed, options, static) -> list[str]:
    """The bounded-agent section: the rule's POWER beside POWER, and its choices."""
    if gamma == 1.0:
        return [
            f"<h2>Bounded agent: {_e(str(rule))}</h2>",
            "<p>The POWER of a bounded agent is computed for γ below 1; choose --gamma.</p>",
        ]
    ours = rule_power(mdp, gamma, rule, rng=seed, **options)
    parts = [f"<h2>Bounded agent: {_e(str(rule))}</h2>"]
    parts.append(
        f"<p>POWER of the {_e(str(rule))} agent at γ = {gamma:g}, E[Σ_a π(a|s) E (1−γ)V^π(s')], "
        "on the same reward samples as the optimal agent's POWER above; it is at most POWER "
        "sample by sample (docs/bounded-agents.md).</p>"
    )
    if "grid" in mdp.metadata and static:
        parts.append(
            _png(plotting.power_heatmap(mdp, ours, title=f"POWER of {rule} at γ = {gamma:g}")[0])
        )
    elif "grid" in mdp.metadata:
        parts.append(
            heatmap_html(
                mdp.states,
                ours.power,
                stderr=ours.stderr,
                shape=mdp.metadata["grid"].shape,
                caption=f"POWER of {rule} at γ = {gamma:g} (hover: ± standard error)",
            )
        )
    rows = "".join(
        f'<tr><td class="label">{_e(label_text(s))}</td><td>{p:.4f}</td><td>{e:.4f}</td>'
        f"<td>{q:.4f}</td></tr>"
        for s, p, e, q in zip(mdp.states, ours.power, ours.stderr, optimal.power)
    )
    parts.append(
        f"<table><tr><th>state</th><th>POWER of {_e(str(rule))}</th><th>stderr</th>"
        f"<th>POWER (optimal)</th></tr>{rows}</table>"
    )
    for state in states:
        choice = choice_probability(mdp, gamma, rule, state=state, rng=seed, **options)
        parts.append(
            f"<h3>Choices at {_e(label_text(state))}</h3><table><tr><th>action</th>"
            f"<th>P(chosen) at γ = {gamma:g}</th><th>stderr</th></tr>"
            f"{_action_rows(mdp, state, choice)}</table>"
        )
    return parts


#: Reward correlations of the report's two-agent section.
REPORT_CORRELATIONS = (-1.0, -0.5, 0.0, 0.5, 1.0)


def _joint_world(mdp: MDP):
    """The MDP as a two-agent world (with the agents' map where cells allow), or None."""
    from ..mdp.gridworld import GridLayout
    from ..multiagent import JointMDP

    if "agents" not in mdp.metadata:
        return None
    try:
        joint = JointMDP.from_mdp(mdp)
    except PowerseekError:
        return None
    cells = [cell for state in joint.states for cell in state]
    if "agent_grid" not in mdp.metadata and all(
        isinstance(c, tuple) and len(c) == 2 and all(isinstance(x, int) and x >= 0 for x in c)
        for c in cells
    ):
        shape = (max(r for r, _ in cells) + 1, max(c for _, c in cells) + 1)
        joint = JointMDP(mdp.with_metadata(agent_grid=GridLayout(shape=shape)), joint.agents)
    return joint


def _two_agent_section(joint, gamma, dist, n_samples, seed, progress, static) -> list[str]:
    """POWER of the first agent against a random second one, and the correlation sweep."""
    from ..multiagent import correlation_sweep, fixed_policy_power
    from . import _multiagent as joint_figures

    h, a = joint.agents
    parts = ["<h2>Two agents</h2>"]
    if not 0.0 < gamma < 1.0 or not isinstance(dist, IID):
        return parts + [
            "<p>The two-agent analyses need 0 &lt; γ &lt; 1 and an IID reward distribution.</p>"
        ]
    result = fixed_policy_power(
        joint, gamma, other_policy="uniform", dist=dist, n_samples=n_samples, rng=seed,
        progress=progress,
    )  # fmt: skip
    parts.append(
        f"<p>POWER of {_e(h)} at every joint state while {_e(a)} moves uniformly at random, "
        f"at γ = {gamma:g}, largest standard error {float(result.stderr.max()):.2g}.</p>"
    )
    if static and "agent_grid" in joint.mdp.metadata and joint.mdp.n_states <= 2500:
        parts.append(_png(joint_figures.joint_power_grid(joint, result)[0]))
    elif not static:
        top = np.argsort(-np.asarray(result.power), kind="stable")[:5]
        parts.append(
            table_html(
                ["joint state", f"POWER of {h}", "stderr"],
                [
                    [label_text(joint.mdp.states[k]), float(result.power[k]),
                     float(result.stderr[k])]
                    for k in top
                ],
                caption=f"The joint states where {h} is most powerful",
            )
        )  # fmt: skip
    sweep = correlation_sweep(
        joint, list(REPORT_CORRELATIONS), gamma, dist=dist, n_samples=n_samples, rng=seed
    )
    parts.append(
        f"<p>{_e(a)} with a reward of its own, correlated with {_e(h)}'s (c from −1 to 1); "
        f"{_e(h)} plays optimally against a random {_e(a)}, and {_e(a)} responds optimally. "
        f"The correlation of their POWER across joint states:</p>"
    )
    if static:
        parts.append(_png(joint_figures.power_correlation_plot(sweep)[0]))
    else:
        r = np.asarray(sweep.power_correlation, dtype=float)
        se = np.nan_to_num(np.asarray(sweep.power_correlation_stderr, dtype=float))
        parts.append(
            curves_svg(
                sweep.correlations,
                {"corr(POWER)": (r, r - 1.96 * se, r + 1.96 * se)},
                xlabel="reward correlation c",
            )
        )
    rows = "".join(
        f"<tr><td>{c:g}</td><td>{r:.3f}</td><td>{se:.3f}</td>"
        f"<td>{float(first.mean.mean()):.4f}</td><td>{float(second.mean.mean()):.4f}</td></tr>"
        for c, r, se, first, second in zip(
            sweep.correlations,
            sweep.power_correlation,
            np.nan_to_num(sweep.power_correlation_stderr),
            sweep.power_first,
            sweep.power_second,
        )
    )
    parts.append(
        f"<table><tr><th>c</th><th>corr(POWER_{_e(h)}, POWER_{_e(a)})</th><th>stderr</th>"
        f"<th>mean POWER_{_e(h)}</th><th>mean POWER_{_e(a)}</th></tr>{rows}</table>"
    )
    return parts


def _outcome(mdp: MDP, state: Hashable, action: Hashable) -> str:
    outcome = mdp.transition(state, action)
    if len(outcome) == 1:
        (successor,) = outcome
        if successor == action:
            return label_text(successor)
        return f"{label_text(action)} -> {label_text(successor)}"
    spread = ", ".join(f"{label_text(t)} {p:.3g}" for t, p in outcome.items())
    return f"{label_text(action)} -> {{{spread}}}"


def write_report(mdp: MDP, directory: str | Path, **options: Any) -> Path:
    """Build the report and write it as ``directory/report.html``.

    Parameters
    ----------
    mdp : MDP
        The environment.
    directory : str or Path
        The folder to write into; it is created if needed, not the folders above it.
    **options
        The keyword options of :func:`build_report` (``gamma``, ``rng``, ...).

    Returns
    -------
    Path
        The report file written.
    """
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise InvalidParameterError(f"{str(directory)!r} exists and is not a folder.")
    check_output_folder(directory)  # before the work, not after
    text = build_report(mdp, **options)
    directory.mkdir(exist_ok=True)
    return write_text_atomic(directory / "report.html", text)
