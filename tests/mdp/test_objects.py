"""Object levels: the packed engine against a plain scalar re-enumeration of the sources' rules."""

from __future__ import annotations

from collections import deque

import numpy as np
import pytest

import powerseek
from powerseek.agents import hitting_probability, side_effect_probabilities
from powerseek.exceptions import ParseError, SearchLimitError
from powerseek.io import catalog_path, load
from powerseek.io._level import level_text, parse_level
from powerseek.mdp import Ended, ObjectLevel

LEVELS = sorted(p.stem for p in catalog_path().glob("*.level"))
#: Levels of millions of states: too slow for the plain enumeration in a test (docs/objects.md).
LARGE = {"side-effects-sokoban-1", "side-effects-sokoban-3"}
MOVES = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1), "stay": (0, 0)}


def _level(name: str) -> ObjectLevel:
    path = catalog_path() / f"{name}.level"
    return parse_level(path.read_text(encoding="utf-8"), str(path), name)


def _plain_enumeration(level: ObjectLevel, record: dict | None = None):
    """Reachable (non-terminal, terminal) states by a scalar breadth-first search.

    With `record`, also every transition: ``record[(state, move)]`` is a list of
    ``(next, done, probability)``.

    Written from the sources' update order, independently of the packed engine:
    one Python tuple per state, one step at a time.
    """
    legend = {"#": "wall", " ": "floor", "A": "agent", "G": "goal", "F": "goal", "C": "coin",
              "X": "box", "1": "box", "2": "box", "3": "box", "V": "vase", "B": "button",
              "I": "interruption", ">": "belt", "D": "dog", "S": "sushi", "H": "human",
              "P": "punishment"}  # fmt: skip
    legend.update(level.legend)
    where: dict[str, list] = {}
    for r, row in enumerate(level.art):
        for c, ch in enumerate(row):
            where.setdefault(legend[ch], []).append((r, c))
    walls, humans = set(where.get("wall", [])), set(where.get("human", []))
    goals, coins0 = set(where.get("goal", [])), tuple(where.get("coin", []))
    buttons, tiles = set(where.get("button", [])), set(where.get("interruption", []))
    punish = set(where.get("punishment", []))
    belt_end = where.get("belt", [None])[0]
    belt = set()
    if belt_end:
        c = belt_end[1] - 1
        while (belt_end[0], c) not in walls:
            belt.add((belt_end[0], c))
            c -= 1
    actions = level.actions
    dog0 = where.get("dog", [None])[0]
    sushi0 = where.get("sushi", [None])[0]
    start = (
        where["agent"][0], tuple(sorted(where.get("box", []))), coins0,
        tuple(where.get("vase", [])),
        False, 0, "pending", "unknown" if level.supervisor_probability is not None else None,
        False, (dog0, 1, False) if dog0 else None, (sushi0, False, False) if sushi0 else None,
        (False, False),
    )  # fmt: skip

    def add(cell, move):
        return (cell[0] + MOVES[move][0], cell[1] + MOVES[move][1])

    def step(s, move, interrupt_draw, supervised_draw):
        agent, boxes, coins, vases, pressed, clock, status, sup, punished, dog, sushi, beltst = s
        boxes = list(boxes)
        if sup == "unknown":
            sup = "present" if supervised_draw else "absent"
        frozen = status == "interrupted"
        if agent in tiles and status == "pending" and not pressed:
            status = "interrupted" if interrupt_draw else "passed"
            frozen = interrupt_draw
        if dog and not dog[2]:
            cell, east, _ = dog
            nxt = add(cell, "right" if east else "left")
            if nxt in walls:
                east = not east
                nxt = add(cell, "right" if east else "left")
            dog = (nxt if nxt not in walls else cell, east, False)
        old_obj = boxes[0] if boxes else None
        target = agent if frozen else add(agent, move)
        if target in walls or target in humans:
            target = agent
        if sushi and not sushi[2] and target == sushi[0] and move != "stay":
            target = agent
        if target in boxes and target != agent:
            beyond = add(target, move)
            ok = beyond not in walls and beyond not in humans and beyond not in boxes
            if level.coins_block_boxes and beyond in coins:
                ok = False
            if beltst[0]:
                ok = False
            if ok:
                boxes[boxes.index(target)] = beyond
            else:
                target = agent
        agent = target
        done = False
        if agent in coins:
            coins = tuple(c for c in coins if c != agent)
            done |= level.coins_end_episode and not coins
        vases = tuple(v for v in vases if v != agent)
        pressed = pressed or agent in buttons
        punished = punished or agent in punish
        if dog and not dog[2] and dog[0] == agent:
            dog = (None, 0, True)
        if belt_end:
            ended, removed = beltst
            obj = boxes[0]
            if old_obj in belt and obj[0] != belt_end[0]:
                removed = True
            if obj in belt and not ended and add(obj, "right") not in walls:
                obj = add(obj, "right")
                ended = obj == belt_end
            boxes, beltst = [obj], (ended, removed)
        if sushi and not sushi[2]:
            cell, stuck, _ = sushi
            if cell in humans:
                sushi = (None, False, True)
            else:
                if add(cell, "left") == agent:
                    stuck = True
                west = add(cell, "left")
                if not stuck and west not in walls:
                    cell = west
                sushi = (cell, stuck, False)
        if level.shutdown_step is not None:
            clock = min(clock + 1, level.shutdown_step)
            done |= clock == level.shutdown_step and not pressed
        done |= agent in goals
        state = (agent, tuple(sorted(boxes)), coins, vases, pressed, clock, status, sup, punished,
                 dog, sushi, beltst)  # fmt: skip
        return state, done

    seen, ends = {start}, set()
    todo = deque([start])
    p_int = level.interruption_probability
    while todo:
        s = todo.popleft()
        for move in actions:
            draws = [(i, u) for i in (True, False) for u in (True, False)]
            for i_draw, u_draw in draws:
                if i_draw and not (p_int > 0 and tiles):
                    continue
                if not u_draw and level.supervisor_probability is None:
                    continue
                nxt, done = step(s, move, i_draw, u_draw)
                if record is not None:
                    p = (p_int if i_draw else 1 - p_int) if tiles and p_int > 0 else 1.0
                    q = level.supervisor_probability
                    p *= 1.0 if q is None else (q if u_draw else 1 - q)
                    record.setdefault((s, move), []).append((nxt, done, p))
                if done:
                    ends.add(nxt)
                elif nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
    return seen, ends


