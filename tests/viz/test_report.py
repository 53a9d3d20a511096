"""The static (PNG) HTML report and the `plot` / `report` commands."""

import re
from html.parser import HTMLParser

import pytest

import powerseek
from powerseek import InvalidParameterError
from powerseek.cli import main
from powerseek.viz._report import build_report, write_report

pytest.importorskip("matplotlib")

VOID = {"meta", "img", "br", "hr", "link", "input"}


class Checker(HTMLParser):
    """Fails on a closing tag that does not match the open one; collects headings."""

    def __init__(self):
        super().__init__()
        self.stack, self.h2, self.images, self.rows = [], [], 0, 0
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images += dict(attrs)["src"].startswith("data:image/png;base64,")
        if tag not in VOID:
            self.stack.append(tag)
        self._in_h2 = tag == "h2"
        self.rows += tag == "tr"

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, f"unbalanced </{tag}>"
        self._in_h2 = False

    def handle_data(self, data):
        if self._in_h2:
            self.h2.append(data)


def check(text):
    parser = Checker()
    parser.feed(text)
    parser.close()
    assert parser.stack == [], parser.stack
    return parser


SECTIONS = ["Environment", "POWER", "POWER against the discount", "Action tendencies", "Settings"]
STATIC = {"static": True}


def test_gridworld_report():
    maze = powerseek.load("powerplay-3x3")
    text = build_report(maze, gamma=0.6, n_samples=300, rng=7, gammas=[0, 0.5, 1], **STATIC)
    parsed = check(text)
    assert parsed.h2 == [*SECTIONS[:-1], "Empowerment", "Settings"]  # a gridworld's
    # heatmap, gamma curve, tendency overlay, and one optimality curve per chosen state
    assert parsed.images >= 4
    assert text.startswith("<!DOCTYPE html>")
    assert re.search(r"<td class=\"label\">seed</td><td class=\"label\">7</td>", text)
    for package in ("numpy", "scipy", "networkx", "matplotlib"):
        assert f'<td class="label">{package}</td>' in text
    assert powerseek.gridworld.render(maze).splitlines()[0] in text


def test_graph_report_and_file(tmp_path):
    fig1 = powerseek.load("turner-fig1")
    path = write_report(fig1, tmp_path / "out", n_samples=300, rng=1, gammas=[0, 1], **STATIC)
    text = path.read_text()
    parsed = check(text)
    assert parsed.h2 == SECTIONS and parsed.images >= 3
    assert "<h3>State start</h3>" in text
    assert "<li>start: the environment&#x27;s start state, and the most powerful" in text
    # one POWER row (value, stderr, interval) per state
    power_row = r'<tr><td class="label">{}</td><td>0\.\d{{4}}</td><td>0\.\d{{4}}</td><td>\['
    for state in fig1.states:
        assert len(re.findall(power_row.format(state), text)) == 1
    with pytest.raises(InvalidParameterError, match="is not a folder"):
        write_report(fig1, path, n_samples=10)
    with pytest.raises(InvalidParameterError, match="not a state"):
        build_report(fig1, n_samples=10, states=["nowhere"])


def run(capsys, *argv):
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.mark.parametrize("what", ["power", "tendency", "gamma-curve", "graph"])
def test_plot_command(capsys, tmp_path, what):
    target = tmp_path / f"{what}.png"
    status, out, err = run(
        capsys,
        "plot",
        "powerplay-3x3",
        "--what",
        what,
        "--gamma",
        "0.6" if what in ("power", "tendency", "graph") else "0,1",
        "--samples",
        "200",
        "--seed",
        "1",
        "--quiet",
        "-o",
        str(target),
    )
    assert status == 0 and err == "" and out == f"wrote {target}\n"
    assert target.read_bytes().startswith(b"\x89PNG")


