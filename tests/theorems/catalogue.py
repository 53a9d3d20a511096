"""Generate docs/theorems.md, the theorem catalogue, from the theorem suite.

Every test of tests/theorems is listed under the items of theory.md §B it
checks, with its docstring (the statement and hypotheses it checks) and the
powerseek functions it calls, found by reading its source. tests/test_docs.py
fails when the page and the suite disagree; regenerate with::

    python tests/theorems/catalogue.py > docs/theorems.md
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent

SECTIONS = {
    "test_b1_visit_distributions": "B.1 Visit distributions and value basics (OPT App. E)",
    "test_b2_power": "B.2 POWER properties (OPT §5, App. E.3)",
    "test_b3_symmetry": "B.3 Symmetry theorems (OPT §6, App. E.1.2, E.4; RDSP App. D)",
    "test_b4_retargetability": "B.4 Retargetability (RDSP)",
    "test_b5_training_compatible": "B.5 Training-compatible goals (KK)",
    "test_b5_multiagent": "B.5 Multi-agent POWER (P-MULTI)",
}

#: theory.md §B items: number -> the result's name.
ITEMS = {
    1: "Prop E.3",
    2: "Lemma E.4 / Cor E.5",
    3: "Lemma E.1",
    4: "Lemma E.31 / E.32",
    5: "Lemma E.45 / Cor E.46",
    6: "Lemma E.10 / Cor E.11 / Lemma E.12",
    7: "Lemma E.7 / Cor E.8",
    8: "Lemma E.15",
    9: "Lemma E.51 / Prop E.50",
    10: "§D.1.2 transfer across γ",
    11: "Lemma E.33",
    12: "Prop E.34 / Lemma E.48 / Lemma E.35",
    13: "Lemma E.36",
    14: "Lemma 5.3",
    15: "γ → 0 limit",
    16: "Lemma E.49",
    17: "Prop 5.4",
    18: "Prop 5.5",
    19: "Lemma E.39",
    20: "Lemma E.17",
    21: "Lemma E.16",
    22: "Lemma E.21",
    23: "Lemma E.24",
    24: "Prop 6.6",
    25: "Lemma E.26",
    26: "Lemma E.27 / E.28",
    27: "Lemma E.29",
    28: "Lemma E.47",
    29: "Prop 6.9",
    30: "Prop 6.12",
    31: "Thm 6.13",
    32: "Cor 6.14",
    33: "RDSP Thm D.11 / Cor D.12",
    34: "RDSP Lemma D.3 / D.5",
    35: "Lemma B.2 (OPT) / B.3 (RDSP)",
    36: "Negative results (OPT Prop B.1 / B.4)",
    37: "RDSP Prop 3.4 / Thm 3.6",
    38: "RDSP Lemma B.1 / B.2",
    39: "RDSP Lemma B.5 / B.6",
    40: "RDSP Lemma B.7",
    41: "RDSP Lemma B.9",
    42: "RDSP Lemma B.11 / Thm A.13",
    43: "RDSP Prop A.11",
    44: "RDSP Prop C.2 / Cor C.3 / Lemma C.1",
    45: "RDSP Prop C.4 / Cor C.6",
    46: "KK Thm 2 / Prop 3",
    47: "P-MULTI conservation of POWER in constant-sum games",
}

#: test -> the items it checks.
CHECKS = {
    "test_prop_e3_visit_distributions_nonnegative_monotone_sum": [1],
    "test_lemma_e4_rational_functions_of_degree_at_most_s": [2],
    "test_lemma_e1_optimal_value_is_max_over_f_and_f_nd": [3],
    "test_lemma_e31_e32_one_gamma_decides_nondomination": [4],
    "test_lemma_e45_nondominated_never_coincide": [5],
    "test_lemma_e10_e12_max_over_nd": [6],
    "test_lemma_e7_distinct_vectors_tie_with_probability_zero": [7],
    "test_lemma_e15_nd_commutes_with_positive_affine_maps": [8],
    "test_lemma_e51_prop_e50_rsds": [9],
    "test_d12_transfer_of_optimal_policies_across_gamma": [10],
    "test_lemma_e33_few_changes_of_the_optimal_policy_set": [11],
    "test_prop_e34_lemma_e48_e35_visit_set_optimality": [12],
    "test_prop_e34_optimality_at_one_is_the_limit": [12],
    "test_lemma_e36_power_identities": [13],
    "test_lemma_5_3_power_is_lipschitz_in_gamma": [14],
    "test_b15_gamma_to_zero_limit": [15],
    "test_lemma_e49_gamma_one_is_the_best_average_reward": [16],
    "test_prop_5_4_maximal_power": [17],
    "test_prop_5_4_equality_exactly": [17],
    "test_prop_5_5_smoothness_across_reversible_dynamics": [18],
    "test_lemma_e39_power_lower_bound": [19],
    "test_lemma_e17_permutation_equivariance": [20],
    "test_b13_b17_published_power_values": [13, 15, 17],
    "test_lemma_e16_one_permutation_maps_every_loser_to_a_winner": [21],
    "test_lemma_e21_transport_for_expectations": [22],
    "test_lemma_e24_expectation_superiority_strict_under_iid": [23],
    "test_prop_6_6_more_options_more_power": [24],
    "test_prop_6_6_on_planted_copies": [24],
    "test_lemma_e26_inclusion": [25],
    "test_lemma_e27_e28_optimality_probability_transport": [26],
    "test_lemma_e29_transport_at_the_limits": [27],
    "test_lemma_e47_bottleneck": [28],
    "test_prop_6_9_keeping_options_open": [29],
    "test_prop_6_12_rsds_control_power_at_one": [30],
    "test_thm_6_13_average_optimal_policies_prefer_larger_rsd_sets": [31],
    "test_cor_6_14_avoiding_a_terminal_state": [32],
    "test_rdsp_thm_d11_cor_d12_n_copies": [33],
    "test_g3_generator_rdsp_d11": [33],
    "test_rdsp_lemma_d3_d5_n_copies_of_nd": [34],
    "test_lemma_b2_b3_orbit_fractions": [35],
    "test_b36_negative_results": [36],
    "test_thm_3_6_retargetable_implies_n_fold": [37],
    "test_thm_3_6_decision_rules_are_retargetable": [37],
    "test_p_stubborn_is_not_retargetable": [37, 43],
    "test_p_numerical_is_retargetable": [37],
    "test_lemma_b_1_limited_transitivity": [38],
    "test_lemma_b_1_full_transitivity_fails": [38],
    "test_lemma_b_2_order_inversion": [38],
    "test_lemma_b_5_expectation_preserves_invariance": [39],
    "test_lemma_b_6_increasing_combinations_keep_n_fold": [39],
    "test_lemma_b_7_general_orbit_lemma": [40],
    "test_lemma_b_7_condition_4_is_needed": [40],
    "test_lemma_b_9_superset_copies": [41],
    "test_lemma_b_11_eu_determined_rules_are_invariant": [42],
    "test_thm_a_13_eu_determined_probabilities": [42],
    "test_prop_a_11_decision_rules_over_any_distribution": [43],
    "test_prop_a_11_quantilizer_uniform_base": [43],
    "test_c6_retargetability_tables": [43],
    "test_cor_c_6_featurized_montezuma": [45],
    "test_prop_c2_lemma_c1_epsilon_greedy_bandit": [44],
    "test_kk_thm_2_at_least_n_over_n_plus_1_of_every_orbit_avoids_shutdown": [46],
    "test_kk_prop_3_shutdown_needs_the_larger_reward_and_the_swap_avoids_it": [46],
    "test_kk_caveat_zero_rewards_break_the_strict_step": [46],
    "test_kk_caveat_only_s_ood_permutations_keep_theta_in_g_t": [46],
    "test_p_multi_conservation_of_power_in_constant_sum_games": [47],
}


def load_module(stem: str):
    spec = importlib.util.spec_from_file_location(f"theorems_{stem}", HERE / f"{stem}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def suite() -> list[tuple[str, str, str, list[str]]]:
    """(section stem, test name, docstring, powerseek functions) for every theorem test."""
    rows = []
    for stem in SECTIONS:
        module = load_module(stem)
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("test_") and function.__module__ == module.__name__:
                rows.append((stem, name, inspect.getdoc(function) or "", used(module, function)))
    order = {stem: i for i, stem in enumerate(SECTIONS)}
    lines = {
        row[1]: inspect.getsourcelines(getattr(load_module(row[0]), row[1]))[1] for row in rows
    }
    return sorted(rows, key=lambda row: (order[row[0]], lines[row[1]]))


def used(module, function, seen=None) -> list[str]:
    """powerseek names `function` refers to, following helpers of its own module."""
    seen = set() if seen is None else seen
    seen.add(function.__name__)
    found = set()
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(function))))
    except (OSError, TypeError):  # built by a decorator without source (a composite strategy)
        return []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Name):
            continue
        value = getattr(module, node.id, None)
        # a former module path imported elsewhere shadows its function by a callable module
        value = getattr(value, "__function__", value)
        origin = getattr(value, "__module__", "") or ""
        named = inspect.isfunction(value) or inspect.isclass(value) or hasattr(value, "__wrapped__")
        if origin.startswith("powerseek") and named and not node.id.startswith("_"):
            # the public path: the subpackage, and a public module below it if any
            public = []
            for part in origin.split(".")[1:]:
                if part.startswith("_"):
                    break
                public.append(part)
            found.add(".".join([*public, node.id]))
        elif (
            inspect.isfunction(value)
            and value.__module__ == module.__name__
            and node.id not in seen
        ):
            found.update(used(module, value, seen))
    return sorted(found)


def render() -> str:
    rows = suite()
    out = [
        "# Theorem catalogue",
        "",
        "Every checkable result of theory.md §B is a named property test under",
        "`tests/theorems/`. This page is generated from that suite",
        "(`python tests/theorems/catalogue.py > docs/theorems.md`) and `tests/test_docs.py`",
        "fails when the two disagree. Each entry quotes the test's docstring: the statement",
        "it checks, its hypotheses and how it is checked (per-sample inequalities, exact",
        "rational arithmetic, exact orbit enumeration, or Monte Carlo with a margin of",
        "several standard errors on common random numbers). The whole suite runs in CI",
        "with the deterministic `ci` hypothesis profile; run",
        "`POWERSEEK_HYPOTHESIS_PROFILE=thorough python -m pytest tests/theorems` for many",
        "more random cases.",
        "",
        "## Items",
        "",
        "| item | result | tests |",
        "|------|--------|-------|",
    ]
    for number, title in ITEMS.items():
        tests = [name for _, name, _, _ in rows if number in CHECKS.get(name, [])]
        out.append(f"| {number} | {title} | {', '.join(f'`{t}`' for t in tests)} |")
    out.append("")
    for stem, heading in SECTIONS.items():
        out += [f"## {heading}", ""]
        for section, name, doc, functions in rows:
            if section != stem:
                continue
            items = ", ".join(str(i) for i in CHECKS.get(name, []))
            out += [
                f"### `{name}`",
                "",
                f"Items: {items}. Checked in `tests/theorems/{stem}.py`.",
                "",
            ]
            out += [" ".join(doc.split()), ""]
            if functions:
                out += ["powerseek: " + ", ".join(f"`{f}`" for f in functions), ""]
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
