"""Redraw the report screenshots of docs/plotting.md in headless Chromium.

Run from the repository root with the browser extra and Debian's Chromium installed:
``python docs/screenshots.py``. Each picture is the interactive report of a catalog
environment at a stated seed and sample count, a cell hovered and another clicked.
"""

import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from powerseek.cli import main

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SHOTS = [
    # environment, gamma, hovered state, clicked state, picture
    ("powerplay-maze-7x7", "0.9", 8, 14, "report-maze.png"),
    ("turner-fig1", "0.9", 3, 0, "report-fig1.png"),
]


def shoot(folder: Path) -> None:
    """Write each picture of `SHOTS` into ``folder/images``."""
    scratch = Path(tempfile.mkdtemp())
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for env, gamma, hovered, clicked, name in SHOTS:
            out = scratch / env
            argv = ["report", env, "--gamma", gamma, "--seed", "0", "--samples", "10000"]
            if main([*argv, "--quiet", "-o", str(out)]) != 0:
                raise SystemExit(f"powerseek report {env} failed")
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto((out / "report.html").as_uri())
            page.wait_for_selector("body[data-ready=true]")
            grid = page.evaluate("document.querySelector('.cell').tagName") == "rect"
            corner = {"position": {"x": 3, "y": 3}} if grid else {}
            page.locator(f'.cell[data-state="{clicked}"]').click(**corner)
            page.locator(f'.cell[data-state="{hovered}"]').hover(**corner)
            top = page.locator(".controls").bounding_box()
            bottom = page.locator(".row").bounding_box()
            page.screenshot(
                path=str(folder / "images" / name),
                clip={"x": 0, "y": top["y"] - 8, "width": 1400,
                      "height": bottom["y"] + bottom["height"] - top["y"] + 16},
            )  # fmt: skip
            page.close()
        browser.close()


if __name__ == "__main__":
    shoot(Path(__file__).parent)
