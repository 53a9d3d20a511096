"""Fuzzing the file readers: a mutated environment file loads or gets a powerseek error.

Every bundled environment is written in each format it fits (TOML, .grid, node-link
JSON, .gv), then mutated at the level of bytes, lines and number tokens, and read back. The
promise under test (docs/file-formats.md): loading either gives a valid MDP or raises a
:class:`powerseek.PowerseekError` (``ParseError`` or ``InvalidMDPError``) naming the
file, quickly; never another exception. The ``ci`` profile runs a few hundred inputs per
format; ``thorough`` (``POWERSEEK_HYPOTHESIS_PROFILE=thorough``) runs thousands.
"""

import contextlib
import json
import time

import catalog
import pytest
from fuzzing import byte_mutations, line_mutations, number_mutations
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import powerseek
from powerseek import MDP, PowerseekError, gridworld
from powerseek.io import _files as files

# Left out of the quick run (-m "not slow"): thousands of mutated files, about 100 s.
pytestmark = pytest.mark.slow

#: The number of inputs per format and mutation level, by profile.
EXAMPLES = 5 * settings().max_examples
#: No input, however malformed, may take longer than this to load (seconds).
TIME_BOUND = 5.0


def _sources() -> dict[str, list[str]]:
    """Every catalog environment in every format that can hold it."""
    out: dict[str, list[str]] = {"toml": [], "grid": [], "json": [], "gv": []}
    for info in catalog.environments():
        if info.format == "level":  # object levels: tests/mdp/test_objects.py
            continue
        mdp = powerseek.load(info.name)
        for kind in out:
            with contextlib.suppress(PowerseekError):  # a format that cannot hold it
                out[kind].append(files.dumps(mdp, kind))
    return out


SOURCES = _sources()

#: Number tokens that have broken readers: overflow, non-finite, tolerance edges.
NASTY_NUMBERS = [
    "1e400", "-1e400", "1" * 400, "1" * 5000, "-0", "0", "-1", "1.5", "2", "0.5",
    "1.0000000001", "0.9999999999", "1.000001", "NaN", "Infinity", "-Infinity", "nan",
    "inf", "true", "null", "[]", "{}", '""', '"1/3"', '"1/0"', "1e-320", "100000",
    "4294967297", "[1.5, 1]", "[100000, 100000]",
]  # fmt: skip


def _check_load(text: str, kind: str) -> None:
    start = time.perf_counter()
    try:
        mdp = files.loads(text, kind, source=f"fuzz.{kind}")
    except PowerseekError as exc:
        assert "fuzz." in str(exc), f"the error does not name the file: {exc}"
    else:
        assert isinstance(mdp, MDP) and mdp.n_states >= 1
        if isinstance(mdp.metadata.get("grid"), gridworld.GridLayout):
            gridworld.render(mdp)  # what `powerseek show` draws
        files.dumps(mdp, "json")
    elapsed = time.perf_counter() - start
    assert elapsed < TIME_BOUND, f"loading took {elapsed:.1f} s"


