"""Write docs/results.md: every result class, what returns it, and its fields.

The fields are the dataclass fields and the public properties of each class, each
with its description from the class's Attributes section or the property's
docstring, so the page cannot drift from the code; tests/test_public_api.py
checks that the page equals this script's output.

Run ``python tools/results_page.py`` after changing a result class.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import sys
from pathlib import Path

from numpydoc.docscrape import ClassDoc

PAGE = Path(__file__).resolve().parents[1] / "docs" / "results.md"

#: (public namespace, class, the functions that return it), in the order of the page.
RESULTS = [
    ("powerseek.analysis", "PowerResult", "power, rule_power, fixed_policy_power"),
    ("powerseek.analysis", "PowerSweepResult", "power_sweep, rule_power_sweep"),
    ("powerseek.analysis", "PowerSeekingResult", "power_seeking, rule_power_seeking"),
    ("powerseek.analysis", "PairedComparison", "compare_power, compare_optimality"),
    ("powerseek.analysis", "OptimalityResult", "optimality, choice_probability"),
    ("powerseek.analysis", "OptimalitySweepResult", "optimality_sweep"),
    ("powerseek.analysis", "SetOptimalityResult", "visit_optimality, linear_optimality"),
    ("powerseek.exact", "ExactPower", "exact_power"),
    ("powerseek.exact", "ExactOptimality", "exact_optimality"),
    ("powerseek.exact", "ExactSetOptimality", "exact_visit_optimality"),
    ("powerseek.exact", "ExactSolution", "exact_solution"),
    ("powerseek.solvers", "SolveResult", "solve"),
    ("powerseek.solvers", "SolverDiagnostics", "SolveResult.diagnostics"),
    ("powerseek.solvers", "DeviceSolveResult", "solve_on_device"),
    ("powerseek.rewards", "Estimate", "the analyses' estimate fields"),
    ("powerseek.multiagent", "CorrelationSweepResult", "correlation_sweep"),
    ("powerseek.agents", "ShutdownResult", "shutdown_avoidance"),
    ("powerseek.symmetry", "TheoremReport", "check_states, check_actions"),
    ("powerseek.symmetry", "OrbitComparison", "compare_over_orbit"),
    ("powerseek.symmetry", "CopyResult", "find_state_copy, find_action_copy, find_rsd_copy"),
    ("powerseek.symmetry", "RetargetCheck", "check_retargetable"),
    ("powerseek.explore", "Exploration", "explore, exhaustive_search"),
    ("powerseek.explore", "FiniteTimeCurve", "finite_time_curve"),
    ("powerseek.batch", "BatchResult", "run_batch"),
    ("powerseek.mdp", "ReachabilitySummary", "summarize"),
]

#: The meaning of a field that many results share, where a class does not describe it.
COMMON = {
    "states": "State labels, in ``mdp.states`` order.",
    "state": "The state analysed.",
    "actions": "Action labels (per state, in the MDP's order).",
    "successors": "Each action's successor distribution.",
    "gamma": "The discount rate.",
    "gammas": "The discount rates, in order.",
    "provenance": (
        "Where the result came from: environment, samples, seed, distribution, sampling, "
        "device (read-only)."
    ),
    "solver": (
        "Solver method, tolerance, certified error bound, iterations, convergence (read-only)."
    ),
    "method": "How the value was computed.",
    "distribution": "The reward distribution, as text.",
    "environment": "The environment's name.",
    "power": "POWER per state.",
    "probability": "The optimality probabilities.",
    "tie_mass": "Probability mass of the rewards under which optimal actions tie.",
    "n_samples": "Reward samples drawn.",
    "hypotheses": "Each hypothesis of the theorem and whether it holds here.",
    "details": "What the search found, by name.",
    "found": "Whether a copy was found.",
    "holds": "Whether the property holds.",
    "conjecture": "The conjecture explored.",
    "shrink_steps": "Shrinking steps after the first violation.",
    "verdict": "The verdict on the counterexample.",
    "closest_verdict": "The verdict on the closest case.",
    "elapsed": "Seconds the exploration took.",
    "procedure": "The finite-time procedure.",
    "steps": "The numbers of steps t.",
    "recomputed": "Of the computed units, how many had been stored with other inputs.",
    "reasons": "Why they were recomputed: the changed input's name and how many units.",
    "deterministic": "Whether every action has one successor.",
    "correlations": "The reward correlations, in order.",
    "f1": "The first functional's name.",
    "f2": "The second functional's name.",
    "mean": "The estimates.",
    "ci_low": "Lower ends of the confidence intervals, at `confidence`.",
    "ci_high": "Upper ends of the confidence intervals, at `confidence`.",
    "n_states": "The number of states.",
    "n_pairs": "The number of state-action pairs.",
}

INTRO = """\
# Result classes

