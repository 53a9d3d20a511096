"""Plant one-line bugs in the engine and check that the test suite catches each one.

Usage (from the repository root, with the test extras installed)::

    python tools/mutation.py                 # every mutant; prints a table and the score
    python tools/mutation.py --list          # the mutants, without running anything
    python tools/mutation.py --only 3 17     # some of them, by number

Each mutant replaces one exact piece of one line of the engine (the solvers, the γ → 0
and γ → 1 limits, the Monte Carlo estimates, POWER, optimality, orbits, permutations,
non-domination). The runner copies the package and the tests to a temporary folder,
applies the mutant there (the working tree is never touched), runs the engine's tests
with ``pytest -x`` and records whether some test failed ("killed") or all passed
("survived"). A mutant whose original text is no longer in the file is reported as
stale, so the list cannot silently rot. The score is killed / (killed + survived).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The tests that guard the engine (the rest of the suite is about files and the CLI).
TESTS = [
    "tests/solvers/test_solve.py", "tests/analysis/test_power.py", "tests/analysis/test_optimality.py",
    "tests/rewards/test_estimates.py", "tests/analysis/test_engine_mutants.py", "tests/symmetry/test_environmental.py",
    "tests/symmetry/test_orbits.py", "tests/visits/test_visits.py", "tests/theorems",
    "tests/agents/test_lotteries.py", "tests/agents/test_agent_rules.py",
    "tests/solvers/test_stochastic.py", "tests/solvers/test_policy_evaluation.py",
    "tests/multiagent/test_multiagent.py", "tests/agents/test_shutdown.py",
    "tests/solvers/test_compiled.py", "tests/solvers/test_compiled_sweeps.py",
    "tests/rewards/test_uniform_draws.py", "tests/rewards/test_tree_fold.py",
    "tests/solvers/test_kernels.py",
]  # fmt: skip


@dataclass(frozen=True)
class Mutant:
    module: str  # path under powerseek/
    original: str  # an exact piece of one line
    mutated: str
    what: str


MUTANTS = [
    # solvers
    Mutant("solvers/_kernels.py", "        S += g * np.take(S, index)", "        S += np.take(S, index)",
           "pointer doubling without the discount"),
    Mutant("solvers/_kernels.py", "    for k in range(doublings + 1):", "    for k in range(doublings):",
           "pointer doubling one step short"),
    Mutant("solvers/_kernels.py", "        g *= g", "        g *= gamma", "doubling the discount wrongly"),
    Mutant("solvers/_kernels.py", "    improve = best > current + margin",
           "    improve = best > current - margin", "improvement margin sign"),
    Mutant("solvers/_numpy_backend.py", "            bound = gamma * (hi - lo) / 2  # (1-γ)·c·(hi-lo)/2",
           "            bound = gamma * (hi - lo) / 4  # (1-γ)·c·(hi-lo)/2",
           "extrapolated value iteration's bound halved"),
    Mutant("solvers/_numpy_backend.py", "            estimate = new + c * (hi + lo) / 2",
           "            estimate = new + c * (hi - lo) / 2", "extrapolation midpoint sign"),
    Mutant("solvers/_numpy_backend.py", "        new = RT[:, active] + gamma * best_next(mdp, V_a)",
           "        new = RT[:, active] + best_next(mdp, V_a)",
           "Bellman update without the discount"),
    Mutant("solvers/_numpy_backend.py", "        done = bound <= tol", "        done = bound <= 1e3 * tol",
           "value iteration stops early"),
    Mutant("solvers/_kernels.py", "    horizon = math.log(eps / 16) / math.log(gamma)",
           "    horizon = math.log(eps / 16) / math.log(gamma) / 4", "too few doublings"),
    # the Monte Carlo engine
    Mutant("analysis/engine.py", "                X = (1.0 - self.gamma) * self.values",
           "                X = self.values", "POWER without the (1 − γ) normalisation"),
    Mutant("analysis/engine.py", "                tolerance = self.tie_margin + 2.0 * self.error_bound",
           "                tolerance = self.tie_margin",
           "tie tolerance without the solver's error bound"),
    Mutant("analysis/engine.py", "                mask = best[self.mdp.pair_states] - tolerance <= C",
           "                mask = best[self.mdp.pair_states] + tolerance <= C",
           "tie tolerance with the wrong sign"),
    Mutant("analysis/engine.py", "                X = self.rewards", "                X = 0 * self.rewards",
           "γ = 0 POWER from nothing"),
    # the engine's random streams
    Mutant("rewards/_distributions.py", "            np.random.SeedSequence(self.entropy, spawn_key=(0, block.index))",
           "            np.random.SeedSequence(self.entropy, spawn_key=(0,))",
           "every sample block draws the same rewards"),
    Mutant("analysis/engine.py", "            seed = np.random.SeedSequence(list(self.entropy), spawn_key=(2, block.index))",
           "            seed = np.random.SeedSequence(list(self.entropy), spawn_key=(2,))",
           "every sample block shares one decision-rule stream"),
    # reported error bounds
    Mutant("solvers/_stochastic.py", "    bound = float(residual.max()) if m else 0.0", "    bound = 0.0",
           "stochastic policy iteration reports a bound of 0"),
    Mutant("solvers/_policy_evaluation.py", "    return float(np.abs(residual).max(initial=0.0)) / (1.0 - gamma)",
           "    return float(np.abs(residual).max(initial=0.0))",
           "policy evaluation's bound without its 1/(1 − γ)"),
    # decision rules
    Mutant("agents/lotteries.py", "TIE_TOL = 1e-9", "TIE_TOL = 1e-3", "lottery tie tolerance 1e-3"),
    Mutant("agents/lotteries.py", "    weights = special.softmax(values / temperature, axis=1)",
           "    weights = special.softmax(values, axis=1)", "lottery Boltzmann ignores its temperature"),
    Mutant("agents/_rules.py", "        return _softmax(ctx.gamma * ctx.continuation / self.temperature, ctx.mdp)",
           "        return _softmax(ctx.continuation / self.temperature, ctx.mdp)",
           "MDP Boltzmann without the discount"),
    # estimates
    Mutant("rewards/_estimates.py", "            variance = roots[0][2] / (n_total - 1)",
           "            variance = roots[0][2] / (n_total - 2)", "variance off by one"),
    Mutant("rewards/_estimates.py", "            stderr = np.sqrt(variance / n_total)",
           "            stderr = np.sqrt(variance)", "standard error without 1/√n"),
    Mutant("rewards/_estimates.py", "    m2 = m2_a + m2_b + delta**2 * (n_a * n_b / n)",
           "    m2 = m2_a + m2_b", "block merge drops the between-block term"),
    Mutant("rewards/_estimates.py", "    mean = mean_a + delta * (n_b / n)",
           "    mean = mean_a + delta * (n_a / n)", "block merge weights"),
    Mutant("rewards/_estimates.py", "            nodes = pending if carry is None else [*pending, carry]",
           "            nodes = pending if carry is None else [carry, *pending]",
           "the merge tree's last node taken first"),
    Mutant("rewards/_estimates.py", "        z = normal_quantile(0.5 + self.confidence / 2)",
           "        z = normal_quantile(self.confidence)", "one-sided z in the intervals"),
    Mutant("rewards/_distributions.py", "            out *= scale",
           "            out *= 1.0",
           "uniform rewards drawn without their scale"),
    # the compiled kernels (numba installed)
    Mutant("solvers/_numba_kernels.py", "        s = n - 1 - i if backward else i", "        s = i",
           "Gauss–Seidel sweeps never backward"),
    Mutant("solvers/_numba_kernels.py", "            x[b] = y if live[b] else old", "            x[b] = y",
           "a stopped column sweeps on"),
    Mutant("solvers/_numba_kernels.py", "                out[j, 0] = gamma * change[b]",
           "                out[j, 0] = 0.5 * gamma * change[b]", "Gauss–Seidel certificate halved"),
    Mutant("solvers/_numba_kernels.py", "            mean[c] = first[c] if equal[c] else mean[c] / count",
           "            mean[c] = mean[c] / count", "compiled moments: equal values' mean off by an ulp"),
    # γ → 1 and γ → 0 limits
    Mutant("solvers/_limits.py", "    return masks[1], unresolved", "    return masks[0], unresolved",
           "Blackwell set from the farther discount"),
    Mutant("solvers/_limits.py", "BLACKWELL_GAMMAS = (1 - 1e-4, 1 - 1e-6)",
           "BLACKWELL_GAMMAS = (0.99, 0.999)", "Blackwell decided at 0.99 and 0.999"),
    Mutant("solvers/_limits.py", "    policy = _dense_policy_iteration(mdp, RT, STOCHASTIC_BLACKWELL_GAMMAS[1])",
           "    policy = _dense_policy_iteration(mdp, RT, STOCHASTIC_BLACKWELL_GAMMAS[0])",
           "stochastic POWER at γ = 1 from a policy optimal at 1 − 1e-3"),
    Mutant("solvers/_limits.py", "    tolerance = tie_tol * scale\n    structural",
           "    tolerance = 0 * scale\n    structural", "γ → 0 comparison with zero tie tolerance"),
    Mutant("solvers/_limits.py", "    for _ in range(2 * mdp.n_states + 1):", "    for _ in range(1):",
           "γ → 0 refinement stops after E R(s_1)"),
    Mutant("solvers/_limits.py", "    differ = masks[0] != masks[1]", "    differ = masks[0] & ~masks[0]",
           "unresolved Blackwell samples never reported"),
    # POWER-seeking and orbits
    Mutant("analysis/_power.py", "        if mean > z * se:", "        if mean > 0:",
           "seeks_more_power True for any positive difference"),
    Mutant("analysis/_power.py", "        if mean < -z * se:", "        if mean < 0:",
           "seeks_more_power False for any negative difference"),
    Mutant("symmetry/_orbits.py", '        confidence_level=confidence, method="wilson"',
           '        confidence_level=confidence, method="wald"', "a Wald interval instead of Wilson's"),
    # theorem verdicts
    Mutant("symmetry/_theorems.py", '"transport (Lemma E.21)",\n            worst is None,',
           '"transport (Lemma E.21)",\n            None,',
           "Prop 6.6's transport check decides nothing (inconclusive)"),
    # two agents
    Mutant("multiagent/_correlation.py", "        copied = support[0] + support[1] - R",
           "        copied = support[1] - R", "the reflection ignores the lower end of the support"),
    # training-compatible goals and shutdown
    Mutant("agents/_shutdown.py", "    return float(\n        max(\n", "    return float(\n        min(\n",
           "the revisit count takes the worst option, not the best"),
    # permutations
    Mutant("symmetry/_environmental.py", "        return Permutation.from_indices(self.states, self.image[other.image])",
           "        return Permutation.from_indices(self.states, other.image[self.image])",
           "permutation composition in the wrong order"),
    Mutant("symmetry/_environmental.py", "        out[..., self.image] = x", "        out[...] = x[..., self.image]",
           "permutations act in the inverse direction"),
    Mutant("symmetry/_environmental.py", "        inverse[self.image] = np.arange(len(self.image))",
           "        inverse[:] = self.image", "inverse is the permutation itself"),
    # visit-set optimality at the limits
    Mutant("analysis/_visit_optimality.py", "    for coefficients in stack:", "    for coefficients in stack[:1]:",
           "the γ → 0 and γ → 1 comparison stops at its first coefficient"),
    # non-domination
    Mutant("visits/_functions.py", "            if t <= threshold:  # a relaxation: t* ≤ t",
           "            if t <= -threshold:  # a relaxation: t* ≤ t", "relaxed LP threshold sign"),
    Mutant("visits/_functions.py", "            if slack.min() > threshold:  # (r, min slack) is feasible for the full LP",
           "            if slack.max() > threshold:  # (r, min slack) is feasible for the full LP",
           "vertex certificate checks one row only"),
    Mutant("visits/_functions.py", "    proven[top[margin > threshold]] = True",
           "    proven[top[margin >= 0]] = True", "repeated rows proven vertices"),
    Mutant("visits/_functions.py", "        if _near_hull(x, V[aligned]) <= distance:",
           "        if _near_hull(x, V[aligned]) <= 1e3 * distance:", "hull distance bound loosened"),
]  # fmt: skip


def stale(mutant: Mutant, root: Path = ROOT) -> bool:
    """Whether the mutant no longer applies: its file is gone or its line is not there once."""
    path = root / "powerseek" / mutant.module
    if not path.is_file():
        return True
    return path.read_text(encoding="utf-8").count(mutant.original) != 1


def _copy_tree(into: Path) -> None:
    for name in ("powerseek", "tests", "environments"):
        shutil.copytree(ROOT / name, into / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", into / "pyproject.toml")


def run_one(number: int, mutant: Mutant, timeout: float) -> str:
    with tempfile.TemporaryDirectory(prefix="powerseek-mutant-") as folder:
        work = Path(folder)
        _copy_tree(work)
        path = work / "powerseek" / mutant.module
        if stale(mutant, work):
            return "stale"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(mutant.original, mutant.mutated), encoding="utf-8")
        command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider",
                   "--no-header", *TESTS]  # fmt: skip
        try:
            done = subprocess.run(
                command, cwd=work, capture_output=True, text=True, timeout=timeout,
                env={"PYTHONPATH": str(work), "PATH": "/usr/bin:/bin",
                     "POWERSEEK_HYPOTHESIS_PROFILE": "ci"},
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return "killed (timeout)"
        return "survived" if done.returncode == 0 else "killed"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--only", type=int, nargs="+", metavar="N", help="run these mutants")
    parser.add_argument("--timeout", type=float, default=240, help="seconds per mutant")
    args = parser.parse_args(argv)
    chosen = [(n, m) for n, m in enumerate(MUTANTS, 1) if not args.only or n in args.only]
    if args.list:
        for n, m in chosen:
            mark = "  (stale)" if stale(m) else ""
            print(f"{n:3d}  {m.module:<26} {m.what}{mark}")
        return 0
    counts = {"killed": 0, "survived": 0, "stale": 0}
    for n, m in chosen:
        start = time.monotonic()
        outcome = run_one(n, m, args.timeout)
        counts[outcome.split()[0]] += 1
        print(f"{n:3d}  {outcome:<16} {time.monotonic() - start:6.1f} s  {m.module:<26} {m.what}",
              flush=True)  # fmt: skip
    scored = counts["killed"] + counts["survived"]
    score = counts["killed"] / scored if scored else float("nan")
    print(f"\n{counts['killed']} killed, {counts['survived']} survived, {counts['stale']} stale: "
          f"score {score:.1%}")  # fmt: skip
    return 0 if counts["survived"] == 0 and counts["stale"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
