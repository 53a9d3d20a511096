"""The declared public surface: namespaces, public modules and their names.

As scipy's ``test_public_api.py`` does, the public names are pinned here, so that a
name becomes public (or stops being public) only by editing this file. Every other
module has a private name; the implementation modules' former paths keep working
for one release, each name read from them with a ``DeprecationWarning``.
"""

import importlib
import inspect
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import api_pages  # noqa: E402

sys.path.pop(0)

# fmt: off
PUBLIC_NAMES = {
    "powerseek": (
        "CallableRewards", "ConvergenceWarning", "Empowerment", "EnvironmentInfo", "Estimate",
        "ExecutionOptions", "FiniteSupport", "IID", "InvalidMDPError", "InvalidParameterError",
        "InvalidTypeError", "MDP", "OptimalityResult", "OptimalitySweepResult",
        "PairedComparison", "ParseError", "PerState", "PowerResult", "PowerSeekingResult",
        "PowerSweepResult", "PowerseekError",
        "PowerseekWarning", "ReachabilitySummary", "RewardSamples", "SamplingOptions",
        "SearchLimitError", "SolveResult", "SolverOptions", "UnknownActionError",
        "UnknownEnvironmentError", "UnknownStateError", "__version__", "compare_optimality",
        "compare_power", "empowerment", "from_graph",
        "from_gymnasium", "from_quantecon", "gridworld", "list_environments", "load",
        "optimal_actions", "optimality", "optimality_sweep", "power", "power_samples",
        "power_seeking", "power_sweep", "reachable", "save", "solve", "summarize", "to_graph",
        "to_quantecon",
    ),
    "powerseek.mdp": (
        "ANY", "DEFAULT_AGENTS", "Ended", "FEATURES", "LevelState", "MDP", "ObjectLevel",
        "ReachabilitySummary",
        "closed_classes", "default_memory", "from_graph", "from_simulator",
        "gridworld", "label_text", "needs_multigraph", "parse_action", "parse_state",
        "reachable", "simulator_bytes_per_state", "strongly_connected_components", "summarize",
        "thaw_metadata", "to_graph", "transitions_from_edges", "two_agent_product",
        "two_agent_world", "forbid_rules",
    ),
    "powerseek.io": (
        "JOINT_PREFIX", "EnvironmentInfo", "FORMATS", "MinigridState", "catalog_path",
        "check_output_folder",
        "dump_policy", "dumps", "format_of", "from_gymnasium", "from_minigrid", "from_quantecon",
        "is_file", "level_text", "list_environments", "load", "loads", "minigrid_task_reward",
        "parse_document", "parse_level", "parse_policy", "read",
        "read_policy", "read_text", "save", "to_env", "to_quantecon", "write",
        "write_bytes_atomic", "write_text_atomic",
    ),
    "powerseek.rewards": (
        "Accumulator", "Block", "CallableRewards", "Estimate", "FiniteSupport", "IID",
        "PerState", "RewardDistribution", "RewardSamples", "SamplePlan", "TreeFold",
        "block_moments", "describe_scipy", "format_distribution", "merge_moments",
        "parse_distribution", "parse_scipy", "sample",
    ),
    "powerseek.solvers": (
        "BackendSolution", "CACHE_NUMBERS", "DeviceSolveResult", "METHODS",
        "NumbaUnavailableError", "SolveResult", "SolverDiagnostics",
        "TorchUnavailableError", "blackwell_optimal", "check_device", "choose_kernel",
        "compiled_block_moments", "device_block_moments", "device_chunk_rows",
        "evaluate_policies", "expected_next", "lexicographic_optimal",
        "optimal_gains", "optimal_power", "padded_pairs", "segment_max", "solve",
        "solve_on_device", "state_sums",
    ),
    "powerseek.visits": (
        "RecurrentDistribution", "VisitDistribution", "format_function", "nondominated",
        "nondominated_rsds", "nondominated_vectors", "one_cycle_options",
        "recurrent_distributions", "restrict", "visit_distributions",
    ),
    "powerseek.exact": (
        "ExactOptimality", "ExactPower", "ExactSetOptimality", "ExactSolution", "IntegrationError",
        "as_fraction", "exact_gamma", "exact_optimality", "exact_power", "exact_rows",
        "exact_solution", "exact_visit_optimality", "solve_exact",
    ),
    "powerseek.analysis": (
        "CORRECTIONS", "EngineOptions", "ExecutionOptions", "MAX_COMPARED", "OptimalityResult",
        "OptimalitySweepResult", "PairedComparison", "PowerResult", "PowerSeekingResult",
        "PowerSweepResult", "SamplingOptions",
        "SetOptimalityResult", "SolverOptions", "StateCounter",
        "coefficient_stack", "compare_optimality", "compare_power", "compare_successors",
        "lexicographic_best", "linear_optimality", "optimal_actions",
        "optimality", "optimality_sweep", "power", "power_samples", "power_seeking",
        "power_sweep", "state_pairs", "visit_optimality",
    ),
    "powerseek.multiagent": (
        "ANY", "BayesianGame", "CorrelationSweepResult", "DEFAULT_AGENTS", "JointMDP",
        "MAX_PURE_PROFILES", "best_case_power", "check_policy", "correlated_rewards",
        "correlation_sweep", "fixed_policy", "fixed_policy_power", "fixed_policy_power_sweep",
        "forbid_rules",
        "game_power", "identical_rewards", "induced_mdp", "interim_utilities",
        "joint_gridworld", "joint_world", "product", "pure_equilibria", "resolve_policy",
        "sampled_game_power",
        "uniform_policy", "zero_sum_equilibrium",
    ),
    "powerseek.agents": (
        "BestOfK", "Boltzmann", "DecisionRule", "EpsilonGreedy", "Optimal", "QLearning",
        "Quantilizer", "RULES", "Satisficer", "ShutdownResult", "ShutdownWorld", "SoftOptimal",
        "TruncatedValueIteration", "as_rule", "chain_hitting_probabilities", "choice_probability",
        "choice_probability_sweep",
        "critical_gamma", "hitting_probability", "kk_example", "lotteries", "orbit_avoidance",
        "parse_rule", "prop3_violations",
        "recurrent_states", "revisit_count", "rule_policy", "rule_power", "rule_power_samples",
        "rule_power_seeking", "rule_power_sweep", "sample_compatible", "shutdown_avoidance",
        "shutdown_world", "side_effect_probabilities", "uniform_over",
    ),
    "powerseek.symmetry": (
        "Check", "CopyResult", "Functional", "MAX_OUTCOMES", "OrbitComparison", "Permutation",
        "RetargetCheck", "TheoremReport", "Verification", "action_optimality",
        "all_involutions", "automorphisms", "check_actions", "check_retargetable",
        "check_states", "compare_on_orbit", "compare_over_orbit", "contains_copies",
        "copy_violations", "find_action_copy", "find_rsd_copy", "find_state_copy", "orbit_size",
        "outcome_orbit", "outcome_permutation", "permute_outcomes", "power_of", "rule_choice",
        "rule_tendency", "successor_power", "terminal_copies", "visit_set_optimality",
    ),
    "powerseek.explore": (
        "CONJECTURES", "Case", "Conjecture", "DEFAULT_GAMMAS", "Exploration", "Finding",
        "FiniteTimeCurve", "GameCase", "Verdict", "common_payoff_family", "common_payoff_games",
        "conjecture", "copies_fraction", "count_successor_graphs", "deterministic_mdps",
        "exhaustive_cases", "exhaustive_search", "explore", "finite_time_curve",
        "finite_time_family", "finite_time_tendency", "fractional_copies",
        "identical_rewards_power", "load_predicate", "power_seeking_implies_optimal",
        "search_cases", "simplicity_bound", "strategies", "symmetric_start_cases",
        "terminal_choice",
    ),
    "powerseek.parallel": ("DaskExecutor", "DaskUnavailableError", "executor"),
    "powerseek.impact": (
        "ABLATION_AGENTS", "ABLATION_LEVELS", "Ablation", "AttainableUtility", "BASELINES",
        "Buffer", "DEFAULT_HORIZON", "DEVIATIONS", "ImpactLevel", "KINDS", "MAX_POLICIES",
        "MAX_REACHABILITY_STATES", "Mixture", "Outcome", "Partition", "PenalizedPolicy",
        "SCALINGS",
        "ablation", "attainable_utility", "aup_conv_penalty", "aup_penalty",
        "aup_penalty_stderr", "aup_plan",
        "best_outcome", "episode_ends", "impact_level", "inaction_baseline",
        "noop_pairs", "partition", "penalized_policy", "reachability", "scaled_penalty",
        "unreachability_penalty",
    ),
    "powerseek.measures": (
        "Empowerment", "MAX_CHANNEL_ENTRIES", "MAX_REWARDS", "MeasureComparison",
        "SimplicityPrior", "compare_measures", "description_bits", "empowerment",
        "simplicity_prior",
    ),
    "powerseek.batch": (
        "COLUMNS", "FILE_FIELDS", "BatchResult", "BatchSpec", "Unit", "check_batch",
        "read_batch", "run_batch", "unit_inputs",
    ),
    "powerseek.viz": (
        "DEFAULT_GAMMAS", "build_interactive_report", "build_report", "check_path",
        "draw_graph", "joint_power_grid", "measures_figure", "optimality_vs_gamma", "orbit_shares",
        "power_correlation_plot", "power_heatmap", "power_vs_correlation", "power_vs_gamma",
        "report_data", "robust_range", "save", "tendency_overlay", "write_report",
    ),
    "powerseek.cli": (
        "main",
    ),
    "powerseek.mdp.gridworld": (
        "ACTIONS", "GridLayout", "named_cells", "parse", "render",
    ),
    "powerseek.agents.lotteries": (
        "RULES", "anti_optimal", "as_lotteries", "best_of_k", "boltzmann", "frac_optimal",
        "is_optimal", "make_rule", "quantilize", "satisfice",
    ),
    "powerseek.analysis.engine": (
        "Context", "ContextArray", "DEFAULT_TIE_TOL", "EngineOutput", "PairwiseDifferences",
        "Quantity", "Run",
        "context_for", "execute", "prepare", "run", "solver_report",
    ),
    "powerseek.explore.strategies": (
        "LotteryCopies", "action_labels", "dyadic_distributions", "gammas", "gridworld_maps",
        "lottery_copies", "many_one_cycles", "mdps", "permutations", "planted_copies",
        "reward_distributions", "state_labels", "stochastic_multigraphs", "successor_graphs",
    ),
    "powerseek.budget": (
        "Budget", "DEFAULT_MAX_WORK", "check_work", "work_advice",
    ),
    "powerseek.frames": (
        "attrs_of", "cell_columns", "data_frame", "estimate_columns", "require",
        "xarray_dataset",
    ),
    "powerseek.exceptions": (
        "ConvergenceWarning", "InvalidMDPError", "InvalidParameterError", "InvalidTypeError",
        "MissingExtraError", "ParseError", "PowerseekError", "PowerseekWarning",
        "PredicateError", "SearchLimitError", "UnknownActionError", "UnknownEnvironmentError",
        "UnknownStateError",
    ),
}

