"""Fuzzing the batch reader and the files a batch names: distributions and policy graphs.

Valid files are mutated at the level of bytes, lines and number tokens, as the
environment readers are in tests/io/test_fuzz_files.py, and read back. The promise
under test (docs/cli.md): a batch file is read and checked (:func:`read_batch`,
:func:`check_batch`: every environment, distribution, job and work bound) or refused with
a :class:`powerseek.PowerseekError`, never another exception, quickly. Distribution files
and policy graphs are fuzzed the same way through their own readers.
"""

import time

import pytest
from fuzzing import byte_mutations, line_mutations, number_mutations
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import powerseek
from powerseek import PowerseekError
from powerseek.batch._runner import BatchSpec, check_batch, read_batch
from powerseek.io import _graphviz as graphviz
from powerseek.multiagent import joint_gridworld, uniform_policy
from powerseek.rewards._spec import parse_distribution

TIME_BOUND = 5.0
EXAMPLES = max(20, settings().max_examples)

JOINT = joint_gridworld("..", overlap=False)

BATCHES = [
    'name = "grid"\nseed = 7\nenvironments = ["candy-wait", "turner-fig1"]\n'
    'distributions = ["uniform", "beta(2, 1)", "d.toml"]\nsamples = [400, 800]\n'
    'gamma = [0, 0.5, 1]\nquantities = ["power", "optimality"]\nmethod = "auto"\ntol = 1e-9\n'
    "max_work = 1e8\n",
    'seed = 3\n\n[[orbit]]\nenvironment = "candy-wait"\nstate = "start"\n'
    'actions = ["wait", "candy"]\ngamma = 1\nreward = [0, 0, 0.3, 0.5, 0.9]\n\n'
    '[[orbit]]\nenvironment = "turner-fig1"\nstates = ["right", "left"]\ngamma = 0.9\n'
    'distribution = "uniform"\n\n[[check]]\nenvironment = "turner-fig1"\nstate = "start"\n'
    'actions = ["right", "left"]\ngamma = [0.1, 0.5]\nsamples = 200\n',
    '[[multiagent]]\nenvironment = "pair.gv"\nother_policy = "pol.gv"\nagent = "H"\n'
    'gamma = [0.6]\nsamples = 300\ndistribution = "d.toml"\n\n[[multiagent]]\n'
    'environment = "pair.gv"\ngamma = 0.6\nsamples = 200\ncorrelation = [0, 0.5, 1]\n',
]
DISTRIBUTIONS = [
    'default = "uniform"\n',
    'default = "beta(2, 1)"\n[states]\nstart = "uniform(0, 2)"\ncandy = "bernoulli(0.3)"\n',
    "vectors = [[0, 0, 0.3, 0.5, 0.9], [1, 0, 0, 0, 0]]\nweights = [0.25, 0.75]\n",
]
POLICIES = [graphviz.dump_policy(uniform_policy(JOINT, "A"), agents=JOINT.agents)]
NASTY_NUMBERS = [
    "1e400", "-1e400", "1" * 400, "1" * 5000, "-0", "0", "-1", "1.5", "2", "nan", "inf",
    "-inf", "true", "[]", "{}", '""', "1e-320", "4294967297", "[1, 1]", "[0.5, 0.5]",
]  # fmt: skip
FUZZ = settings(
    max_examples=EXAMPLES,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


def mutated(texts):
    """One of `texts` with bytes, lines or number tokens changed, as bytes."""
    return st.one_of(
        byte_mutations(texts),
        line_mutations(texts).map(str.encode),
        number_mutations(texts, NASTY_NUMBERS).map(str.encode),
    )


def _inputs(folder):
    """The files the batches name, beside them."""
    (folder / "d.toml").write_text(DISTRIBUTIONS[0])
    (folder / "pair.gv").write_text(graphviz.dump(JOINT.mdp))
    (folder / "pol.gv").write_text(POLICIES[0])


def _timed(function, *args):
    start = time.perf_counter()
    try:
        return function(*args)
    except PowerseekError:
        return None
    finally:
        assert time.perf_counter() - start < TIME_BOUND


@FUZZ
@given(data=st.data())
def test_mutated_batch_files_are_read_and_checked_or_refused(tmp_path, data):
    _inputs(tmp_path)
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data.draw(mutated(BATCHES)))
    spec = _timed(read_batch, path)
    if spec is not None:
        assert isinstance(spec, BatchSpec)
        _timed(check_batch, spec)


@FUZZ
@given(data=st.data())
def test_mutated_distribution_files_parse_or_are_refused(tmp_path, data):
    path = tmp_path / "fuzz.toml"
    path.write_bytes(data.draw(mutated(DISTRIBUTIONS)))
    dist = _timed(parse_distribution, str(path), powerseek.load("candy-wait"))
    if dist is not None:
        dist.describe()


@FUZZ
@given(data=st.data())
def test_mutated_policy_graphs_read_or_are_refused(tmp_path, data):
    path = tmp_path / "fuzz.gv"
    path.write_bytes(data.draw(mutated(POLICIES)))
    policy = _timed(graphviz.read_policy, path)
    if policy is not None:
        assert all(abs(sum(p.values()) - 1) < 1e-6 for p in policy.values())


@pytest.mark.parametrize("text", BATCHES)
def test_the_unmutated_batches_are_valid(tmp_path, text):
    """The fuzzer starts from files that pass, so that mutations reach the deeper checks."""
    _inputs(tmp_path)
    (tmp_path / "ok.toml").write_text(text)
    assert check_batch(read_batch(tmp_path / "ok.toml"))
