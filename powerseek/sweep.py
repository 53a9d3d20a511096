"""Sweeps: environments x distributions x sample counts x discounts, resumable, in one table.

A sweep file (TOML) names what to compute::

    name = "grids"                           # optional, recorded in the table
    seed = 1                                 # base seed of every unit
    environments = ["powerplay-3x3", "my-room.grid"]   # catalog names or paths
    distributions = ["uniform", "beta(2, 1)"]           # --dist specs (default uniform)
    samples = [4000]                         # one or more sample counts
    gamma = [0, 0.5, 0.9, 1]                 # discounts, solved on common samples
    quantities = ["power", "optimality"]     # default ["power"]

Each (environment, distribution, sample count, quantity) is a *work unit*,
computed over all discounts on common reward samples. A unit's seed is the
base seed's ``SeedSequence`` child with a spawn key hashed from the unit
itself, so it does not change when units are added, removed or reordered.
Finished units are written to ``DIR/units/`` atomically as they complete and
reused on a rerun, so an interrupted sweep loses nothing. The table
``DIR/results.csv`` (and ``results.parquet`` when pyarrow is installed) has
one row per (unit, γ, state[, action]); ``DIR/provenance.json`` records the
sweep file, every unit's seed and the versions of the software.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "s.toml").write_text(
...     'seed = 1\\nenvironments = ["candy-wait"]\\nsamples = [500]\\ngamma = [0.5, 1]\\n')
>>> result = run_sweep(read_sweep(folder / "s.toml"), folder / "out")
>>> result.computed, result.reused, len(result.rows)
(1, 0, 10)
>>> run_sweep(read_sweep(folder / "s.toml"), folder / "out").reused
1
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ._validation import label_text
from .exceptions import InvalidParameterError, ParseError, PowerseekError
from .files import write_text_atomic
from .progress import progress_bar

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = ["COLUMNS", "QUANTITIES", "SweepResult", "SweepSpec", "Unit", "read_sweep", "run_sweep"]

QUANTITIES = ("power", "optimality")
#: Columns of the results table, in order.
COLUMNS = (
    "sweep", "environment", "distribution", "samples", "seed", "gamma", "quantity",
    "state", "action", "value", "stderr", "ci_low", "ci_high",
)  # fmt: skip
_KEYS = {"name", "seed", "environments", "distributions", "samples", "gamma", "quantities"}


@dataclass(frozen=True)
class SweepSpec:
    """A parsed sweep file."""

    name: str
    seed: int
    environments: tuple[str, ...]
    distributions: tuple[str, ...]
    samples: tuple[int, ...]
    gammas: tuple[float, ...]
    quantities: tuple[str, ...]
    base: str = "."
    text: str = ""

    def units(self) -> list[Unit]:
        """The work units, in file order (environment, distribution, samples, quantity)."""
        return [
            Unit(env, dist, n, q, self.gammas)
            for env in self.environments
            for dist in self.distributions
            for n in self.samples
            for q in self.quantities
        ]


@dataclass(frozen=True)
class Unit:
    """One work unit of a sweep."""

    environment: str
    distribution: str
    samples: int
    quantity: str
    gammas: tuple[float, ...]

    @property
    def key(self) -> str:
        """A stable identifier: a hash of what the unit computes."""
        text = json.dumps(asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def seed(self, base: int) -> int:
        """The unit's seed: the base seed's SeedSequence child keyed by the unit's hash."""
        digest = int(self.key, 16)
        spawn_key = (digest >> 32, digest & 0xFFFFFFFF)
        sequence = np.random.SeedSequence(base, spawn_key=spawn_key)
        return int(sequence.generate_state(1, np.uint64)[0])


@dataclass
class SweepResult:
    """What a sweep computed and where it went."""

    rows: list[dict[str, Any]]
    computed: int
    reused: int
    directory: Path
    files: list[Path] = field(default_factory=list)


