"""Print the declared minimum versions of the core dependencies as pip constraints.

``pip install -c <(python tools/min_versions.py) -e ".[test]"`` installs the oldest
releases pyproject.toml says powerseek works with; .ci/run then runs the tests of
the numeric core against them, so that a floor that is too low fails CI.

Only the core ``dependencies`` are pinned (each ``name>=version`` becomes
``name==version``; entries whose environment marker does not apply are left out);
the extras resolve to whatever the pinned core allows.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def floors(pyproject: Path = ROOT / "pyproject.toml") -> dict[str, str]:
    """Each core dependency's lower bound, for this Python."""
    from packaging.markers import Marker

    dependencies = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    pins = {}
    for entry in dependencies:
        requirement, _, marker = entry.partition(";")
        if marker.strip() and not Marker(marker.strip()).evaluate():
            continue
        match = re.fullmatch(r"\s*([A-Za-z0-9_.\-\[\]]+)\s*>=\s*([^,\s]+)\s*", requirement)
        if match is None:
            raise SystemExit(f"pyproject.toml: dependency {entry!r} has no '>=' floor to pin")
        pins[match.group(1).split("[")[0]] = match.group(2)
    return pins


def main() -> int:
    for name, version in floors().items():
        print(f"{name}=={version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
