"""The engine's entry point: engine.run, its quantities and Context.memo."""

import numpy as np
import pytest

import powerseek
from powerseek import InvalidTypeError
from powerseek.analysis import engine
from powerseek.analysis._options import EngineOptions, ExecutionOptions

CANDY = powerseek.load("candy-wait")


def test_run_gives_the_built_in_analyses_numbers():
    """power_sweep is engine.run with one ContextArray: the same numbers, bit for bit."""
    out = engine.run(CANDY, [0, 0.5, 1], {"power": ((5,), engine.ContextArray("power"))},
                     n_samples=3000, rng=4)  # fmt: skip
    sweep = powerseek.power_sweep(CANDY, [0, 0.5, 1], n_samples=3000, rng=4)
    assert out.run.gammas == sweep.gammas
    for ours, theirs in zip(out.per_gamma("power"), sweep.estimates):
        np.testing.assert_array_equal(ours.mean, theirs.mean)
        np.testing.assert_array_equal(ours.stderr, theirs.stderr)
    assert out.solver == sweep.solver


def test_quantities_may_be_built_from_the_validated_run():
    seen = []

    def build(run):
        seen.append((run.gammas, run.tol))
        return {"power": ((5,), engine.ContextArray("power"))}

    options = EngineOptions.gather(None, None, None, {"tol": 1e-7})
    engine.run(CANDY, 0.5, build, n_samples=10, rng=0, options=options)
    assert seen == [((0.5,), 1e-7)]


@pytest.mark.parametrize(
    "quantities, message",
    [
        ({}, "must map names to"),
        ([("power", None)], "must map names to"),
        ({"power": engine.ContextArray("power")}, "'power' must be a \\(shape, function\\) pair"),
        ({"power": ((5,), "power")}, "'power' must be a \\(shape, function\\) pair"),
    ],
)
def test_bad_quantities_are_refused_before_any_work(quantities, message):
    with pytest.raises(InvalidTypeError, match=message):
        engine.run(CANDY, 0.5, quantities, n_samples=10, rng=0)


def test_a_closure_is_refused_for_a_process_pool_naming_it():
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1) as pool:
        options = EngineOptions(execution=ExecutionOptions(executor=pool))
        with pytest.raises(InvalidTypeError, match="quantity 'mine' cannot be sent to the "
                           "process pool .* module level"):  # fmt: skip
            engine.run(CANDY, 0.5, {"mine": ((5,), lambda ctx: ctx.power.T)}, n_samples=10,
                       rng=0, options=options)  # fmt: skip


def test_memo_computes_once_per_chunk_and_gamma():
    calls = []

    def counted(ctx):
        return ctx.memo(("counted",), lambda: calls.append(ctx.gamma) or ctx.power.T)

    quantities = {"a": ((5,), counted), "b": ((5,), counted)}
    out = engine.run(CANDY, [0.5, 0.9], quantities, n_samples=50, rng=1)
    assert calls == [0.5, 0.9]  # one chunk: once per γ, shared by both quantities
    np.testing.assert_array_equal(out.per_gamma("a")[1].mean, out.per_gamma("b")[1].mean)
