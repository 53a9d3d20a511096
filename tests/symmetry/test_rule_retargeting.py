"""RDSP's retargetability check for decision rules in MDPs (Def 3.5, Thm 3.6).

Rules that rank a state's actions by Q* pass on Figure 1's right-vs-left choice;
the stubborn rule of theory.md B.4 item 43 (always the same action) fails.
"""

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pytest

from powerseek import load
from powerseek.agents import DecisionRule, uniform_over
from powerseek.cli import main
from powerseek.symmetry._orbits import rule_choice
from powerseek.symmetry._theorems import check_actions


@dataclass(frozen=True)
class Stubborn(DecisionRule):
    """Always `action` at `state`, uniform elsewhere: f(X | θ) = 1[X = A]."""

    state: str = "start"
    action: str = "left"
    name: ClassVar[str] = "stubborn"

    def policy(self, ctx):
        """The fixed choice."""
        mask = np.ones((ctx.mdp.n_pairs, ctx.rewards.shape[1]), dtype=bool)
        lo, hi = ctx.mdp.pair_offsets[ctx.mdp.index(self.state) : ctx.mdp.index(self.state) + 2]
        mask[lo:hi] = False
        mask[ctx.mdp.pair_index(self.state, self.action)] = True
        return uniform_over(mask, ctx.mdp)


def rule_check(rule, **kwargs):
    report = check_actions(
        load("turner-fig1"),
        "start",
        "right",
        "left",
        n_samples=200,
        n_orbits=2,
        rng=0,
        rule=rule,
        **kwargs,
    )
    check = report.checks[-1]
    assert check.theorem == "RDSP Thm 3.6 (rule)" and check.applies
    return report, check


@pytest.mark.slow
@pytest.mark.parametrize(
    "rule", ["optimal", "boltzmann:0.1", "satisficer:0.5", "epsilon-greedy:0.1", "best-of-k:2"]
)
def test_q_ranking_rules_are_retargetable(rule):
    report, check = rule_check(rule)
    assert [v.passed for v in check.verifications] == [True, True], check.verifications
    assert not report.failed


@pytest.mark.slow
def test_the_stubborn_rule_fails():
    report, check = rule_check(Stubborn())
    transport = check.verifications[0]
    assert transport.passed is False and transport.counterexample is not None
    assert "200 of 200" not in transport.detail  # counted over the vectors preferring left
    assert report.failed


def test_rule_choice_averages_a_randomised_rule():
    mdp = load("turner-fig1")
    f = rule_choice(mdp, "start", "right", 0.9, "best-of-k:1", repeats=4000)
    # best-of-1 is one uniformly random policy: right with probability 1/3
    assert f.per_sample(np.random.default_rng(0).random((1, mdp.n_states)))[0] == pytest.approx(
        1 / 3, abs=0.03
    )


@pytest.mark.slow
def test_check_command_takes_a_rule(capsys):
    argv = [
        "check",
        "turner-fig1",
        "--state",
        "start",
        "--actions",
        "right",
        "left",
        "--samples",
        "200",
        "--orbits",
        "2",
        "--seed",
        "0",
    ]
    assert main([*argv, "--rule", "boltzmann:0.1"]) == 0
    assert "RDSP Thm 3.6 (rule) applies" in capsys.readouterr().out
    assert main(["check", "turner-fig1", "--states", "right", "left", "--rule", "optimal"]) != 0
    assert "--actions" in capsys.readouterr().err
