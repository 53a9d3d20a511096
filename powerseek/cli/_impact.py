"""``powerseek impact ablation``: Conservative Agency's ablation, computed exactly.

``powerseek impact ablation [--levels L,...] [--agents A,...] [--n-aux N,...]
[--draws D] [--lambda X] [--seed S] [--format table|json|csv]`` prints, for each
agent and AUP level, the probability over draws of the auxiliary rewards that the
agent reaches the level's best outcome, with its standard error.
"""

from __future__ import annotations

import argparse
import csv
from typing import TextIO

from ..exceptions import InvalidParameterError
from ._common import (
    ENV_HELP,
    add_max_work,
    check_positive,
    check_work,
    count,
    seed_from,
    write_json,
)

__all__ = ["add_parser"]

#: The record fields, in the order of the CSV columns.
FIELDS = ("agent", "level", "label", "best_outcome_probability", "stderr", "n_aux", "lambda")


def add_parser(commands) -> None:
    """Add ``impact`` to the CLI's subparsers."""
    from ..impact import ABLATION_AGENTS, ABLATION_LEVELS, BASELINES, DEVIATIONS, SCALINGS

    cmd = commands.add_parser(
        "impact",
        help="impact penalties of an object level, its impact level, or the ablation",
        description=(
            "Impact measures (docs/impact.md). `impact ENV`: the penalty of each action and "
            "the penalised agent's outcome (--measure, --baseline, --lambda), or with "
            "--partition the budgets at which the agent's policy changes. `impact ablation`: "
            "Conservative Agency's ablation; agents " + ", ".join(ABLATION_AGENTS)
            + "; levels " + ", ".join(ABLATION_LEVELS) + "."
        ),
    )  # fmt: skip
    cmd.add_argument("target", metavar="ENV|ablation", help=ENV_HELP + "; or `ablation`")
    cmd.add_argument(
        "--measure", choices=MEASURES, default=None,
        help="ENV: the penalty (default aup): AUP, AUP_conv, relative reachability, "
        "unreachability; or au, the auxiliary rewards' attainable utility of each state",
    )  # fmt: skip
    cmd.add_argument("--baseline", choices=BASELINES, default=None, help="ENV: default stepwise")
    cmd.add_argument(
        "--agent", choices=AGENTS, default=None,
        help="ENV: the penalised-optimal policy (default) or Conservative Agency's planning agent",
    )  # fmt: skip
    cmd.add_argument("--deviation", choices=DEVIATIONS, default=None, help="ENV: default absolute")
    cmd.add_argument("--scaling", choices=SCALINGS, default=None, help="ENV: default per-au")
    cmd.add_argument("--gamma", type=float, default=None, metavar="G", help="ENV: default 0.996")
    cmd.add_argument(
        "--horizon", type=int, default=None, metavar="H",
        help="ENV: steps the inaction baseline moves, or the planning agent plans (default 9)",
    )  # fmt: skip
    cmd.add_argument(
        "--partition", action="store_true",
        help="ENV: the budgets R = 1/λ at which the penalised agent's policy changes",
    )  # fmt: skip
    cmd.add_argument("--levels", metavar="L,...", help="ablation: levels (default all)")
    cmd.add_argument("--agents", metavar="A,...", help="ablation: agents (default all)")
    cmd.add_argument(
        "--n-aux", default=None, metavar="N,...",
        help="auxiliary rewards per draw (default 30; the ablation takes several)",
    )  # fmt: skip
    cmd.add_argument(
        "--draws", type=count, default=None, metavar="D", help="ablation: draws (default 100)"
    )
    cmd.add_argument(
        "--lambda", dest="lam", default="1/1.501", metavar="X",
        help="the penalty's weight λ (default 1/1.501, the code's)",
    )  # fmt: skip
    cmd.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    cmd.add_argument("--quiet", action="store_true", help="no progress bar")
    add_max_work(cmd, runs="auxiliary-reward set sizes x agents")
    cmd.add_argument(
        "--format", choices=("table", "json", "csv"), default="table",
        help="output format (default: table)",
    )  # fmt: skip
    cmd.set_defaults(run=_run_impact)


