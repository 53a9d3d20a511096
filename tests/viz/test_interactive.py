"""The interactive report's data and page, without a browser (tests/viz/test_report_browser.py
drives the page itself)."""

import json
import re
import subprocess
import sys
from html.parser import HTMLParser

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import powerseek
from powerseek import InvalidParameterError
from powerseek.viz._interactive import report_data, robust_range
from powerseek.viz._report import build_report

DATA = re.compile(r'<script type="application/json" id="powerseek-data">(.*?)</script>', re.S)


def embedded(page):
    return json.loads(DATA.search(page).group(1))


def balanced(page):
    """Fails on a closing tag that does not match the open one."""
    void = {"meta", "img", "br", "hr", "link", "input"}
    stack = []

    class Checker(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag not in void:
                stack.append(tag)

        def handle_endtag(self, tag):
            assert stack and stack.pop() == tag, f"unbalanced </{tag}>"

    Checker().feed(page)
    assert stack == []


def test_the_data_are_the_analyses_numbers_at_every_gamma():
    maze = powerseek.load("powerplay-3x3")
    data = report_data(maze, gamma=0.6, gammas=[0, 0.5, 1], n_samples=300, rng=7)
    assert data["gammas"] == [0.0, 0.5, 0.6, 1.0] and data["initial"] == 2
    assert data["kind"] == "grid" and data["shape"] == [3, 3]
    for k, gamma in enumerate(data["gammas"]):
        # independent calls of the public functions, one discount each, same seed
        alone = powerseek.power(maze, gamma, n_samples=300, rng=7)
        np.testing.assert_allclose(data["power"]["mean"][k], alone.power, rtol=1e-9)
        np.testing.assert_allclose(data["power"]["stderr"][k], alone.stderr, rtol=1e-9)
        choice = powerseek.optimality(maze, gamma, n_samples=300, rng=7)
        np.testing.assert_allclose(data["optimality"]["mean"][k], choice.probability, atol=1e-6)
    for i, state in enumerate(maze.states):
        assert data["actions"][i] == list(maze.actions_of(state))
        directions = [pair[0] for pair in data["pairs"][i]]
        assert directions == list(maze.actions_of(state))  # every move draws an arrow
        assert data["offsets"][i + 1] - data["offsets"][i] == len(maze.actions_of(state))


def _leaders_by_hand(P, E, z):
    """The resolved leader of each row: beats every other action by z (se_a + se_b)."""
    out = []
    for p, e in zip(P, E):
        winners = [
            a
            for a in range(len(p))
            if all(p[a] - p[b] > z * (e[a] + e[b]) for b in range(len(p)) if b != a)
        ]
        out.append(winners[0] if winners else -1)
    return out


def test_leads_are_resolved_beyond_the_band():
    fig1 = powerseek.load("turner-fig1")
    gammas = [0.0, 0.05, 0.1, 0.3, 0.6, 0.9, 0.99]
    data = report_data(fig1, gamma=0.9, gammas=gammas, n_samples=400, rng=2)
    P = np.array(data["optimality"]["mean"])
    E = np.array(data["optimality"]["stderr"])
    for i in range(fig1.n_states):
        a, b = data["offsets"][i], data["offsets"][i + 1]
        if b - a < 2:
            assert data["leads"][i] == []
            continue
        assert data["leads"][i] == _leaders_by_hand(P[:, a:b], E[:, a:b], data["z"])
    # right is the resolved leader at start for large γ (Turner et al. Figure 1), not at γ = 0,
    # where right and left tie in law
    start = fig1.index("start")
    actions = data["actions"][start]
    assert data["leads"][start][-1] == actions.index("right")
    assert data["leads"][start][0] == -1


def test_robust_range_clips_a_few_extremes_only():
    rng = np.random.default_rng(0)
    values = rng.uniform(0.7, 0.8, 220)
    lo, hi = robust_range(values)
    assert (lo, hi) == (values.min(), values.max())
    values[5] = 1.5
    assert robust_range(values) == (np.sort(values)[0], np.sort(values)[-2])
    values[6] = -2.0  # one at each end, one stretching more than the other
    lo, hi = robust_range(values)
    assert lo == np.sort(values)[1] and hi == np.sort(values)[-2]
    # three levels (dead ends, corridors, junctions) are structure, not outliers
    levels = [0.667] * 6 + [0.75] * 17 + [0.8] * 8
    assert robust_range(levels) == (0.667, 0.8)
    # at most 2% (at least one) left out at each end: five high cells of 100 stay
    assert robust_range([0.0] * 95 + [10.0] * 5) == (0.0, 10.0)
    assert robust_range([0.0] * 99 + [10.0]) == (0.0, 0.0)
    assert robust_range([0.5, 9.0]) == (0.5, 9.0)  # fewer than ten values: the full range
    with pytest.raises(InvalidParameterError, match="at least one value"):
        robust_range([])
    with pytest.raises(InvalidParameterError, match="must be finite"):
        robust_range([0.1, np.nan])


def test_the_scale_per_gamma_and_what_it_clips():
    maze = powerseek.load("powerplay-maze-7x7")
    data = report_data(maze, gamma=0.9, gammas=[0.01, 0.5], n_samples=500, rng=0)
    for k, row in enumerate(data["power"]["mean"]):
        lo, hi = robust_range(row)
        scale = data["scale"][k]
        assert scale[:2] == pytest.approx([lo, hi], rel=1e-9)
        assert scale[2] == sum(v < scale[0] for v in row)
        assert scale[3] == sum(v > scale[1] for v in row)


def test_the_page_is_one_offline_file():
    fig1 = powerseek.load("turner-fig1")
    page = build_report(fig1, n_samples=300, rng=4, gammas=[0, 0.5, 1], command="powerseek x")
    balanced(page)
    assert page.count("<script") == 2 and 'id="gamma-slider"' in page
    # nothing is fetched: no external src, href, stylesheet or import
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert not re.search(r"@import|url\(\s*['\"]?https?:|<link\b|fetch\(|XMLHttpRequest", page)
    data = embedded(page)
    assert data["kind"] == "graph" and len(data["pos"]) == fig1.n_states
    assert all(0 <= x <= 1 and 0 <= y <= 1 for x, y in data["pos"])
    why = dict(data["highlighted"])
    assert why[fig1.index("start")].startswith("the environment's start state")
    assert "powerseek power turner-fig1 --gamma 0.1 --samples 300 --seed 4 --format json" in page
    assert '<td class="label">command</td><td class="label">powerseek x</td>' in page


def test_labels_cannot_break_out_of_the_page():
    graph = nx.DiGraph([("</script><b>", "b&c"), ("b&c", "b&c"), ("</script><b>", "</script><b>")])
    mdp = powerseek.from_graph(graph, name="tricky")
    page = build_report(mdp, n_samples=50, rng=0, gammas=[0.5])
    assert page.count("</script>") == 2  # the data's own "<" is written "\u003c"
    assert embedded(page)["states"] == ["</script><b>", "b&c"]
    balanced(page)


#: Labels that once broke the page (``<!--<script>`` made the data swallow the page's
#: script) or could: every HTML parser state that ends or re-enters script data.
HOSTILE = [
    "<!--<script>", "</script>", "<script>alert(1)</script>", "<!--", "-->", "]]>",
    "a\u2028b\u2029c", "</SCRIPT >", "<!-- <script> </script> -->", "&amp;\"'", "<\\/",
]  # fmt: skip


def test_hostile_labels_leave_no_markup_in_the_data_element():
    states = HOSTILE
    graph = nx.DiGraph([(a, b) for a, b in zip(states, states[1:])] + [(s, s) for s in states])
    mdp = powerseek.from_graph(graph, name="<!--<script>")
    page = build_report(mdp, n_samples=50, rng=0, gammas=[0.5])
    start = page.index('id="powerseek-data">') + len('id="powerseek-data">')
    text = page[start : page.index("</script>", start)]
    assert not set("<>&\u2028\u2029") & set(text)
    assert embedded(page)["states"] == states
    assert page.count("<script") == 2 and page.count("</script>") == 2
    balanced(page)


@given(st.dictionaries(st.text(), st.text(), max_size=5))
def test_the_embedded_data_round_trips_and_holds_no_markup(data):
    from powerseek.viz._interactive import _embed

    text = _embed({"labels": data})
    assert not set("<>&\u2028\u2029") & set(text)
    assert json.loads(text) == {"labels": data}


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, gamma, bound_kib, n_gammas",
    [("powerplay-maze-7x7", 0.9, 120, 11), ("powerplay-robot-face", 0.99, 450, 12)],
)
def test_report_size_stays_within_its_bound(name, gamma, bound_kib, n_gammas):
    """The default report (10,000 samples, 0, 0.1, ..., 1 and γ): 57 and 321 KiB measured."""
    page = build_report(powerseek.load(name), gamma=gamma, rng=0)
    size = len(page.encode()) / 1024
    assert size <= bound_kib, f"{name}: {size:.0f} KiB"
    assert len(embedded(page)["gammas"]) == n_gammas


def test_the_interactive_page_needs_no_matplotlib():
    code = (
        "import sys; sys.modules['matplotlib'] = None\n"
        "import powerseek\n"
        "from powerseek.viz._report import build_report\n"
        "page = build_report(powerseek.load('powerplay-3x3'), n_samples=100, rng=0)\n"
        "assert 'gamma-slider' in page\n"
        "try:\n"
        "    build_report(powerseek.load('powerplay-3x3'), n_samples=100, rng=0, static=True)\n"
        "except ImportError:\n"
        "    print('static needs matplotlib')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "static needs matplotlib"


def test_a_world_too_large_for_the_page_is_refused_before_any_work(monkeypatch):
    import powerseek.viz._interactive as interactive

    monkeypatch.setattr(interactive, "MAX_STATES", 8)
    calls = []
    monkeypatch.setattr(interactive, "power_sweep", lambda *a, **k: calls.append(a))
    refused = r"has 9 states.*at most 8\. Use the static report"
    with pytest.raises(InvalidParameterError, match=refused):
        report_data(powerseek.load("powerplay-3x3"), gamma=0.5, gammas=[0.5], n_samples=10)
    assert calls == []