Every analysis returns a frozen result object. The Monte Carlo ones hold an
`Estimate` (mean, standard error, confidence interval per entry) and two read-only
records: `provenance` (environment, samples, seed, distribution, sampling, device) and
`solver` (method, tolerance, certified error bound, iterations, convergence). The exact
ones hold fractions and the same `provenance` keys (`sampling` is `"exact"`, with no
samples or seed). Most have `to_frame()` (a pandas table), `to_records()` (its rows as
plain dicts), `to_dict()` (the JSON document of the command line) and display
themselves in notebooks; sweeps over γ are sequences of per-γ results.

This page is written by `tools/results_page.py` from the classes themselves.
"""


def _one_line(text: str) -> str:
    return " ".join(" ".join(text).split()) if isinstance(text, list) else " ".join(text.split())


def fields_of(cls: type) -> list[tuple[str, str, str]]:
    """(name, type, description) of each dataclass field and public property."""
    documented = {}
    for entry in ClassDoc(cls, config={"show_class_members": False})["Attributes"]:
        for name in entry.name.split(","):  # "mean, stderr : numpy.ndarray" is two fields
            documented[name.strip()] = entry
    rows = []
    names = [f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")]
    names += [
        name
        for name, value in inspect.getmembers(cls, lambda v: isinstance(v, property))
        if not name.startswith("_") and name not in names
    ]
    for name in names:
        entry = documented.get(name)
        if entry is not None and (entry.desc or entry.type):
            rows.append((name, entry.type, _one_line(entry.desc) or COMMON.get(name, "")))
            continue
        value = getattr(cls, name, None)
        if isinstance(value, property):
            doc = inspect.getdoc(value) or ""
            rows.append((name, "", doc.split("\n\n")[0].replace("\n", " ")))
        else:
            field = next(f for f in dataclasses.fields(cls) if f.name == name)
            annotation = field.type if isinstance(field.type, str) else str(field.type)
            rows.append((name, annotation, COMMON.get(name, "")))
    return rows


def methods_of(cls: type) -> list[str]:
    """The public methods a result offers (to_frame, to_dict, at, of, ...)."""
    return [
        name
        for name, value in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_") and value.__qualname__.split(".")[0] != "object"
    ]


def page() -> str:
    """The text of docs/results.md."""
    out = [INTRO]
    out.append("| class | returned by |")
    out.append("|---|---|")
    for _, name, returned_by in RESULTS:
        anchor = name.lower()
        out.append(f"| [`{name}`](#{anchor}) | {returned_by} |")
    out.append("")
    for namespace, name, returned_by in RESULTS:
        cls = getattr(importlib.import_module(namespace), name)
        summary = (inspect.getdoc(cls) or "").split("\n\n")[0].replace("\n", " ")
        out += [f"## {name}", "", f"`{namespace}.{name}`: {summary}", ""]
        out += [f"Returned by: {returned_by}.", ""]
        out += ["| field | type | meaning |", "|---|---|---|"]
        for field, kind, meaning in fields_of(cls):
            meaning = meaning.replace("|", "\\|")
            kind = kind.replace("|", "or")
            out.append(f"| `{field}` | {kind} | {meaning} |")
        methods = methods_of(cls)
        if methods:
            out += ["", "Methods: " + ", ".join(f"`{m}()`" for m in methods) + "."]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def main() -> int:
    PAGE.write_text(page(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
