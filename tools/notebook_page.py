"""Write docs/tour.md: examples/tour.ipynb executed, with its outputs.

The notebook is run top to bottom in a fresh kernel (nbclient, as the test suite
runs it), and the page gets each markdown cell as it is, each code cell as a
Python block, and its outputs: text as a text block, HTML as itself (the
results' notebook views), figures as PNG files in docs/images/. The test suite
checks that the page shows the notebook's current code and text outputs.

Run ``python tools/notebook_page.py`` after changing the notebook.
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "tour.ipynb"
PAGE = ROOT / "docs" / "tour.md"
IMAGES = ROOT / "docs" / "images"
#: How long one cell may run before the run is abandoned, in seconds.
CELL_TIMEOUT = 600


def execute(path: Path = NOTEBOOK):
    """The notebook at `path`, run in a fresh ``python3`` kernel in its folder."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return notebook


def text_of(output) -> str | None:
    """The plain text an output shows (a stream, or a result's text form), else None."""
    if output.output_type == "stream":
        return output.text
    data = output.get("data", {})
    if "text/plain" in data and not ({"image/png", "text/html"} & set(data)):
        return data["text/plain"]
    return None


def page(notebook) -> tuple[str, dict[str, bytes]]:
    """The page's markdown and its images (file name -> PNG bytes)."""
    parts = [
        "<!-- Written by tools/notebook_page.py from examples/tour.ipynb; do not edit. -->",
        "",
    ]
    images: dict[str, bytes] = {}
    for number, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            parts += [cell.source, ""]
            continue
        parts += ["```python", cell.source, "```", ""]
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            text = text_of(output)
            if "image/png" in data:
                name = f"tour-{number}.png"
                images[name] = base64.b64decode(data["image/png"])
                parts += [f"![output of the cell above](images/{name})", ""]
            elif "text/html" in data:
                parts += ["```{raw} html", data["text/html"].strip(), "```", ""]
            elif text is not None:
                parts += ["```text", text.rstrip("\n"), "```", ""]
    return "\n".join(parts).rstrip("\n") + "\n", images


def main() -> int:
    notebook = execute()
    text, images = page(notebook)
    for old in IMAGES.glob("tour-*.png"):
        old.unlink()
    for name, data in images.items():
        (IMAGES / name).write_bytes(data)
    PAGE.write_text(text, encoding="utf-8")
    print(f"wrote {PAGE.relative_to(ROOT)} and {len(images)} figures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