#: The penalties ``impact ENV --measure`` offers.
MEASURES = ("aup", "aup-conv", "rr", "ur", "au")
#: The agents ``impact ENV --agent`` offers.
AGENTS = ("policy", "planner")
#: Options of one use of the command only.
_ENV_ONLY = (
    "measure", "baseline", "agent", "deviation", "scaling", "gamma", "horizon", "partition"
)  # fmt: skip
_ABLATION_ONLY = ("levels", "agents", "draws")


def _run_impact(args: argparse.Namespace, out: TextIO) -> int:
    ablation = args.target == "ablation"
    wrong = _ENV_ONLY if ablation else _ABLATION_ONLY
    for name in wrong:
        if getattr(args, name) not in (None, False):
            option = "--" + name.replace("_", "-")
            raise InvalidParameterError(
                f"{option} is for `impact {'ENV' if ablation else 'ablation'}`, not "
                f"`impact {args.target}`."
            )
    return _run_ablation(args, out) if ablation else _run_measure(args, out)


def _names(text: str | None) -> list[str] | None:
    return None if text is None else [part.strip() for part in text.split(",") if part.strip()]


def _lam(text: str) -> float:
    top, slash, bottom = text.partition("/")
    try:
        return float(top) / float(bottom) if slash else float(text)
    except (ValueError, ZeroDivisionError):
        raise InvalidParameterError(
            f"--lambda must be a number such as 0.5 or 1/1.501; got {text!r}."
        ) from None


def _run_ablation(args: argparse.Namespace, out: TextIO) -> int:
    from ..impact import ABLATION_AGENTS, ABLATION_LEVELS, ablation
    from ..io import load

    args.draws = 100 if args.draws is None else args.draws
    check_positive(args.draws, "--draws")
    try:
        sizes = [int(part) for part in (args.n_aux or "30").split(",")]
    except ValueError:
        raise InvalidParameterError(
            f"--n-aux must be positive integers separated by commas; got {args.n_aux!r}."
        ) from None
    for n in sizes:
        check_positive(n, "--n-aux")
    levels, agents = _names(args.levels), _names(args.agents)
    # the auxiliary rewards are solved on every state of every level, for every draw
    states = sum(
        load(name).n_states for name in levels or ABLATION_LEVELS if name in ABLATION_LEVELS
    )
    runs = len(set(sizes)) * max(1, len(agents or ABLATION_AGENTS))
    check_work(states, args.draws * max(sizes), runs, args.max_work, runs="set sizes x agents")
    result = ablation(
        levels,
        agents,
        n_aux=sizes,
        draws=args.draws,
        lam=_lam(args.lam),
        seed=seed_from(args.seed),
        progress=False if args.quiet else None,
    )
    records = [{k: r[k] for k in FIELDS} for r in result.records]
    if args.format == "json":
        write_json(records, out)
    elif args.format == "csv":
        writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
    else:
        out.write(str(result) + "\n")
    return 0