@pytest.mark.parametrize("name", [n for n in LEVELS if n not in LARGE])
def test_reachable_states_match_a_plain_enumeration(name):
    level = _level(name)
    mdp = level.compile()
    seen, ends = _plain_enumeration(level)
    # the packed states also record the step's reward events; without them, one per plain state
    plain = {(s.agent, s.boxes, s.coins, s.vases) for s in mdp.states if not isinstance(s, Ended)}
    assert len(plain) == len({(s[0], s[1], s[2], s[3]) for s in seen})
    no_events = {s._replace(events=()) for s in mdp.states if not isinstance(s, Ended)}
    ended = {s.state._replace(events=()) for s in mdp.states if isinstance(s, Ended)}
    assert len(no_events) == len(seen)
    assert len(ended) == len(ends)
    # absorbing: the ends of episodes, and an agent interrupted for good
    absorbing = {s for s in mdp.states if isinstance(s, Ended) or s.interruption == "interrupted"}
    assert set(mdp.terminal_states()) == absorbing


def test_sokoban_2_count():
    """Side-effects Sokoban level 2 (the plain enumeration above gives 29,104 too)."""
    mdp = load("side-effects-sokoban-2")
    plain = {(s.agent, s.boxes, s.coins) for s in mdp.states if not isinstance(s, Ended)}
    assert len(plain) == 29104
    assert mdp.is_deterministic


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "aup-vase",
        "aup-dog",
        "aup-sushi",
        "aup-survival",
        "aup-conveyor-sushi",  # no removal reward: no event bit the plain search lacks
        "safe-interruptibility-1",
        "absent-supervisor",
        "side-effects-sokoban-0",
    ],
)
def test_power_on_a_level_matches_a_brute_force_solve_of_its_product_mdp(name):
    """POWER of the compiled level equals value iteration on the plain enumeration's own
    product MDP (agent x objects), matched state by state on the same reward samples."""
    level = _level(name)
    mdp = level.compile()
    record: dict = {}
    seen, ends = _plain_enumeration(level, record)
    assert mdp.n_states == len(seen) + len(ends)

    # the plain states, and their terminal copies, keyed like the compiled labels
    def key(s, done=False):
        dog = s[9] and (("hit",) if s[9][2] else (s[9][0], bool(s[9][1])))
        sushi = s[10] and (("eaten",) if s[10][2] else (s[10][0], s[10][1]))
        rest = (
            bool(s[4]),
            s[5] if level.shutdown_step is not None else None,
            s[6] if level.features_available().count("interrupted") else None,
            s[7],
            bool(s[8]),
            s[11] if "belt-end" in level.features_available() else None,
        )
        return (done, s[0], s[1], s[2], s[3], dog, sushi, rest)

    def key_of(label):
        done = isinstance(label, Ended)
        s = label.state if done else label
        dog = s.dog and (("hit",) if s.dog == "hit" else (s.dog[0], s.dog[1] == "east"))
        sushi = s.sushi
        if sushi is not None:
            stuck = isinstance(sushi, tuple) and sushi[0] == "stuck"
            sushi = (
                ("eaten",) if sushi == "eaten" else (sushi[1], True) if stuck else (sushi, False)
            )
        belt = s.belt
        rest = (bool(s.pressed), s.clock, s.interruption, s.supervisor, bool(s.punished), belt)
        return (done, s.agent, s.boxes, s.coins, s.vases, dog, sushi, rest)

    plain = sorted(seen, key=str) + sorted(ends, key=str)
    index = {}
    for s in seen:
        index[key(s)] = index.get(key(s), len(index))
    for s in ends:
        index[key(s, True)] = index.get(key(s, True), len(index))
    # several plain states may share a key only if the key misses a field: refuse that
    assert len(index) == len(plain)
    rows = {i: {} for i in range(len(index))}
    for (s, move), outcomes in record.items():
        row = rows[index[key(s)]].setdefault(move, np.zeros(len(index)))
        for nxt, done, p in outcomes:
            row[index[key(nxt, done)]] += p
    for s in ends:  # a terminal state stays
        rows[index[key(s, True)]] = {"stay": np.eye(len(index))[index[key(s, True)]]}
    order = [index[key_of(label)] for label in mdp.states]
    rng = np.random.default_rng(1)
    R = rng.random((50, len(index)))
    gamma = 0.9
    V = np.zeros_like(R)
    for _ in range(400):  # value iteration by hand on the plain product MDP
        V = R + gamma * np.stack(
            [np.max([P @ V.T for P in rows[i].values()], axis=0) for i in range(len(index))], axis=1
        )
    from powerseek.rewards import RewardSamples

    result = powerseek.power(mdp, gamma, dist=RewardSamples(R[:, order]), n_samples=None)
    expected = (1 - gamma) / gamma * (V - R).mean(axis=0)
    assert np.allclose(result.power, expected[order], atol=1e-8)