#: Former paths whose names a namespace other than their new module's parent re-exports.
REEXPORTED_BY = {"powerseek.exact.rational": "powerseek.exact"}

#: Former paths of implementation modules, and where each lives now.
MOVED = {
    "powerseek.mdp.model": "powerseek.mdp._model",
    "powerseek.mdp.graph": "powerseek.mdp._graph",
    "powerseek.mdp.structure": "powerseek.mdp._structure",
    "powerseek.mdp.labels": "powerseek.mdp._labels",
    "powerseek.mdp.arrays": "powerseek.mdp._arrays",
    "powerseek.io.catalog": "powerseek.io._catalog",
    "powerseek.io.files": "powerseek.io._files",
    "powerseek.io.toml": "powerseek.io._toml",
    "powerseek.io.grid": "powerseek.io._grid",
    "powerseek.io.json": "powerseek.io._json",
    "powerseek.io.graphviz": "powerseek.io._graphviz",
    "powerseek.io.gymnasium": "powerseek.io._gymnasium",
    "powerseek.io.quantecon": "powerseek.io._quantecon",
    "powerseek.io.outputs": "powerseek.io._outputs",
    "powerseek.rewards.distributions": "powerseek.rewards._distributions",
    "powerseek.rewards.estimates": "powerseek.rewards._estimates",
    "powerseek.rewards.spec": "powerseek.rewards._spec",
    "powerseek.solvers.solve": "powerseek.solvers._solve",
    "powerseek.solvers.kernels": "powerseek.solvers._kernels",
    "powerseek.solvers.compiled": "powerseek.solvers._compiled",
    "powerseek.solvers.numpy_backend": "powerseek.solvers._numpy_backend",
    "powerseek.solvers.stochastic": "powerseek.solvers._stochastic",
    "powerseek.solvers.torch_backend": "powerseek.solvers._torch_backend",
    "powerseek.solvers.limits": "powerseek.solvers._limits",
    "powerseek.solvers.policy_evaluation": "powerseek.solvers._policy_evaluation",
    "powerseek.exact.rational": "powerseek._rational",
    "powerseek.exact.results": "powerseek.exact._results",
    "powerseek.exact.visits": "powerseek.visits._functions",
    "powerseek.analysis.power": "powerseek.analysis._power",
    "powerseek.analysis.optimality": "powerseek.analysis._optimality",
    "powerseek.analysis.visit_optimality": "powerseek.analysis._visit_optimality",
    "powerseek.analysis.options": "powerseek.analysis._options",
    "powerseek.analysis.decision_rules": "powerseek.agents.lotteries",
    "powerseek.multiagent.model": "powerseek.multiagent._model",
    "powerseek.multiagent.policies": "powerseek.multiagent._policies",
    "powerseek.multiagent.power": "powerseek.multiagent._power",
    "powerseek.multiagent.correlation": "powerseek.multiagent._correlation",
    "powerseek.multiagent.games": "powerseek.multiagent._games",
    "powerseek.agents.analysis": "powerseek.agents._analysis",
    "powerseek.agents.rules": "powerseek.agents._rules",
    "powerseek.agents.spec": "powerseek.agents._spec",
    "powerseek.agents.shutdown": "powerseek.agents._shutdown",
    "powerseek.symmetry.environmental": "powerseek.symmetry._environmental",
    "powerseek.symmetry.orbits": "powerseek.symmetry._orbits",
    "powerseek.symmetry.retarget": "powerseek.symmetry._retarget",
    "powerseek.symmetry.theorems": "powerseek.symmetry._theorems",
    "powerseek.explore.conjectures": "powerseek.explore._conjectures",
    "powerseek.explore.families": "powerseek.explore._families",
    "powerseek.explore.games": "powerseek.explore._games",
    "powerseek.explore.search": "powerseek.explore._search",
    "powerseek.explore.finite_time": "powerseek.explore._finite_time",
    "powerseek.parallel.batch": "powerseek.batch._runner",
    "powerseek.parallel.executors": "powerseek.parallel._executors",
    "powerseek.viz.figures": "powerseek.viz._figures",
    "powerseek.viz.multiagent": "powerseek.viz._multiagent",
    "powerseek.viz.report": "powerseek.viz._report",
    "powerseek.viz.interactive": "powerseek.viz._interactive",
    "powerseek.cli.app": "powerseek.cli._app",
    "powerseek.cli.common": "powerseek.cli._common",
    "powerseek.cli.agents": "powerseek.cli._agents",
    "powerseek.cli.analysis": "powerseek.cli._analysis",
    "powerseek.cli.batch": "powerseek.cli._batch",
    "powerseek.cli.environments": "powerseek.cli._environments",
    "powerseek.cli.explore": "powerseek.cli._explore",
    "powerseek.cli.multiagent": "powerseek.cli._multiagent",
    "powerseek.cli.plot": "powerseek.cli._plot",
    "powerseek.cli.symmetry": "powerseek.cli._symmetry",
    "powerseek.display": "powerseek._display",
    "powerseek.progress": "powerseek._progress",
}
# fmt: on


