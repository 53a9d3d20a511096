"""Bounded searches: time limits that say where they stopped, capped candidate searches."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

import powerseek
from powerseek import SearchLimitError, load
from powerseek.budget import Budget
from powerseek.cli import main
from powerseek.symmetry import _environmental as symmetry
from powerseek.symmetry._theorems import check_actions, check_states
from powerseek.visits._functions import nondominated_vectors

TWO_ROOMS = "#######\n#...#.#\n#..#..#\n#.....#\n#..#..#\n#..#..#\n#######\n"


def test_a_spent_budget_names_the_step_and_how_far_it_got():
    import numpy as np

    X = np.random.default_rng(0).normal(size=(50, 4))
    with pytest.raises(SearchLimitError, match=r"deciding non-domination \(1 of 50 rows done\)"):
        nondominated_vectors(X, budget=Budget(time_limit=0))
    assert nondominated_vectors(X, budget=Budget(time_limit=60)).tolist() == (
        nondominated_vectors(X).tolist()
    )


@pytest.mark.parametrize(
    "run",
    [
        lambda: check_states(load("turner-fig1"), "right_down", "left_down", time_limit=0),
        lambda: check_actions(load("candy-wait"), "start", "wait", "candy", time_limit=0),
    ],
)
def test_theorems_honour_the_time_limit(run):
    with pytest.raises(SearchLimitError, match=r"gave up after the time limit of 0 s \(wall-"):
        run()


@pytest.mark.parametrize(
    "run",
    [
        lambda: check_states(load("turner-fig1"), "right_down", "left_down", cpu_limit=0),
        lambda: check_actions(load("candy-wait"), "start", "wait", "candy", cpu_limit=0),
    ],
)
def test_theorems_honour_the_cpu_limit(run):
    with pytest.raises(SearchLimitError, match=r"CPU-time limit of 0 s \(this process's CPU"):
        run()


def test_the_cpu_limit_does_not_count_time_spent_waiting():
    """A wall-clock limit gave up after a fraction of the work on a loaded machine; time the
    process spends not running (here: asleep, as when other work has the cores) does not
    count against a CPU-time limit."""
    import time

    cpu, wall = Budget(cpu_limit=0.05), Budget(time_limit=0.05)
    time.sleep(0.2)
    cpu.check("waiting")
    with pytest.raises(SearchLimitError, match="wall-clock"):
        wall.check("waiting")
    deadline = time.process_time() + 0.1
    while time.process_time() < deadline:  # working: the CPU clock runs
        pass
    with pytest.raises(SearchLimitError, match="CPU-time limit of 0.05 s"):
        cpu.check("working")


def test_the_cli_gives_up_in_one_line_and_says_how_to_go_on(tmp_path, capsys):
    path = tmp_path / "rooms.grid"
    path.write_text(TWO_ROOMS)
    argv = ["check", str(path), "--states", "(4, 4)", "(5, 4)", "--time-limit", "1e-9", "--quiet"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert (
        "gave up after the time limit of 1e-09 s (wall-clock) while deciding non-domination" in err
    )
    assert "rows done); raise the time limit" in err and "--time-limit" in err
    argv = ["check", str(path), "--states", "(4, 4)", "(5, 4)", "--cpu-limit", "1e-9", "--quiet"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "gave up after the CPU-time limit of 1e-09 s (this process's CPU time)" in err
    assert "raise the CPU-time limit (--cpu-limit) to go on" in err and err.count("\n") == 1


def test_a_capped_copy_search_does_not_claim_there_is_no_copy(monkeypatch):
    mdp = load("turner-fig1")
    # at the start, "empty" keeps fewer options open than "left": 3 candidates, none a copy
    result = symmetry.find_action_copy(mdp, "start", "empty", "left")
    assert not result.found and result.details["candidates_tried"] == 3
    assert "may still exist" not in result.reason
    monkeypatch.setattr(symmetry, "MAX_CANDIDATES", 2)
    result = symmetry.find_action_copy(mdp, "start", "empty", "left")
    assert not result.found
    assert "the search stops at 2 candidates, so a copy may still exist" in result.reason


def test_budget_refuses_a_negative_limit():
    with pytest.raises(powerseek.InvalidParameterError, match="`time_limit` must be"):
        Budget(time_limit=-1)
    with pytest.raises(powerseek.InvalidParameterError, match="`cpu_limit` must be"):
        Budget(cpu_limit=float("nan"))


@given(st.integers(min_value=0, max_value=10**40))
def test_the_advised_work_limit_admits_the_run(work):
    """The advice is rounded up: read back as a float, it admits the run it was printed for."""
    from powerseek.budget import check_work, work_advice

    advice = work_advice(work)
    assert float(advice) >= work
    assert len(advice) <= 7  # short: two digits and an exponent
    check_work(work, 1, 1, float(advice))
    if work >= 100:  # and no more than one unit in the second digit above it
        assert float(advice) <= work * 1.1 + 1


def test_the_work_limit_refuses_nan_and_negative_values():
    from powerseek.budget import check_work

    for limit in (float("nan"), -1.0):
        with pytest.raises(powerseek.InvalidParameterError, match="must be a non-negative"):
            check_work(1, 1, 1, limit)