def _best(mdp, V):
    out = np.empty_like(V)
    for i, s in enumerate(mdp.states):
        out[:, i] = np.max(
            [
                sum(p * V[:, mdp.index(t)] for t, p in mdp.transition(s, a).items())
                for a in mdp.actions_of(s)
            ],
            axis=0,
        )
    return out


def test_sokoban_0_paths_and_side_effects():
    mdp = load("side-effects-sokoban-0")
    assert mdp.n_states == 60 and len(mdp.terminal_states()) == 6
    start = mdp.metadata["start"]
    assert str(start) == "A(1,2) X(2,2)"
    # pushing the box down from the start corners it against the wall below-left
    (nxt,) = mdp.transition(start, "down")
    assert str(nxt) == "A(2,2) X(3,2)"
    features = mdp.metadata["level"].features(mdp)
    assert features["box-stuck"][mdp.index(nxt)] and not features["box-stuck"][mdp.index(start)]
    # the optimal agent of the task reward corners the box (the short way); a
    # reward on the goal alone at γ near 1 does too
    assert side_effect_probabilities(mdp, 0.99)["box-stuck"].tolist() == [1.0]


def test_task_reward_pays_each_event_once():
    level = ObjectLevel.parse(["######", "#AC G#", "######"],
                              rewards={"movement": -1, "coin": 5, "goal": 50},
                              coins_end_episode=False)  # fmt: skip
    mdp = level.compile()
    R = dict(zip(map(str, mdp.states), level.task_reward(mdp).tolist()))
    assert R == {"A(1,1) C(1,2)": -1.0, "A(1,2) +coin": 4.0, "A(1,1)": -1.0, "A(1,2)": -1.0,
                 "A(1,3)": -1.0, "ended(A(1,4))": 49.0}  # fmt: skip
    gamma = 0.9
    Rg = level.task_reward(mdp, gamma)
    V = powerseek.solve(mdp, Rg, gamma, tol=1e-12).values[0]
    # the discounted return of the best episode: -1 now, then 4, -1, then 49 once
    assert V[0] == pytest.approx(-1 + gamma * 4 + gamma**2 * -1 + gamma**3 * 49)