def _package_modules() -> list[str]:
    names = []
    for path in sorted((ROOT / "powerseek").rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


@pytest.mark.parametrize("module", sorted(PUBLIC_NAMES))
def test_public_names_are_pinned(module):
    assert sorted(importlib.import_module(module).__all__) == sorted(PUBLIC_NAMES[module])


@pytest.mark.parametrize("module", sorted(PUBLIC_NAMES))
def test_every_public_name_resolves_and_is_documented(module):
    package = importlib.import_module(module)
    for name in package.__all__:
        value = getattr(package, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            assert (value.__doc__ or "").strip(), f"{module}.{name} has no docstring"
            # A public object is never handed out by a former module path.
            assert value.__module__ not in MOVED, f"{module}.{name} lives in {value.__module__}"


def test_every_module_is_public_private_or_a_former_path():
    """A new module is private unless it is added to PUBLIC_NAMES."""
    undeclared = [
        name
        for name in _package_modules()
        if name not in PUBLIC_NAMES
        and name not in MOVED
        and not any(part.startswith("_") for part in name.split("."))
    ]
    assert not undeclared


def test_former_paths_are_exactly_the_moved_modules():
    for old, new in MOVED.items():
        path = ROOT / Path(*old.split(".")).with_suffix(".py")
        assert path.exists(), old
        assert "moved_module" in path.read_text(encoding="utf-8"), old
        assert importlib.util.find_spec(new) is not None, new


@pytest.mark.parametrize("old", sorted(MOVED))
def test_a_former_path_still_works_with_a_warning(old):
    new = importlib.import_module(MOVED[old])
    private = any(part.startswith("_") for part in MOVED[old].split("."))
    # A private module's names are re-exported by its subpackage; a public one is its own.
    home = MOVED[old].rpartition(".")[0] if private else MOVED[old]
    namespace = importlib.import_module(REEXPORTED_BY.get(old, home))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        shim = importlib.import_module(old)  # importing it is silent; reading a name warns
    names = list(getattr(new, "__all__", ())) or [
        n for n, v in vars(new).items() if not n.startswith("_") and callable(v)
    ]
    assert names, old
    for name in names:
        public = name in namespace.__all__
        where = f"import it from {namespace.__name__}" if public else f"({new.__name__}.{name})"
        with pytest.warns(DeprecationWarning, match=f"{old} is deprecated.*{name!r}") as caught:
            value = getattr(shim, name)
        assert where in str(caught[0].message)
        assert value is getattr(new, name)
    assert set(dir(shim)) >= set(names)


def test_a_name_the_module_never_had_is_an_attribute_error_without_warning():
    shim = importlib.import_module("powerseek.solvers.kernels")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError, match="no_such_name"):
            shim.no_such_name  # noqa: B018
        assert not hasattr(shim, "__test__")  # doctest's probe is not an import


def test_old_from_imports_warn_at_the_caller():
    code = (
        "import warnings\n"
        "warnings.simplefilter('always')\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    from powerseek.solvers.kernels import segment_max\n"
        "print(caught[0].filename, caught[0].category.__name__)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["<string>", "DeprecationWarning"]


#: A cheap call of each shadowed function, and the array it returns.
SHADOWED_CALLS = {
    "solve": "{f}(mdp, np.ones((1, mdp.n_states)), 0.5).values",
    "power": "{f}(mdp, 0.5, n_samples=50, rng=0).power",
    "optimality": "{f}(mdp, 0.5, n_samples=50, rng=0).probability",
    "visit_optimality": (
        "{f}(mdp, 'start', visit_distributions(mdp, 'start')[:1], 0.5, n_samples=50, rng=0)"
        ".probability"
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize(
    "old",
    [
        "powerseek.solvers.solve",
        "powerseek.analysis.power",
        "powerseek.analysis.optimality",
        "powerseek.analysis.visit_optimality",
    ],
)
def test_a_function_shadowed_by_its_former_module_still_runs(old):
    """``import powerseek.analysis.power`` binds the subpackage's ``power`` to the old
    module; the function must still run under that name, with no warning."""
    package, _, function = old.rpartition(".")
    call = SHADOWED_CALLS[function]
    code = (
        "import warnings, numpy as np\n"
        "warnings.simplefilter('error')\n"
        f"import {old}\n"
        f"import {package} as package\n"
        "from powerseek import load\n"
        "from powerseek.visits import visit_distributions\n"
        f"from {MOVED[old]} import {function} as original\n"
        "mdp = load('turner-fig1')\n"
        f"through_module = {call.format(f='package.' + function)}\n"
        f"direct = {call.format(f='original')}\n"
        f"print(isinstance(package.{function}, type(warnings)), "
        "bool(np.array_equal(through_module, direct)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]


def test_api_pages_list_exactly_the_public_names():
    """docs/api/*.md are tools/api_pages.py's output: a public name has a page."""
    stale = [
        file
        for file, text in api_pages.pages().items()
        if (ROOT / "docs" / "api" / file).read_text(encoding="utf-8") != text
    ]
    assert not stale, f"run python tools/api_pages.py: {stale} differ"
    listed = {
        line.strip()
        for text in api_pages.pages().values()
        for line in text.splitlines()
        if line.startswith("   ") and not line.strip().startswith(":")
    }
    for _, _, namespace, modules in api_pages.PAGES:
        package = importlib.import_module(namespace)
        for name in package.__all__:
            if api_pages.kind_of(getattr(package, name)) is None:  # a public module
                assert f"{namespace}.{name}" in modules, name
            else:
                assert name in listed, f"{namespace}.{name}"


#: Names a namespace no longer holds, and the public module that holds them now.
MOVED_NAMES = {
    **{
        ("powerseek.analysis", name): "powerseek.agents.lotteries"
        for name in (
            "anti_optimal", "as_lotteries", "best_of_k", "boltzmann", "frac_optimal",
            "is_optimal", "make_rule", "quantilize", "satisfice",
        )
    },
    **{
        ("powerseek.exact", name): "powerseek.visits"
        for name in (
            "RecurrentDistribution", "VisitDistribution", "format_function", "nondominated",
            "nondominated_rsds", "nondominated_vectors", "one_cycle_options",
            "recurrent_distributions", "restrict", "visit_distributions",
        )
    },
    **{
        ("powerseek.parallel", name): "powerseek.batch"
        for name in (
            "BatchResult", "BatchSpec", "Unit", "check_batch", "read_batch", "run_batch",
            "unit_inputs",
        )
    },
}  # fmt: skip


@pytest.mark.parametrize(("namespace", "name"), sorted(MOVED_NAMES))
def test_a_moved_name_still_works_with_a_warning(namespace, name):
    new = MOVED_NAMES[namespace, name]
    with pytest.warns(DeprecationWarning, match=f"{namespace}.{name} is deprecated.*{new}"):
        value = getattr(importlib.import_module(namespace), name)
    assert value is getattr(importlib.import_module(new), name)
    assert name not in importlib.import_module(namespace).__all__


def test_a_namespace_without_the_name_says_so_without_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError, match="'powerseek.analysis' has no attribute 'nope'"):
            importlib.import_module("powerseek.analysis").nope  # noqa: B018


def test_the_results_page_lists_every_result_class_and_field():
    """docs/results.md is tools/results_page.py's output, names every public result
    class with every field and property, and describes each one."""
    import dataclasses

    sys.path.insert(0, str(ROOT / "tools"))
    import results_page

    sys.path.pop(0)
    text = (ROOT / "docs" / "results.md").read_text(encoding="utf-8")
    assert text == results_page.page(), "run python tools/results_page.py"
    listed = {name for _, name, _ in results_page.RESULTS}
    public_results = {
        name
        for module in PUBLIC_NAMES
        for name in PUBLIC_NAMES[module]
        if name.endswith("Result") or name.startswith("Exact")
    }
    assert public_results <= listed
    for namespace, name, _ in results_page.RESULTS:
        cls = getattr(importlib.import_module(namespace), name)
        rows = results_page.fields_of(cls)
        assert {f.name for f in dataclasses.fields(cls) if not f.name.startswith("_")} <= {
            row[0] for row in rows
        }
        assert all(meaning for _, _, meaning in rows), name
