"""--dist specs and distribution files."""

import pytest

from powerseek import (
    IID,
    FiniteSupport,
    InvalidParameterError,
    ParseError,
    PerState,
    PowerseekError,
    load,
)
from powerseek.rewards._spec import parse_distribution, parse_scipy


@pytest.mark.parametrize(
    ("spec", "described"),
    [
        ("uniform", "iid uniform(0, 1)"),
        ("uniform(-1, 1)", "iid uniform(-1, 1)"),
        ("bernoulli(0.3)", "iid bernoulli(0.3)"),
        ("beta(2, 1)", "iid beta(2, 1)"),
        ("normal(0, 2)", "iid norm(0, 2)"),
        ("triang(0.5)", "iid triang(0.5)"),
        ("uniform; empty=uniform(-1,1)", "uniform(0, 1); 'empty': uniform(-1, 1)"),
        (
            "beta(2,2); left=bernoulli(0.5); right=uniform(0, 2)",
            "beta(2, 2); 'left': bernoulli(0.5); 'right': uniform(0, 2)",
        ),
    ],
)
def test_specs(spec, described):
    assert parse_distribution(spec, load("turner-fig1")).describe() == described


def test_grid_cells_and_names():
    dist = parse_distribution("uniform; red=bernoulli(0.1)", load("aima-4x3"))
    assert isinstance(dist, PerState)
    assert set(dist.dists) == {(1, 3)}  # `red` names the cell (1, 3)


@pytest.mark.parametrize(
    "spec, message",
    [
        ("uniform; (1,3)=uniform(5, 6); red=bernoulli(0.1)", r"'\(1,3\)' and 'red' name it"),
        ("uniform; red=uniform(5, 6); red=bernoulli(0.1)", r"\(1, 3\) has two per-state entries"),
    ],
)
def test_a_state_given_twice_is_refused(spec, message):
    with pytest.raises(InvalidParameterError, match=message):
        parse_distribution(spec, load("aima-4x3"))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("cauchy", "no finite mean"),
        ("beta(-1, 2)", "bad parameters for beta"),
        ("beta(1)", "scipy.stats.beta takes a, b"),
        ("bernoulli(2)", "bad parameters for bernoulli"),
        ("uniform(1, 0)", "needs a < b"),
        ("uniform(1)", "two end points"),
        ("nosuch(1)", "unknown distribution 'nosuch'"),
        ("beta(a, b)", "must be numbers"),
        ("2 + 2", "cannot read the distribution"),
        ("; empty=uniform", "starts with no default"),
        ("uniform; empty", "STATE=DIST"),
        ("uniform; middle=uniform", "'middle' is not a state"),
        # found by fuzzing: an integer too large for a float raised OverflowError
        ("beta(" + "1" * 400 + ", 1)", "must be finite numbers; got an integer of 400 digits"),
        ("beta(1e400, 1)", "must be finite numbers; got inf"),
    ],
)
def test_bad_specs(spec, message):
    with pytest.raises(PowerseekError, match=message):
        parse_distribution(spec, load("turner-fig1"))


def test_toml_files(tmp_path):
    mdp = load("candy-wait")
    per_state = tmp_path / "d.toml"
    per_state.write_text('default = "beta(2, 2)"\n[states]\ncandy = "uniform(0, 10)"\n')
    assert parse_distribution(str(per_state), mdp).describe() == (
        "beta(2, 2); 'candy': uniform(0, 10)"
    )
    finite = tmp_path / "f.toml"
    finite.write_text("vectors = [[0, 0, 1, 0, 0], [0, 0, 0, 1, 1]]\nweights = [0.5, 0.5]\n")
    assert isinstance(parse_distribution(str(finite), mdp), FiniteSupport)
    plain = tmp_path / "p.toml"
    plain.write_text('default = "bernoulli(0.5)"\n')
    assert isinstance(parse_distribution(str(plain), mdp), IID)
    bad = tmp_path / "bad.toml"
    bad.write_text('colour = "red"\n')
    with pytest.raises(ParseError, match=r"bad.toml: unknown key\(s\) 'colour'"):
        parse_distribution(str(bad), mdp)
    bad.write_text('[states]\nnowhere = "uniform"\n')
    with pytest.raises(ParseError, match="bad.toml: 'nowhere' is not a state"):
        parse_distribution(str(bad), mdp)
    with pytest.raises(ParseError, match="missing.toml: cannot read"):
        parse_distribution(str(tmp_path / "missing.toml"), mdp)


def test_parse_scipy_support():
    assert parse_scipy("uniform(2, 5)").support() == (2.0, 5.0)