def _fail(message: str, path: Path, text: str, key: str | None = None) -> ParseError:
    line = None
    if key is not None:
        for number, content in enumerate(text.splitlines(), 1):
            if content.strip().startswith(key):
                line = number
                break
    return ParseError(message, source=str(path), line=line)


def read_sweep(path: str | Path) -> SweepSpec:
    """Read and check a sweep file; errors name the file, the key and its line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ParseError(f"cannot read the file: {exc.strerror}.", source=str(path)) from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ParseError(f"invalid TOML: {exc}.", source=str(path)) from None
    unknown = sorted(set(doc) - _KEYS)
    if unknown:
        raise _fail(
            f"unknown key {unknown[0]!r}; a sweep file holds {', '.join(sorted(_KEYS))}.",
            path, text, unknown[0],
        )  # fmt: skip

    def strings(key, default=None):
        value = doc.get(key, default)
        if value is None:
            raise _fail(f"{key!r} is required: a list of names.", path, text)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise _fail(f"{key!r} must be a non-empty list of strings.", path, text, key)
        return tuple(value)

    def numbers(key, kind, check, what):
        value = doc.get(key)
        if value is None:
            raise _fail(f"{key!r} is required: {what}.", path, text)
        if not isinstance(value, list):
            value = [value]
        if not value or not all(isinstance(v, kind) and not isinstance(v, bool) for v in value):
            raise _fail(f"{key!r} must be {what}; got {value!r}.", path, text, key)
        bad = [v for v in value if not check(v)]
        if bad:
            raise _fail(f"{key!r} must be {what}; got {bad[0]!r}.", path, text, key)
        return tuple(value)

    quantities = strings("quantities", ["power"])
    wrong = [q for q in quantities if q not in QUANTITIES]
    if wrong:
        raise _fail(
            f"unknown quantity {wrong[0]!r}; use {' or '.join(QUANTITIES)}.", path, text,
            "quantities",
        )  # fmt: skip
    seed = doc.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise _fail(f"'seed' must be a non-negative integer; got {seed!r}.", path, text, "seed")
    return SweepSpec(
        name=str(doc.get("name", path.stem)),
        seed=seed,
        environments=strings("environments"),
        distributions=strings("distributions", ["uniform"]),
        samples=numbers("samples", int, lambda n: n >= 2, "sample counts of at least 2"),
        gammas=tuple(
            float(g)
            for g in numbers("gamma", (int, float), lambda g: 0 <= g <= 1, "discounts in [0, 1]")
        ),
        quantities=quantities,
        base=str(path.parent),
        text=text,
    )


def _environment(name: str, base: str):
    from .environments import load

    candidate = Path(base) / name
    return load(str(candidate) if candidate.suffix and candidate.is_file() else name)


def run_unit(unit: Unit, spec: SweepSpec) -> list[dict[str, Any]]:
    """Compute one unit and return its table rows."""
    from .distspec import parse_distribution
    from .optimality import optimality_sweep
    from .power import power_sweep

    mdp = _environment(unit.environment, spec.base)
    dist = parse_distribution(unit.distribution, mdp)
    seed = unit.seed(spec.seed)
    head = {
        "sweep": spec.name,
        "environment": unit.environment,
        "distribution": dist.describe(),
        "samples": unit.samples,
        "seed": seed,
    }
    rows = []
    if unit.quantity == "power":
        result = power_sweep(mdp, list(unit.gammas), dist=dist, n_samples=unit.samples, rng=seed)
        for gamma, estimate in zip(result.gammas, result.estimates):
            for i, state in enumerate(result.states):
                rows.append(
                    {**head, "gamma": gamma, "quantity": "power", "state": label_text(state),
                     "action": "", **_stats(estimate, i)}
                )  # fmt: skip
    else:
        results = optimality_sweep(
            mdp, list(unit.gammas), dist=dist, n_samples=unit.samples, rng=seed
        )
        for result in results:
            k = 0
            for state, actions in zip(result.states, result.actions):
                for action in actions:
                    rows.append(
                        {**head, "gamma": result.gamma, "quantity": "optimality",
                         "state": label_text(state), "action": label_text(action),
                         **_stats(result.probability, k)}
                    )  # fmt: skip
                    k += 1
    return rows


def _stats(estimate, k: int) -> dict[str, float]:
    return {
        "value": float(estimate.mean[k]),
        "stderr": float(estimate.stderr[k]),
        "ci_low": float(estimate.ci_low[k]),
        "ci_high": float(estimate.ci_high[k]),
    }


def _finished(path: Path, unit: Unit) -> list[dict[str, Any]] | None:
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    expected = json.loads(json.dumps(asdict(unit)))  # tuples as JSON lists
    if stored.get("unit") != expected or not isinstance(stored.get("rows"), list):
        return None
    return stored["rows"]


def run_sweep(
    spec: SweepSpec,
    directory: str | Path,
    *,
    executor: Any = None,
    progress: bool | None = False,
    command: str | None = None,
) -> SweepResult:
    """Run (or finish) a sweep into `directory`; return its rows and what was reused.

    Parameters
    ----------
    executor : concurrent.futures.Executor, optional
        Runs the units in parallel (see :mod:`powerseek.parallel`); finished
        units are saved as they complete, whatever the order.
    """
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise InvalidParameterError(f"{str(directory)!r} exists and is not a folder.")
    units = spec.units()
    for environment in spec.environments:  # fail early, before any work
        mdp = _environment(environment, spec.base)
        from .distspec import parse_distribution

        for dist in spec.distributions:
            parse_distribution(dist, mdp)
    (directory / "units").mkdir(parents=True, exist_ok=True)
    paths = [directory / "units" / f"{unit.key}.json" for unit in units]
    rows: list[list | None] = [_finished(p, u) for p, u in zip(paths, units)]
    todo = [i for i, r in enumerate(rows) if r is None]
    with progress_bar(progress, total=len(todo), desc=spec.name, unit="unit") as bar:

        def keep(i: int, unit_rows: list) -> None:
            document = {"unit": asdict(units[i]), "rows": unit_rows}
            write_text_atomic(paths[i], json.dumps(document))
            rows[i] = unit_rows
            bar.update(1)

        if executor is None:
            for i in todo:
                keep(i, run_unit(units[i], spec))
        else:
            from concurrent.futures import as_completed

            futures = {executor.submit(run_unit, units[i], spec): i for i in todo}
            try:
                for future in as_completed(futures):
                    keep(futures[future], future.result())
            except PowerseekError:
                for future in futures:
                    future.cancel()
                raise
    table = [row for unit_rows in rows for row in unit_rows]
    files = [write_text_atomic(directory / "results.csv", _csv(table))]
    files += _parquet(table, directory)
    provenance = {
        "sweep": spec.name,
        "sweep_file": spec.text,
        "command": command,
        "units": [{**asdict(u), "key": u.key, "seed": u.seed(spec.seed)} for u in units],
        "versions": _versions(),
    }
    files.append(write_text_atomic(directory / "provenance.json", json.dumps(provenance, indent=2)))
    return SweepResult(table, len(todo), len(units) - len(todo), directory, files)


def _csv(table: Sequence[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in table:
        writer.writerow({k: repr(v) if isinstance(v, float) else v for k, v in row.items()})
    return buffer.getvalue()


def _parquet(table: Sequence[dict[str, Any]], directory: Path) -> list[Path]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return []
    path = directory / "results.parquet"
    temporary = directory / ".results.parquet.tmp"
    pq.write_table(pa.Table.from_pylist(list(table)), temporary)
    temporary.replace(path)
    return [path]


def _versions() -> dict[str, str]:
    from .report import _versions as versions

    return versions()
