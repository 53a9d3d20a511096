"""Files powerseek writes: the mode the umask gives, atomic writes, one rule for folders."""

import os
import stat

import pytest

from powerseek import load
from powerseek.cli import main
from powerseek.io import _files as files
from powerseek.io import _outputs as outputs

SWEEP = 'environments = ["candy-wait"]\nsamples = [50]\ngamma = [0.5]\nseed = 1\n'


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _outputs(tmp_path):
    """Run every writing command once; return the files they wrote."""
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "s.toml").write_text(SWEEP)
    commands = [
        ["convert", "turner-fig1", str(out / "fig1.json")],
        ["convert", "powerplay-3x3", str(out / "grid.grid")],
        ["sweep", str(tmp_path / "s.toml"), "-o", str(out / "sweep"), "--quiet"],
    ]
    for argv in commands:
        main(argv)
    written = [p for p in out.rglob("*") if p.is_file()]
    return written


def test_every_file_written_gets_the_umask_mode(tmp_path, umask_022, capsys):
    written = _outputs(tmp_path)
    names = {p.name for p in written}
    assert {"fig1.json", "grid.grid", "results.csv", "provenance.json"} <= names
    assert any(p.parent.name == "units" for p in written)
    assert {p: oct(_mode(p)) for p in written} == {p: oct(0o644) for p in written}


def test_a_tighter_umask_is_honoured(tmp_path, capsys):
    old = os.umask(0o077)
    try:
        files.write(load("candy-wait"), tmp_path / "c.toml")
    finally:
        os.umask(old)
    assert _mode(tmp_path / "c.toml") == 0o600


def test_figures_and_reports_get_the_umask_mode(tmp_path, umask_022, capsys):
    pytest.importorskip("matplotlib")
    png = tmp_path / "p.png"
    argv = ["plot", "candy-wait", "--what", "graph", "--samples", "50", "--seed", "1"]
    assert main([*argv, "--quiet", "-o", str(png)]) == 0
    assert _mode(png) == 0o644 and png.read_bytes()[:4] == b"\x89PNG"
    assert main(["report", "candy-wait", "--samples", "50", "--seed", "1", "--quiet",
                 "-o", str(tmp_path / "rep")]) == 0  # fmt: skip
    assert _mode(tmp_path / "rep" / "report.html") == 0o644


def test_a_failed_figure_leaves_no_file_behind(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    from matplotlib.figure import Figure

    from powerseek.viz import _figures as plotting

    def broken(self, *args, **kwargs):
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(Figure, "savefig", broken)
    target = tmp_path / "f.png"
    target.write_bytes(b"old figure")
    with pytest.raises(RuntimeError):
        plotting.save(Figure(), target)
    assert target.read_bytes() == b"old figure"
    assert [p.name for p in tmp_path.iterdir()] == ["f.png"]


@pytest.mark.parametrize(
    "argv",
    [
        ["convert", "turner-fig1", "{missing}/x.json"],
        ["plot", "candy-wait", "--what", "graph", "-o", "{missing}/x.png"],
        ["report", "candy-wait", "--samples", "50", "-o", "{missing}/rep"],
        ["sweep", "{sweep}", "-o", "{missing}/out"],
        ["explore", "power-seeking-implies-optimal", "--exhaustive", "--size", "2",
         "-o", "{missing}/c.json"],
    ],
)  # fmt: skip
def test_one_rule_for_a_missing_output_folder(tmp_path, capsys, argv):
    (tmp_path / "s.toml").write_text(SWEEP)
    missing = tmp_path / "nowhere" / "deeper"
    argv = [a.format(missing=missing, sweep=tmp_path / "s.toml") for a in argv]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"the folder {str(missing)!r} does not exist" in err
    assert "not the folders above it" in err
    assert not (tmp_path / "nowhere").exists()


def test_the_named_output_folder_itself_is_created(tmp_path, capsys):
    (tmp_path / "s.toml").write_text(SWEEP)
    assert main(["sweep", str(tmp_path / "s.toml"), "-o", str(tmp_path / "new"), "--quiet"]) == 0
    assert (tmp_path / "new" / "results.csv").is_file()


def test_a_write_error_names_the_target_not_the_temporary_file(tmp_path, capsys):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):  # root ignores the mode
            pytest.skip("this user can write into a read-only folder")
        status = main(["convert", "turner-fig1", str(folder / "x.json")])
    finally:
        folder.chmod(0o700)
    err = capsys.readouterr().err
    assert status == 1 and str(folder / "x.json") in err and ".tmp" not in err


def test_write_errors_name_the_target(tmp_path, monkeypatch):
    """Whoever the user is: the error of a failed atomic write carries the target's name."""

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / ".x.json.abc.tmp"))

    monkeypatch.setattr(outputs, "_create_beside", refuse)
    with pytest.raises(OSError) as caught:
        outputs.write_text_atomic(tmp_path / "x.json", "{}")
    assert caught.value.filename == str(tmp_path / "x.json")