def _run_measure(args: argparse.Namespace, out: TextIO) -> int:
    from ..impact import (
        attainable_utility,
        aup_conv_penalty,
        aup_penalty,
        aup_plan,
        impact_level,
        inaction_baseline,
        penalized_policy,
        reachability,
        unreachability_penalty,
    )
    from ..io import load
    from ..mdp import ObjectLevel, label_text

    mdp = load(args.target)
    if not isinstance(mdp.metadata.get("level"), ObjectLevel):
        raise InvalidParameterError(
            f"{args.target!r} is not an object level; impact penalties need a task reward and "
            "a no-op (e.g. aup-box; `powerseek list`)."
        )
    measure = args.measure or "aup"
    baseline = args.baseline or "stepwise"
    if measure in ("aup-conv", "ur") and (args.deviation or args.scaling):
        raise InvalidParameterError(
            f"--measure {measure} has its own formula: --deviation and --scaling are for aup "
            "and rr."
        )
    deviation = args.deviation or ("decrease" if measure == "rr" else "absolute")
    scaling = args.scaling or ("none" if measure == "rr" else "per-au")
    gamma = 0.996 if args.gamma is None else args.gamma
    if not 0 < gamma < 1:
        raise InvalidParameterError(f"--gamma must be in (0, 1); got {gamma}.")
    horizon = 9 if args.horizon is None else args.horizon
    check_positive(horizon, "--horizon")
    lam = _lam(args.lam)
    if not 0 <= lam < float("inf"):
        raise InvalidParameterError(f"--lambda must be a finite number at least 0; got {lam}.")
    text = "30" if args.n_aux is None else args.n_aux.strip()
    n_aux = int(text) if text.isdigit() else 0
    if n_aux < 1:
        raise InvalidParameterError(f"--n-aux must be one positive integer; got {args.n_aux!r}.")
    if measure == "aup-conv" and baseline != "stepwise":
        raise InvalidParameterError(
            "--measure aup-conv compares each action with doing nothing now: --baseline "
            "stepwise only."
        )
    agent_kind = args.agent or "policy"
    if args.partition and (agent_kind == "planner" or baseline == "inaction"):
        raise InvalidParameterError(
            "--partition is for the penalised-optimal policy with a penalty the same at every "
            "step: --baseline stepwise or start, without --agent planner."
        )
    if agent_kind == "planner" and measure in ("aup-conv", "ur"):
        raise InvalidParameterError(
            f"--agent planner plans with auxiliary rewards: --measure aup or rr, not {measure}."
        )
    if measure == "au":
        for name in ("baseline", "agent", "deviation", "scaling", "partition", "horizon"):
            if getattr(args, name) not in (None, False):
                raise InvalidParameterError(
                    f"--{name} is for a penalty; --measure au prints the attainable utility."
                )
    if measure in ("aup", "au"):
        check_work(mdp.n_states, n_aux, 1, args.max_work, runs="runs")
        au = attainable_utility(mdp, gamma, n_aux=n_aux, rng=seed_from(args.seed))
    if measure == "au":
        return _write_attainable(mdp, au, args, out)
    if measure in ("rr", "ur"):
        au = reachability(mdp, gamma)
    elif measure == "aup-conv":
        au = attainable_utility(mdp, gamma, [mdp.metadata["level"].task_reward(mdp)])
    if measure == "aup-conv":
        penalty = aup_conv_penalty(au, mdp)
    elif measure == "ur":
        penalty = unreachability_penalty(au, mdp, baseline=baseline, horizon=horizon)
    else:
        penalty = aup_penalty(au, mdp, deviation=deviation, scaling=scaling, baseline=baseline,
                              horizon=horizon)  # fmt: skip
    head = {
        "environment": mdp.name,
        "measure": measure,
        "baseline": baseline,
        "agent": agent_kind,
        "deviation": deviation if measure in ("aup", "rr") else None,
        "scaling": scaling if measure in ("aup", "rr") else None,
        "gamma": gamma,
        "n_aux": n_aux if measure == "aup" else au.n_aux,
    }
    if baseline == "inaction" or agent_kind == "planner":
        head["horizon"] = horizon
    if baseline == "inaction" and agent_kind == "policy":
        head["baseline_settles"] = inaction_baseline(mdp, horizon)[1]
    if args.partition:
        level = impact_level(mdp, penalty, gamma)
        return _write_partition(level, head, args.format, out)
    if agent_kind == "policy":
        outcome = penalized_policy(mdp, gamma, penalty, lam=lam).outcome(mdp, horizon=None)
    else:
        outcome = aup_plan(mdp, au, lam=lam, gamma=gamma, horizon=horizon, baseline=baseline,
                           deviation=deviation, scaling=scaling)  # fmt: skip
    if agent_kind == "planner":  # the penalties it meets along its plan
        rows = [
            {"step": k, "state": label_text(s), "action": str(a), "penalty": float(x)}
            for k, (s, a, x) in enumerate(
                zip(outcome.path, outcome.actions, outcome.unweighted_penalties, strict=False)
            )
        ]
    else:
        owner, offsets = mdp.pair_states, mdp.pair_offsets
        steps = range(penalty.shape[0]) if penalty.ndim == 2 else [None]
        rows = [
            {**({} if t is None else {"step": t}),
             "state": label_text(mdp.states[owner[p]]),
             "action": str(mdp.actions[owner[p]][p - offsets[owner[p]]]),
             "penalty": float(penalty[p] if t is None else penalty[t, p])}
            for t in steps for p in range(mdp.n_pairs)
        ]  # fmt: skip
    summary = {
        **head,
        "lambda": lam,
        "steps": outcome.steps,
        "goal": outcome.goal,
        "side_effects": dict(outcome.side_effects),
        "return": float(outcome["return"]),
        "performance": outcome.performance,
        "path": [label_text(s) for s in outcome.path],
    }
    if args.format == "json":
        write_json({**summary, "penalties": rows}, out)
    elif args.format == "csv":
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        effects = [k for k, v in outcome.side_effects.items() if v]
        out.write(
            f"{mdp.name}: {measure} penalty "
            f"({', '.join(str(v) for v in (baseline, head['deviation'], head['scaling']) if v)}),"
            f" λ = {lam:.4g}, γ = {gamma}\n"
            + _horizon_line(head)
            + f"the {'planning' if agent_kind == 'planner' else 'penalised'} agent: "
            f"{outcome.steps} steps, "
            f"{'goal' if outcome.goal else 'no goal'}, "
            f"{', '.join(effects) if effects else 'no side effect'}, "
            f"return {outcome['return']:.6g}"
            + ("" if outcome.performance is None else f", performance {outcome.performance:.6g}")
            + "\n"
            f"path: {' -> '.join(summary['path'])}\n"
            + ("penalties along the plan: " if agent_kind == "planner" else "largest penalties: ")
            + ", ".join(
                ("" if "step" not in r else f"step {r['step']}: ")
                + f"{r['state']} {r['action']} {r['penalty']:.4g}"
                for r in (
                    rows
                    if agent_kind == "planner"
                    else sorted(rows, key=lambda r: -r["penalty"])[:5]
                )  # fmt: skip
            )
            + "\n"
        )
    return 0