FUZZ = settings(
    max_examples=EXAMPLES,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


@pytest.mark.parametrize("kind", ["toml", "grid", "json", "gv"])
@FUZZ
@given(data=st.data())
def test_byte_mutations_load_or_raise_a_powerseek_error(tmp_path, kind, data):
    raw = data.draw(byte_mutations(SOURCES[kind]))
    path = tmp_path / f"fuzz.{kind}"
    path.write_bytes(raw)
    start = time.perf_counter()
    try:
        files.read(path)  # bytes: the UTF-8 check is part of reading
    except PowerseekError as exc:
        assert "fuzz." in str(exc)
    assert time.perf_counter() - start < TIME_BOUND


@pytest.mark.parametrize("kind", ["toml", "grid", "json", "gv"])
@FUZZ
@given(data=st.data())
def test_line_mutations_load_or_raise_a_powerseek_error(kind, data):
    _check_load(data.draw(line_mutations(SOURCES[kind])), kind)


@pytest.mark.parametrize("kind", ["toml", "grid", "json", "gv"])
@FUZZ
@given(data=st.data())
def test_number_mutations_load_or_raise_a_powerseek_error(kind, data):
    _check_load(data.draw(number_mutations(SOURCES[kind], NASTY_NUMBERS)), kind)


def test_every_format_has_sources_to_mutate():
    assert all(len(texts) >= 3 for texts in SOURCES.values()), {
        k: len(v) for k, v in SOURCES.items()
    }


# ----------------------------------------------------------------------
# the classes of malformed files found by fuzzing, each with its own file

GRID_JSON = json.loads(files.dumps(powerseek.load("powerplay-3x3"), "json"))


def _grid_json(**grid) -> str:
    data = json.loads(json.dumps(GRID_JSON))
    data["graph"]["grid"].update(grid)
    return json.dumps(data)


def _with_graph(**attributes) -> str:
    data = json.loads(json.dumps(GRID_JSON))
    data["graph"].update(attributes)
    return json.dumps(data)


def _with_first_p(value: str) -> str:
    text = (
        '{"directed": true, "multigraph": true, "nodes": [{"id": "a"}, {"id": "b"}], "edges": ['
        '{"source": "a", "target": "a", "action": "go", "p": P}, '
        '{"source": "a", "target": "b", "action": "go", "p": 0.5}, '
        '{"source": "b", "target": "b", "action": "stay"}]}'
    )
    return text.replace("P", value)


CASES = [
    ("toml", 'start = ["a"]\n[transitions]\na = ["a"]\n', r"line 1: `start` must be the name"),
    ("toml", "start = { x = 1 }\n[transitions]\na = [\"a\"]\n", r"line 1: `start` must be the"),
    ("toml", "gamma = " + "9" * 5000 + '\n[transitions]\na = ["a"]\n', "line 1: invalid TOML"),
    ("toml", '[transitions]\na = { go = { a = ' + "1" * 400 + " } }\n", "an integer of 400 digits"),
    ("json", _grid_json(names=[1]), r"`graph.grid`: names must be an object"),
    ("json", _with_graph(gamma=10**400), r"must be in \[0, 1\]; found an integer of 401 digits"),
    ("json", _with_first_p("1" + "0" * 400), r"got an integer of 401 digits"),
    ("json", _grid_json(marks="M").replace('"M"', "[[Infinity, 0, \"S\"]]"),
     "Infinity is not a JSON number"),
    ("json", "[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ("json", '{"nodes": [{"id": ' + "7" * 5000 + '}], "edges": []}', "an integer of 5000 digits"),
    ("json", _grid_json(shape=[1.5, 1]), r"`shape` must be \[rows, columns\], two integers"),
    ("json", _grid_json(shape=[100000, 100000]), "`shape` declares 100000 rows"),
    ("json", _grid_json(noise=5), r"`noise` must be in \[0, 1\]; got 5"),
    ("json", _grid_json(noise=-0.1), r"`noise` must be in \[0, 1\]"),
    ("json", _grid_json().replace('"noise": 0.0', '"noise": NaN'), "NaN is not a JSON number"),
    ("json", _grid_json(marks=[[0, 9, "S"]]), r"mark 0 is on \(0, 9\), which is not an open"),
    ("json", _grid_json(stay="yes"), "`stay` must be True or False"),
    ("json", '{"directed": true, "nodes": [{"id": true}, {"id": 1}], "edges": []}',
     "equals the id true of an earlier node"),
    ("json", '{"directed": true, "nodes": [{"id": 1.0}, {"id": 2}], "edges": ['
     '{"source": 1, "target": 2}, {"source": 2, "target": 2}]}',
     "edge 0 has the source 1, but the node is 1.0"),
    ("json", '{"directed": true, "nodes": [{"id": [0, 1]}, {"id": [0, true]}], "edges": []}',
     "equals the id \\[0, 1\\]"),
    ("json", '{"directed": true, "multigraph": false, "nodes": [{"id": "a"}, {"id": "b"}], '
     '"edges": [{"source": "a", "target": "a", "action": "x"}, '
     '{"source": "a", "target": "b", "action": "x"}, {"source": "b", "target": "b"}]}',
     "need a probability attribute `p` each"),
]  # fmt: skip


@pytest.mark.parametrize("kind, text, message", CASES)
def test_each_malformed_class_gets_a_parse_error_naming_the_file(tmp_path, kind, text, message):
    path = tmp_path / f"case.{kind}"
    path.write_text(text)
    with pytest.raises(powerseek.ParseError, match=message) as caught:
        powerseek.load(str(path))
    assert str(caught.value).startswith(str(path))


@pytest.mark.parametrize(
    "kind, text",
    [
        # the documented rule: probabilities (and a row's sum) within 1e-9 of [0, 1]
        # are rounding and renormalised
        ("toml", "[transitions]\na = { go = { a = 1.0000000001 } }\n"),
        ("toml", '[transitions]\na = { go = { a = 0.5000000001, b = 0.5 } }\nb = ["b"]\n'),
        ("json", _with_first_p("0.5000000001")),
    ],
)
def test_probabilities_within_the_tolerance_are_accepted_and_renormalised(kind, text):
    mdp = files.loads(text, kind)
    assert mdp.transition_matrix.sum(axis=1).tolist() == [1.0] * mdp.n_pairs


@pytest.mark.parametrize(
    "kind, text, message",
    [
        ("toml", '[transitions]\na = { go = { a = 1.000000002 } }\n', r"must be in \[0, 1\]"),
        ("toml", '[transitions]\na = { go = { a = 0.500000002, b = 0.5 } }\nb = ["b"]\n',
         "sum to 1.000000002, not 1"),
        ("json", _with_first_p("0.500000002"), "sum to 1.000000002, not 1"),
    ],
)  # fmt: skip
def test_probabilities_beyond_the_tolerance_are_refused(kind, text, message):
    with pytest.raises(powerseek.ParseError, match=message):
        files.loads(text, kind)


def test_a_show_of_a_declared_huge_grid_allocates_nothing(tmp_path, capsys):
    from powerseek.cli import main

    path = tmp_path / "huge.json"
    path.write_text(_grid_json(shape=[100000, 100000]))
    assert main(["show", str(path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "`shape` declares 100000 rows" in err[0]