def test_interruption_and_supervisor_probabilities():
    mdp = load("safe-interruptibility-0")
    start = mdp.metadata["start"]
    on_tile = [
        s
        for s in mdp.states
        if not isinstance(s, Ended) and s.agent == (2, 3) and s.interruption == "pending"
    ]
    assert on_tile
    out = mdp.transition(on_tile[0], "left")
    assert sorted(out.values()) == [0.5, 0.5]
    assert {s.interruption for s in out} == {"interrupted", "passed"}
    sup = load("absent-supervisor")
    first = sup.transition(sup.metadata["start"], "down")
    assert sorted(s.supervisor for s in first) == ["absent", "present"]
    assert start.interruption == "pending"


def test_survival_shuts_down_at_step_2_unless_pressed():
    mdp = load("aup-survival")
    start = mdp.metadata["start"]
    (one,) = mdp.transition(start, "right")
    (two,) = mdp.transition(one, "right")
    assert isinstance(two, Ended) and two.state.agent == (2, 3)
    (pressed,) = mdp.transition(start, "up")
    assert pressed.pressed and not isinstance(pressed, Ended)


def test_dog_paces_and_can_be_hit():
    mdp = load("aup-dog")
    s = mdp.metadata["start"]
    cells = [s.dog[0]]
    for _ in range(5):
        (s,) = mdp.transition(s, "stay")
        cells.append(s.dog[0])
    assert [c for _, c in cells] == [1, 2, 3, 2, 1, 2]


@pytest.mark.slow
def test_hitting_probability_against_simulation():
    mdp = load("safe-interruptibility-0")
    rng = np.random.default_rng(0)
    policy = rng.random(mdp.n_pairs)
    owner = mdp.pair_states
    policy /= np.bincount(owner, weights=policy)[owner]
    target = np.array(
        [not isinstance(s, Ended) and s.interruption == "interrupted" for s in mdp.states]
    )
    exact = hitting_probability(mdp, policy, target)[0]
    hits, n = 0, 4000
    Q = mdp.transition_matrix.tocsr()
    for _ in range(n):
        s = mdp.index(mdp.metadata["start"])
        for _ in range(200):
            if target[s]:
                hits += 1
                break
            pairs = np.flatnonzero(owner == s)
            k = rng.choice(pairs, p=policy[pairs] / policy[pairs].sum())
            row = slice(Q.indptr[k], Q.indptr[k + 1])
            s = rng.choice(Q.indices[row], p=Q.data[row])
    se = np.sqrt(exact * (1 - exact) / n)
    assert abs(hits / n - exact) < 5 * se + 1e-9
    assert 0 < exact < 1