def _write_attainable(mdp, au, args, out: TextIO) -> int:
    """Each state's attainable utility: the mean of V*_i over the draws, with its error."""
    import numpy as np

    from ..mdp import label_text

    mean = au.values.mean(axis=0)
    stderr = au.values.std(axis=0, ddof=1) / np.sqrt(au.n_aux) if au.n_aux > 1 else None
    rows = [
        {"state": label_text(state), "attainable_utility": float(mean[k]),
         "stderr": None if stderr is None else float(stderr[k])}
        for k, state in enumerate(mdp.states)
    ]  # fmt: skip
    if args.format == "json":
        head = {"environment": mdp.name, "measure": "au", "gamma": au.gamma, "n_aux": au.n_aux}
        write_json({**head, "error_bound": au.error_bound, "states": rows}, out)
    elif args.format == "csv":
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        s0 = mdp.index(mdp.metadata.get("start", mdp.states[0]))
        top = sorted(rows, key=lambda r: -r["attainable_utility"])[:5]
        error = "" if stderr is None else f" ± {stderr[s0]:.4g}"
        out.write(
            f"{mdp.name}: attainable utility of {au.n_aux} auxiliary rewards, γ = {au.gamma}\n"
            f"start {rows[s0]['state']}: {mean[s0]:.6g}{error}\n"
            "highest: "
            + ", ".join(f"{r['state']} {r['attainable_utility']:.6g}" for r in top)
            + "\n"
        )
    return 0


def _horizon_line(head: dict) -> str:
    if head["agent"] == "planner":
        return f"planning {head['horizon']} steps with inaction rollouts\n"
    if head["baseline"] == "inaction":
        settles = head["baseline_settles"]
        return (
            f"over (state, step) to step {head['horizon']}: the inaction baseline "
            + ("still moves there; later steps keep its place at that step\n" if settles is None
               else f"settles at step {settles}, so this is exact\n")
        )  # fmt: skip
    return ""


def _write_partition(level, head, form: str, out: TextIO) -> int:
    rows = level.to_records()
    # the impact-constrained agent mixes neighbouring winners; these are its corners
    corners = [{"policy": r["policy"], "impact": r["impact"], "utility": r["utility"]}
               for r in rows]  # fmt: skip
    if form == "json":
        low, plan = level.first_safe()
        write_json(
            {
                **head,
                "intervals": rows,
                "first_safe_budget": None if low is None else float(low),
                "first_safe_policy": plan,
                "constrained": corners,
            },
            out,
        )
    elif form == "csv":
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    else:
        out.write(
            f"{head['environment']}: {head['measure']} penalty, γ = {head['gamma']}\n{level}\n"
            "with the impact at most I instead (randomised between these, linear in I): "
            + ", ".join(f"{c['policy']} at I = {c['impact']:.6g}" for c in corners)
            + "\n"
        )
    return 0
