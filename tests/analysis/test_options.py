"""Engine option objects: the same numbers by object or keyword, clear refusals."""

import numpy as np
import pytest

import powerseek
from powerseek import InvalidParameterError, InvalidTypeError
from powerseek.analysis._options import (
    EngineOptions,
    ExecutionOptions,
    SamplingOptions,
    SolverOptions,
)
from powerseek.visits._functions import restrict, visit_distributions

FIG1 = powerseek.load("turner-fig1")


def test_objects_and_keywords_give_identical_numbers():
    by_keyword = powerseek.power(
        FIG1, 0.9, n_samples=300, rng=4, tol=1e-12, qmc=True, n_replicates=4, chunk_size=7
    )
    by_object = powerseek.power(
        FIG1,
        0.9,
        n_samples=300,
        rng=4,
        solver=SolverOptions(tol=1e-12),
        sampling=SamplingOptions(qmc=True, n_replicates=4),
        execution=ExecutionOptions(chunk_size=7),
    )
    np.testing.assert_array_equal(by_keyword.estimate.mean, by_object.estimate.mean)
    np.testing.assert_array_equal(by_keyword.stderr, by_object.stderr)
    assert by_keyword.solver == by_object.solver
    assert by_object.solver["tol"] == pytest.approx(1e-12, rel=0, abs=1e-12)


def test_settings_reach_the_engine():
    """A setting given either way changes the result it should change."""
    plain = powerseek.power(FIG1, 0.9, n_samples=300, rng=4)
    qmc = powerseek.power(FIG1, 0.9, n_samples=300, rng=4, sampling=SamplingOptions(qmc=True))
    assert plain.provenance["sampling"] != qmc.provenance["sampling"]
    vi = powerseek.optimality(
        FIG1, 0.9, state="start", n_samples=200, rng=1, solver=SolverOptions("value-iteration")
    )
    assert vi.solver["method"] == "value-iteration"
    wide = powerseek.power(FIG1, 0.9, n_samples=300, rng=4, confidence=0.5)
    assert np.all(wide.estimate.ci_high - wide.estimate.ci_low < plain.stderr * 2 * 1.96)


def test_unknown_duplicate_and_mistyped_options_are_refused():
    with pytest.raises(InvalidTypeError, match=r"power_sweep\(\) got an unexpected keyword"):
        powerseek.power(FIG1, 0.9, n_samples=10, tolerance=1e-9)
    with pytest.raises(InvalidParameterError, match="`tol` is given twice"):
        powerseek.power(FIG1, 0.9, n_samples=10, solver=SolverOptions(tol=1e-8), tol=1e-10)
    with pytest.raises(InvalidTypeError, match="`solver` must be a SolverOptions"):
        powerseek.power(FIG1, 0.9, n_samples=10, solver={"tol": 1e-8})
    # a keyword may fill a field its group object leaves at the default
    options = EngineOptions.gather(SolverOptions(method="value-iteration"), settings={"tol": 1e-6})
    assert options.solver == SolverOptions("value-iteration", 1e-6)


def test_an_analysis_refuses_settings_it_would_ignore():
    F = visit_distributions(FIG1, "start")
    subset = restrict(F, "start", "right")
    with pytest.raises(InvalidParameterError, match=r"visit_optimality\(\) does not use `device`"):
        powerseek.analysis.visit_optimality(FIG1, "start", subset, 0.9, device="cpu")
    with pytest.raises(InvalidParameterError, match="does not use `tol`"):
        powerseek.analysis.visit_optimality(FIG1, "start", subset, 0.9, tol=1e-6)
    with pytest.raises(InvalidParameterError, match="does not use `memory`"):
        powerseek.analysis.visit_optimality(
            FIG1, "start", subset, 0.9, execution=ExecutionOptions(memory=10)
        )
    result = powerseek.analysis.visit_optimality(
        FIG1, "start", subset, 0.9, functions=F, n_samples=200, rng=0, chunk_size=16
    )
    assert 0 < result.value < 1