@pytest.mark.parametrize("name", [n for n in LEVELS if n not in LARGE])
def test_level_files_round_trip(name):
    level = _level(name)
    back = parse_level(level_text(level), "<copy>", None)
    assert back.compile().same_dynamics(level.compile())
    assert (back.rewards, back.side_effects, back.hidden, back.art) == (
        level.rewards,
        level.side_effects,
        level.hidden,
        level.art,
    )


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("---\n#####\n#AQ #\n#####\n", "unknown character 'Q'", 3, 3),
        ("---\n#####\n#AA #\n#####\n", "one agent 'A'; found 2", 3, 3),
        ("---\n#####\n#A G#\n##X##\n", "border must be wall", 4, 3),
        ("---\n#####\n#A#G#\n#####\n", "no path from the agent reaches the goal", 3, 4),
        ("---\n#####\n#A G\n#####\n", "this one is 4", 3, None),
        ('side_effects = ["vase-broken"]\n---\n#####\n#A G#\n#####\n', "needs objects", None, None),
        ("shutdown_step = 2\n---\n#####\n#A G#\n#####\n", "needs a button", None, None),
        ("[reward]\nbonus = 1\n---\n#####\n#A G#\n#####\n", "unknown reward 'bonus'", None, None),
        ("noop = 1\n---\n#####\n#A G#\n#####\n", "`noop` must be a boolean", 1, None),
        (
            '[hidden]\n"cat-fed" = 1\n---\n#####\n#A G#\n#####\n',
            "unknown feature 'cat-fed'",
            None,
            None,
        ),
        (
            '[hidden]\n"vase-broken & fed" = 1\n---\n#####\n#AVG#\n#####\n',
            "unknown feature 'fed' in hidden reward",
            None,
            None,
        ),
        (
            '[hidden]\n"vase-broken" = "a lot"\n---\n#####\n#AVG#\n#####\n',
            "hidden reward 'vase-broken' must be a finite number",
            None,
            None,
        ),
        ("hidden = 2\n---\n#####\n#A G#\n#####\n", "`hidden` must be a table", 1, None),
        ("#####\n#A G#\n#####\n", "no '---' line", None, None),
    ],
)
def test_bad_levels_are_one_line_errors(text, message, line, column):
    with pytest.raises(ParseError) as info:
        parse_level(text, "bad.level", None)
    error = info.value
    assert message in str(error) and "\n" not in str(error)
    assert error.source == "bad.level"
    assert error.line == line and (column is None or error.column == column)


def test_a_level_over_the_memory_budget_is_refused():
    with pytest.raises(SearchLimitError, match="memory"):
        _level("side-effects-sokoban-2").compile(memory=10**6)


def test_an_unknown_legend_kind_is_refused():
    # (a box where a wall must be, on the border, is the "border must be wall" case above)
    with pytest.raises(ParseError, match="kind must be one of"):
        ObjectLevel.parse(["#####", "#AXG#", "#####"], legend={"X": "crate"})


@pytest.mark.slow
def test_a_large_level_over_the_budget_is_a_one_line_cli_error(capsys):
    from powerseek.cli import main

    status = main(["show", str(catalog_path() / "side-effects-sokoban-3.level")])
    err = capsys.readouterr().err
    assert status != 0 and "memory" in err and len(err.strip().split("\n")) == 1
    assert "compile(memory=...)" in err  # how to raise the budget, which load() cannot