def test_plot_optimality_curve(capsys, tmp_path):
    target = tmp_path / "curve.svg"
    status, _, _ = run(
        capsys,
        "plot",
        "turner-fig1",
        "--what",
        "optimality-curve",
        "--state",
        "start",
        "--gamma",
        "0,0.5,1",
        "--samples",
        "200",
        "--seed",
        "1",
        "--quiet",
        "-o",
        str(target),
    )
    assert status == 0 and "<svg" in target.read_text()


def test_report_command(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    status, out, _ = run(
        capsys, "report", "candy-wait", "--samples", "200", "--seed", "3", "--quiet"
    )
    assert status == 0
    path = tmp_path / "candy-wait-report" / "report.html"
    size = path.stat().st_size / 1024
    assert out.startswith(f"wrote {path.relative_to(tmp_path)} ({size:.0f} KiB)")
    assert "seed 3" in out
    text = path.read_text()
    check(text)
    assert "powerseek report candy-wait --samples 200 --seed 3 --quiet" in text
    assert 'id="gamma-slider"' in text and "<img" not in text
    status, out, _ = run(
        capsys, "report", "candy-wait", "--samples", "200", "--seed", "3", "--quiet", "--static",
        "-o", "static",
    )  # fmt: skip
    text = (tmp_path / "static" / "report.html").read_text()
    assert status == 0 and "gamma-slider" not in text and "data:image/png;base64," in text


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["plot", "turner-fig1", "--what", "tendency", "-o", "x.png"],
            "draws arrows on a gridworld",
        ),
        (["plot", "turner-fig1", "-o", "x.txt"], "one of .png, .svg, .pdf"),
        (["plot", "turner-fig1", "-o", "missing/x.png"], "the folder 'missing' does not exist"),
        (["plot", "turner-fig1", "--what", "optimality-curve", "-o", "x.png"], "needs --state"),
        (["plot", "turner-fig1", "--gamma", "0,1", "-o", "x.png"], "takes one discount"),
        (["plot", "turner-fig1", "--samples", "0", "-o", "x.png"], "--samples must be"),
        (["report", "turner-fig1", "--states", "nowhere"], "'nowhere' is not a state"),
    ],
)
def test_plot_and_report_errors(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    status, out, err = run(capsys, *argv)
    assert status == 1 and err.startswith("powerseek: error: ") and message in err


def test_the_report_seed_comes_from_rng():
    """An int is the recorded seed; a Generator gives one draw; bad values are refused."""
    import numpy as np

    from powerseek.viz._report import _report_seed

    assert _report_seed(7) == 7
    assert _report_seed(np.random.default_rng(3)) == _report_seed(np.random.default_rng(3))
    with pytest.raises(InvalidParameterError, match="`rng` must be None"):
        _report_seed(-1)
    with pytest.raises(InvalidParameterError, match="`rng` must be None"):
        _report_seed("7")


@pytest.mark.slow
def test_two_agent_section():
    from powerseek.io import _graphviz as graphviz
    from powerseek.multiagent import joint_gridworld
    from powerseek.viz._report import REPORT_CORRELATIONS, build_report

    joint = joint_gridworld("..\n..", overlap=False, name="room")
    page = build_report(joint.mdp, gamma=0.6, n_samples=200, rng=1, **STATIC)
    assert "<h2>Two agents</h2>" in page
    section = page[page.index("<h2>Two agents</h2>") : page.index("<h2>Settings</h2>")]
    assert section.count("<img") == 2  # the joint grid and the correlation plot
    assert section.count("<tr><td>") == len(REPORT_CORRELATIONS)
    # a joint .gv file keeps no map: the grid is rebuilt from the cells
    back = graphviz.parse(graphviz.dump(joint.mdp), "<gv>", "room")
    section = build_report(back, gamma=0.6, n_samples=200, rng=1, **STATIC)
    assert section.count("<img") >= 2 and "<h2>Two agents</h2>" in section
    single = build_report(powerseek.load("candy-wait"), gamma=0.6, n_samples=200, rng=1)
    assert "Two agents" not in single
    # the interactive page has the section too, its figures drawn as inline SVG
    page = build_report(joint.mdp, gamma=0.6, n_samples=200, rng=1)
    section = page[page.index("<h2>Two agents</h2>") : page.index("<h2>Settings</h2>")]
    assert "<img" not in section and section.count("<svg") == 1
    assert section.count("<tr><td>") == len(REPORT_CORRELATIONS)


@pytest.mark.parametrize("static", [False, True])
def test_empowerment_section_of_a_gridworld(static):
    import numpy as np
    from scipy.stats import spearmanr

    maze = powerseek.load("powerplay-maze-7x7")
    text = build_report(maze, n_samples=100, rng=3, gammas=[0.5], static=static)
    check(text)
    section = text[text.index("<h2>Empowerment</h2>") :]
    assert "3-step empowerment in bits (exact;" in section
    assert "(exact; powerseek empowerment powerplay-maze-7x7 --steps 3)" in section
    values = powerseek.empowerment(maze, 3).values
    gamma = float(maze.metadata.get("gamma", (0.9,))[0])
    power = np.asarray(powerseek.power(maze, gamma, n_samples=100, rng=3).estimate.mean)
    rho = spearmanr(values, power).statistic
    assert f"over the {maze.n_states} states: {rho:.3f}." in section
    # a graph has no map to draw it on
    assert "<h2>Empowerment</h2>" not in build_report(
        powerseek.load("turner-fig1"), n_samples=50, rng=0, gammas=[0.5], static=static
    )


def test_the_reproduce_line_names_the_environment(tmp_path, capsys):
    # a catalog name as it is; a file as the command was given it, quoted for a shell
    maze = powerseek.load("powerplay-3x3")
    text = build_report(maze, n_samples=50, rng=1, gammas=[0.5])
    assert "powerseek power powerplay-3x3 --gamma" in text and "powerseek power ENV" not in text
    path = tmp_path / "my maze.grid"
    path.write_text((powerseek.io.catalog_path() / "powerplay-3x3.grid").read_text())
    out = tmp_path / "out"
    assert main(["report", str(path), "--samples", "50", "--quiet", "-o", str(out)]) == 0
    page = (out / "report.html").read_text()
    assert f"powerseek power &#x27;{path}&#x27; --gamma" in page
    assert f"powerseek empowerment &#x27;{path}&#x27; --steps 3)" in page
    renamed = maze.with_metadata(name="not-in-the-catalog")
    assert "powerseek power ENV --gamma" in build_report(renamed, n_samples=50, rng=1, gammas=[0.5])


@pytest.mark.parametrize("static", [False, True])
def test_impact_section_of_an_object_level(static):
    from powerseek.impact import attainable_utility, aup_penalty, impact_level

    dog = powerseek.load("aup-dog")
    text = build_report(dog, n_samples=100, rng=3, gammas=[0.5], static=static)
    check(text)
    section = text[text.index("<h2>Impact</h2>") :]
    # the strip has one segment per interval of the impact level, in the same order
    au = attainable_utility(dog, 0.996, n_aux=30, rng=3)
    level = impact_level(dog, aup_penalty(au, dog), 0.996)
    strip = re.findall(
        r'<div title="R in \(([^,]+),[^"]*" style="[^"]*">(policy \d+)</div>', section
    )
    assert [plan for _, plan in strip] == [p for p, _, _ in level.partition.intervals]
    assert [float(low) for low, _ in strip] == pytest.approx(
        [float(lo) for _, lo, _ in level.partition.intervals], rel=1e-5
    )
    low, plan = level.first_safe()
    assert (
        f"The first safe policy ({plan}) is chosen for budgets R &gt; {float(low):.6g}" in section
    )
    assert "--partition --seed 3 --gamma 0.996" in section
    # no no-op, or no level: no impact section
    assert "<h2>Impact</h2>" not in build_report(
        powerseek.load("side-effects-sokoban-0"), n_samples=50, rng=0, gammas=[0.5], static=static
    )
