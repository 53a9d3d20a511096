"""examples/tour.ipynb runs in a fresh kernel, its figures display, and docs/tour.md is current."""

import sys
from pathlib import Path

import pytest
from extras import require

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import notebook_page  # noqa: E402

# Left out of the quick run (-m "not slow"): starts a Jupyter kernel for the tour notebook.
pytestmark = pytest.mark.slow

sys.path.pop(0)


def test_the_tour_runs_displays_its_figures_and_its_page_is_current():
    require("nbclient", "test")
    require("ipykernel", "test")
    notebook = notebook_page.execute()  # raises on the first cell that fails
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    errors = [o for cell in code for o in cell.outputs if o.output_type == "error"]
    assert not errors
    # a cell ending in a figure (or a figure function's (fig, ax)) shows a PNG, with no
    # `%matplotlib inline` anywhere
    for cell in code:
        last = cell.source.strip().splitlines()[-1]
        shown = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        drawn = last == "fig" or "heatmap(" in last or "grid(" in last
        assert bool(shown) == drawn, cell.source
        assert "%matplotlib" not in cell.source
    text, images = notebook_page.page(notebook)
    assert notebook_page.PAGE.read_text(encoding="utf-8") == text, (
        "run python tools/notebook_page.py"
    )
    for name in images:
        assert (notebook_page.IMAGES / name).is_file(), name
    assert len(images) == 3