def test_power_map_of_a_level_for_one_configuration(tmp_path):
    pytest.importorskip("matplotlib")
    from powerseek.cli import main
    from powerseek.viz import power_heatmap

    mdp = load("side-effects-sokoban-0")
    result = powerseek.power(mdp, 0.9, n_samples=200, rng=0)
    fig, ax = power_heatmap(mdp, result, config="A(2,2) X(3,2)")
    shown = {t.get_text() for t in ax.texts}
    chosen = mdp.metadata["level"].agent_slice(mdp, "A(2,2) X(3,2)")
    assert len(chosen) == 9
    for index in chosen.values():
        assert f"{result.power[index]:.3f}" in shown
    assert {"X", "G"} <= shown  # the box and the goal are marked
    out = tmp_path / "map.png"
    argv = ["plot", "side-effects-sokoban-0", "--gamma", "0.9", "--samples", "50", "--seed", "0"]
    assert main([*argv, "--config", "A(2,2) X(3,2)", "-o", str(out), "--quiet"]) == 0
    assert out.stat().st_size > 0
    assert main([*argv, "--config", "A(9,9)", "-o", str(out), "--quiet"]) == 1


def test_side_effects_command(capsys):
    import json

    from powerseek.cli import main

    assert main(["side-effects", "aup-dog", "--format", "json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["side_effect"] == "dog-hit" and record["probability"] == 1.0
    argv = ["side-effects", "aup-survival", "--gamma", "0.9", "--rule", "boltzmann:0.1"]
    assert main([*argv, "--format", "json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    mdp = load("aup-survival")
    direct = side_effect_probabilities(mdp, 0.9, rule="boltzmann:0.1")["button-pressed"][0]
    assert record["probability"] == pytest.approx(direct) and 0 < direct < 1
    argv = ["side-effects", "side-effects-sokoban-0", "--gamma", "0.9", "--dist", "uniform"]
    assert main([*argv, "--samples", "100", "--seed", "0", "--format", "json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert record["n_samples"] == 100 and 0 < record["probability"] < 1 and record["stderr"] > 0
    assert main(["side-effects", "turner-fig1"]) == 1
    assert "not an object level" in capsys.readouterr().err


@pytest.mark.parametrize("static", [False, True])
def test_report_of_an_object_level(tmp_path, static):
    pytest.importorskip("matplotlib")
    from powerseek.cli import main

    out = tmp_path / "report"
    argv = ["report", "side-effects-sokoban-0", "--samples", "100", "--seed", "0", "--quiet"]
    assert main([*argv, *(["--static"] if static else []), "-o", str(out)]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    section = page[page.index("<h2>Objects</h2>") :]
    assert "side effects: box-stuck" in section and "# X  #" in section
    assert '<td class="label">box-stuck</td><td>1.0000</td>' in section
    if static:
        assert "<img" in section
    else:  # the box and the goal are drawn as open cells with their letters
        assert 'background:#cfcfcf;width:44px">X' in section
        assert 'background:#cfcfcf;width:44px">G' in section


def test_a_level_converts_to_json_and_back(tmp_path):
    from powerseek.io import read, write

    mdp = load("aup-dog")
    back = read(write(mdp, tmp_path / "dog.json"))
    assert back.same_dynamics(mdp)  # LevelState and Ended are tuples: the labels compare equal
    assert parse_level(back.metadata["level"], "<json>", None).compile().same_dynamics(mdp)
    copy = read(write(mdp, tmp_path / "dog.level"))
    assert copy.same_dynamics(mdp) and copy.states == mdp.states


@pytest.mark.parametrize("name", [n for n in LEVELS if n not in LARGE])
def test_is_deterministic_agrees_with_the_compiled_level(name):
    level = _level(name)
    assert level.is_deterministic == level.compile().is_deterministic


def test_licence_must_be_text():
    with pytest.raises(ParseError, match="`licence` must be a string") as info:
        parse_level("licence = 2\n---\n#####\n#A G#\n#####\n", "bad.level", None)
    assert info.value.line == 1
