"""The interactive report in a real browser: headless Chromium driven by Playwright.

Uses the system's Chromium (Debian's ``chromium`` package, or $POWERSEEK_CHROMIUM);
nothing downloads a browser. The tests skip where no browser is installed,
unless $POWERSEEK_REQUIRE_BROWSER is set (CI sets it), where they fail instead.
A 1400 px wide screenshot of each report lands in $POWERSEEK_TEST_ARTIFACTS
(default: test-artifacts/ in the repository).
"""

import json
import os
import re
import shutil
import struct
from pathlib import Path

import catalog
import pytest

from powerseek.cli import main

# Left out of the quick run (-m "not slow"): a headless Chromium over every report, 30 s.
pytestmark = pytest.mark.slow

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SEED, SAMPLES = "11", "2000"
REQUIRED = bool(os.environ.get("POWERSEEK_REQUIRE_BROWSER"))


def _chromium():
    for candidate in (os.environ.get("POWERSEEK_CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


def _missing(what):
    if REQUIRED:
        pytest.fail(f"{what}, and POWERSEEK_REQUIRE_BROWSER is set.")
    pytest.skip(f"{what}.")


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright is not installed (pip install playwright)")
    executable = _chromium()
    if executable is None:
        _missing("no Chromium on this machine (apt install chromium)")
    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=executable, args=ARGS)
        yield chromium
        chromium.close()


def _report(tmp, env, gamma):
    out = tmp / env
    argv = ["report", env, "--gamma", gamma, "--seed", SEED, "--samples", SAMPLES, "--quiet"]
    assert main([*argv, "-o", str(out)]) == 0
    return out / "report.html"


def _power_json(capsys, env, gamma):
    capsys.readouterr()
    argv = ["power", env, "--gamma", gamma, "--seed", SEED, "--samples", SAMPLES]
    assert main([*argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reports")
    return {
        "powerplay-maze-7x7": _report(tmp, "powerplay-maze-7x7", "0.9"),
        "turner-fig1": _report(tmp, "turner-fig1", "0.9"),
    }


class Page:
    """One report open in a fresh page, with the console errors and requests it made."""

    def __init__(self, browser, path):
        self.errors, self.requests = [], []
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("body[data-ready=true]", timeout=10_000)
        self.data = json.loads(self.page.locator("#powerseek-data").text_content())

    def _route(self, route):
        # offline: the file itself is served, anything else is recorded and refused
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.requests.append(route.request.url)
            route.abort()

    def cell(self, label):
        return self.page.locator(f'.cell[data-state="{self.data["states"].index(label)}"]')

    def hover(self, label):
        """The tooltip's text over a cell (near its corner, clear of the arrows)."""
        cell = self.cell(label)
        if self.data["kind"] == "grid":
            cell.hover(position={"x": 3, "y": 3})
        else:
            cell.hover()
        return self.page.locator("#tooltip").text_content()

    def close(self):
        self.context.close()


@pytest.fixture
def open_page(browser):
    pages = []

    def opener(path):
        pages.append(Page(browser, path))
        return pages[-1]

    yield opener
    for page in pages:
        page.close()


SHOWN = re.compile(r"POWER (\d+\.\d{4}) ± (\d+\.\d{4})")


@pytest.mark.parametrize("env", ["powerplay-maze-7x7", "turner-fig1"])
def test_no_console_errors_and_nothing_fetched(open_page, reports, env):
    page = open_page(reports[env])
    page.hover(page.data["states"][0])
    page.page.locator("#play").click()
    page.page.wait_for_timeout(1000)
    page.page.locator("#play").click()
    assert page.errors == [] and page.requests == []


@pytest.mark.parametrize("env", ["powerplay-maze-7x7", "turner-fig1"])
def test_hover_shows_the_json_outputs_value_and_stderr(open_page, reports, capsys, env):
    expected = _power_json(capsys, env, "0.9")
    page = open_page(reports[env])
    assert page.data["states"] == expected["states"]
    for k in range(0, len(expected["states"]), max(1, len(expected["states"]) // 8)):
        label = expected["states"][k]
        shown = SHOWN.search(page.hover(label))
        assert shown is not None, label
        assert shown.groups() == (f"{expected['power'][k]:.4f}", f"{expected['stderr'][k]:.4f}")


def test_the_slider_moves_the_heatmap_to_that_gamma(open_page, reports, capsys):
    env = "powerplay-maze-7x7"
    page = open_page(reports[env])
    labels = page.data["states"][:6]
    before = [page.cell(label).get_attribute("fill") for label in labels]
    k = page.data["gammas"].index(0.5)
    page.page.locator("#gamma-slider").fill(str(k))
    assert page.page.locator("#gamma-value").text_content() == "0.5"
    expected = _power_json(capsys, env, "0.5")
    for label in labels:
        i = expected["states"].index(label)
        shown = SHOWN.search(page.hover(label)).groups()
        assert shown == (f"{expected['power'][i]:.4f}", f"{expected['stderr'][i]:.4f}")
        assert float(page.cell(label).get_attribute("data-value")) == pytest.approx(
            expected["power"][i], rel=1e-9
        )
    after = [page.cell(label).get_attribute("fill") for label in labels]
    assert after != before
    assert page.page.locator("#power-table th").nth(1).text_content() == "POWER at γ = 0.5"


@pytest.mark.parametrize("env, label", [("powerplay-maze-7x7", "(3, 3)"), ("turner-fig1", "start")])
def test_clicking_a_cell_draws_its_curves(open_page, reports, env, label):
    page = open_page(reports[env])
    cell = page.cell(label)
    if page.data["kind"] == "grid":
        cell.click(position={"x": 3, "y": 3})
    else:
        cell.click()
    assert page.page.locator("#detail-title").text_content() == f"State {label}"
    curves = page.page.locator("#detail-curves polyline.curve")
    i = page.data["states"].index(label)
    assert curves.count() == 1 + len(page.data["actions"][i])  # POWER, then each action
    points = curves.first.get_attribute("points").split()
    assert len(points) == len(page.data["gammas"])
    assert page.page.locator("#detail-curves polygon.band").count() == curves.count()
    assert "selected" in cell.get_attribute("class")
    assert page.errors == []


def test_leads_are_marked_only_where_resolved(open_page, reports):
    page = open_page(reports["turner-fig1"])
    page.cell("start").click()
    marks = [m.text_content() for m in page.page.locator("#detail-curves text.lead").all()]
    leads = page.data["leads"][page.data["states"].index("start")]
    names = page.data["actions"][page.data["states"].index("start")]
    runs = [k for k, lead in enumerate(leads) if lead >= 0 and lead != next(
        (p for p in reversed(leads[:k]) if p >= 0), -1)]  # fmt: skip
    assert marks == [f"{names[leads[k]]} leads" for k in runs]
    assert marks and marks[-1] == "right leads"


@pytest.mark.parametrize("env", ["powerplay-maze-7x7", "turner-fig1"])
def test_a_screenshot_1400_px_wide(open_page, reports, env, pytestconfig):
    folder = Path(
        os.environ.get("POWERSEEK_TEST_ARTIFACTS", pytestconfig.rootpath / "test-artifacts")
    )
    folder.mkdir(parents=True, exist_ok=True)
    page = open_page(reports[env])
    target = folder / f"report-{env}.png"
    page.page.screenshot(path=str(target), full_page=True)
    header = target.read_bytes()[:24]  # PNG signature, then IHDR: width and height
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    assert width == 1400 and height > 1000


@pytest.mark.parametrize("env", catalog.names(levels=False))
def test_every_catalog_environment(open_page, tmp_path, env):
    """Each catalog world's report loads cleanly, shows a cell's numbers and draws its curves."""
    out = tmp_path / "report"
    argv = ["report", env, "--seed", "0", "--samples", "200", "--quiet", "-o", str(out)]
    assert main(argv) == 0
    page = open_page(out / "report.html")
    label = page.data["states"][-1]
    assert SHOWN.search(page.hover(label)) is not None
    cell = page.cell(label)
    cell.click(**({"position": {"x": 3, "y": 3}} if page.data["kind"] == "grid" else {}))
    assert page.page.locator("#detail-title").text_content() == f"State {label}"
    assert page.errors == [] and page.requests == []


def test_bounded_agent_and_two_agent_sections(open_page, tmp_path):
    from powerseek.multiagent import joint_gridworld
    from powerseek.viz._report import write_report

    out = tmp_path / "rule"
    argv = ["report", "powerplay-3x3", "--gamma", "0.6", "--rule", "boltzmann:0.1"]
    assert main([*argv, "--seed", "0", "--samples", "300", "--quiet", "-o", str(out)]) == 0
    page = open_page(out / "report.html")
    assert page.page.locator("h2", has_text="Bounded agent: boltzmann:0.1").count() == 1
    cells = page.page.locator("table td[title*='±']")  # the agent's heatmap, ± SE on hover
    assert cells.count() == 9 and "±" in cells.first.get_attribute("title")
    joint = joint_gridworld("..\n..", overlap=False, name="room")
    path = write_report(joint.mdp, tmp_path / "joint", gamma=0.6, n_samples=200, rng=1)
    page = open_page(path)
    assert page.page.locator("h2", has_text="Two agents").count() == 1
    label = page.data["states"][0]
    assert SHOWN.search(page.hover(label)) is not None
    assert page.errors == [] and page.requests == []


def test_lead_marks_skip_unresolved_discounts(open_page, tmp_path):
    """Marks at the first γ of each resolved leader, none where no lead is resolved, and a
    dotted line only between two resolved leaders (crafted leads: -1, right, -1, left, left)."""
    from powerseek import load
    from powerseek.viz._interactive import build_interactive_report, report_data

    fig1 = load("turner-fig1")
    data = report_data(fig1, gamma=0.5, gammas=[0, 0.25, 0.75, 1], n_samples=100, rng=0)
    start = fig1.index("start")
    right, left = (data["actions"][start].index(a) for a in ("right", "left"))
    data["leads"][start] = [-1, right, -1, left, left]
    path = tmp_path / "crafted.html"
    path.write_text(build_interactive_report(data, title="crafted"), encoding="utf-8")
    page = open_page(path)
    page.cell("start").click()
    marks = page.page.locator("#detail-curves text.lead")
    assert [m.text_content() for m in marks.all()] == ["right leads", "left leads"]
    dotted = page.page.locator('#detail-curves line[stroke-dasharray="1 2"]')
    assert dotted.count() == 1
    assert page.errors == []


#: Pieces of labels that end or re-enter the HTML parser's script-data states.
HOSTILE_PIECES = [
    "<!--", "<script>", "</script>", "-->", "<SCRIPT", "</script ", "\u2028", "\u2029", "&lt;",
    "]]>", "\"'", "<\\/", "`${x}`", "<b>", "\\u003c", "(0, 0)",
]  # fmt: skip


def _hostile_labels(seed, n=6):
    import random

    if seed == "reported":  # the label that broke the page (no "-->" after it to undo it)
        return ["<!--<script>", "a</script>b", "x\u2028y", "<SCRIPT"]
    rng = random.Random(seed)
    labels = []
    while len(labels) < n:
        label = "".join(rng.choice(HOSTILE_PIECES) for _ in range(rng.randint(1, 4)))
        if label not in labels:
            labels.append(label)
    return labels


@pytest.mark.parametrize("seed", ["reported", 0, 1, 2])
def test_hostile_labels_leave_the_page_working(open_page, tmp_path, seed):
    """A label holding <!--<script> once made the data swallow the page's script: no map,
    no interactivity. Labels built from every such piece must leave the page working."""
    import networkx as nx

    import powerseek
    from powerseek.viz._report import write_report

    labels = _hostile_labels(seed)
    edges = [(a, b) for a, b in zip(labels, labels[1:])] + [(s, s) for s in labels]
    mdp = powerseek.from_graph(nx.DiGraph(edges), name=labels[0])
    page = open_page(write_report(mdp, tmp_path / "hostile", gamma=0.5, n_samples=100, rng=1))
    assert page.data["states"] == labels
    for label in labels:
        tip = page.hover(label)
        assert tip.startswith(label + "   (γ = 0.5)") and SHOWN.search(tip) is not None
    assert page.errors == [] and page.requests == []


def test_probability_axes_colours_and_legend_letters(open_page, reports, tmp_path):
    """Round ticks within [0, 1]; one colour per action on every cell; letters clear of values."""
    page = open_page(reports["powerplay-maze-7x7"])
    colours = {}
    for label in ["(0, 0)", "(3, 3)", "(6, 6)"]:
        page.cell(label).click(position={"x": 3, "y": 3})
        charts = page.page.locator("#detail-curves svg")
        ticks = [float(t.text_content()) for t in charts.nth(1).locator("text.ytick").all()]
        assert ticks == [0.0, 0.25, 0.5, 0.75, 1.0]
        for curve in charts.nth(1).locator("polyline.curve").all():
            name, colour = curve.get_attribute("data-name"), curve.get_attribute("stroke")
            assert colours.setdefault(name, colour) == colour, name
    assert len(set(colours.values())) == len(colours) >= 3
    power_ticks = page.page.locator("#detail-curves svg").first.locator("text.ytick").all()
    assert len(power_ticks) >= 3 and all(
        len(t.text_content().rstrip("0").split(".")[-1]) <= 3 for t in power_ticks
    )

    def box(locator):
        b = locator.bounding_box()
        return b["x"], b["y"], b["x"] + b["width"], b["y"] + b["height"]

    assert page.errors == []
    page = open_page(_report(tmp_path, "aima-4x3", "0.9"))  # S and R in the legend
    marks = page.page.locator("text.mark").all()
    values = [box(t) for t in page.page.locator("#map text:not(.mark)").all() if t.text_content()]
    assert marks and values
    for mark in marks:
        x0, y0, x1, y1 = box(mark)
        assert not any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in values)
    assert page.errors == []
